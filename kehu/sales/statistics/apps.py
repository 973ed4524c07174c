from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesStatisticsConfig(AppConfig):
    name = "kehu.sales.statistics"
    label = "sales_statistics"
    verbose_name = _("Purchase statistics")
