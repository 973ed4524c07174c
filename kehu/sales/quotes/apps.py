from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotesConfig(AppConfig):
    name = "kehu.sales.quotes"
    label = "quotes"
    verbose_name = _("Quotes")

    def ready(self) -> None:
        from kehu.sales.quotes import approval

        approval.register()
