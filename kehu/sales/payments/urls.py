from django.urls import path

from kehu.sales.payments import views

app_name = "payments"
urlpatterns = [path("", views.receivables_view, name="receivables")]
