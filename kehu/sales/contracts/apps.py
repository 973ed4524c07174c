from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "kehu.sales.contracts"
    label = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from kehu.customers.signals import owner_changed
        from kehu.sales.contracts import approval
        from kehu.sales.contracts.services import contracts_follow_new_owner

        approval.register()
        owner_changed.connect(contracts_follow_new_owner, dispatch_uid="contracts.contracts_follow_new_owner")
