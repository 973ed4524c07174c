from django.urls import path

from kehu.sales.statistics import views

app_name = "sales_statistics"
urlpatterns = [
    path("purchases/", views.purchases_view, name="purchases"),
    path("purchases/export/", views.purchases_export_view, name="export"),
]
