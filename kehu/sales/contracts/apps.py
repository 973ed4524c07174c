from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "kehu.sales.contracts"
    label = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from kehu.sales.contracts import approval

        approval.register()
