from django.urls import path

from kehu.sales.payments import contract_views, views

app_name = "payments"
urlpatterns = [
    path("", views.receivables_view, name="receivables"),
    # A contract's Payments tab (loaded into the contract's page) and its forms.
    path("contracts/<int:pk>/", contract_views.contract_payments_view, name="contract"),
    path("contracts/<int:pk>/plan/", contract_views.contract_plan_view, name="plan"),
    path("contracts/<int:pk>/receipts/", contract_views.contract_receipt_view, name="receipt"),
    path(
        "contracts/<int:pk>/receipts/<int:receipt_pk>/void/",
        contract_views.receipt_void_view,
        name="receipt_void",
    ),
    path("contracts/<int:pk>/invoices/", contract_views.contract_invoice_view, name="invoice"),
    path(
        "contracts/<int:pk>/invoices/<int:invoice_pk>/void/",
        contract_views.invoice_void_view,
        name="invoice_void",
    ),
]
