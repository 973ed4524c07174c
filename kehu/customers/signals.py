"""Signals other apps listen to, so that customers need not know them.

`owner_changed` is sent inside the transaction of every service that gives customers a new owner
(transfer today; pool claims, assignment and handover later), with `customer_ids` and `new_owner_id`.
The follow-ups app hands the customers' open plans to the new owner.
"""

from django.dispatch import Signal

owner_changed = Signal()
