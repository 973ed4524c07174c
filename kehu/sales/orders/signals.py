"""Signals other apps listen to, so that orders need not know them.

`purchases_changed` is sent inside the transaction of every service that changes what the purchases
(confirmed, shipped and completed orders) of some days amount to: an order confirmed or cancelled, a
confirmed order edited. `days` are the order dates concerned (the old and the new one when it moved). The
purchase statistics mark those months' rollups stale.
"""

from django.dispatch import Signal

purchases_changed = Signal()
