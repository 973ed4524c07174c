from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesStatisticsConfig(AppConfig):
    name = "kehu.sales.statistics"
    label = "sales_statistics"
    verbose_name = _("Purchase statistics")

    def ready(self) -> None:
        from kehu.sales.orders.signals import purchases_changed
        from kehu.sales.statistics.rollup import purchases_changed_receiver

        purchases_changed.connect(
            purchases_changed_receiver, dispatch_uid="sales_statistics.rollup_invalidate"
        )
