from django.contrib import admin
from django.urls import include, path

from kehu.api import api

urlpatterns = [
    path("", include("kehu.core.urls")),
    path("", include("kehu.org.urls")),
    path("customers/", include("kehu.customers.urls")),
    path("leads/", include("kehu.leads.urls")),
    path("followups/", include("kehu.followups.urls")),
    path("pool/", include("kehu.pool.urls")),
    path("handovers/", include("kehu.pool.handover_urls")),
    path("approvals/", include("kehu.approvals.urls")),
    path("products/", include("kehu.sales.products.urls")),
    path("opportunities/", include("kehu.sales.opportunities.urls")),
    path("quotes/", include("kehu.sales.quotes.urls")),
    path("contracts/", include("kehu.sales.contracts.urls")),
    path("orders/", include("kehu.sales.orders.urls")),
    path("receivables/", include("kehu.sales.payments.urls")),
    path("reports/", include("kehu.sales.statistics.urls")),
    path("targets/", include("kehu.targets.urls")),
    path("reports/", include("kehu.analytics.urls")),
    path("forms/", include("kehu.leads.public_urls")),
    path("notifications/", include("kehu.notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler403 = "kehu.core.views.permission_denied"
handler404 = "kehu.core.views.page_not_found"
handler500 = "kehu.core.views.server_error"
