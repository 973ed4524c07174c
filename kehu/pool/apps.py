from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolConfig(AppConfig):
    name = "kehu.pool"
    label = "pool"
    verbose_name = _("Shared pool")

    def ready(self) -> None:
        from kehu.customers.signals import owner_changed
        from kehu.pool.services import pool_leave_on_new_owner

        owner_changed.connect(pool_leave_on_new_owner, dispatch_uid="pool.pool_leave_on_new_owner")
