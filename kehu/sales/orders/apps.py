from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "kehu.sales.orders"
    label = "orders"
    verbose_name = _("Sales orders")

    def ready(self) -> None:
        from kehu.customers.signals import owner_changed
        from kehu.sales.orders.services import drafts_follow_new_owner

        owner_changed.connect(drafts_follow_new_owner, dispatch_uid="orders.drafts_follow_new_owner")
