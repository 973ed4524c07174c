from django.urls import path

from kehu.sales.contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list_view, name="list"),
    path("new/", views.contract_create_view, name="create"),
    path("<int:pk>/", views.contract_detail_view, name="detail"),
    path("<int:pk>/edit/", views.contract_edit_view, name="edit"),
    path("<int:pk>/amend/", views.contract_amend_view, name="amend"),
    path("<int:pk>/attachments/", views.contract_attach_view, name="attach"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.contract_attachment_view, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_pk>/delete/", views.contract_detach_view, name="detach"),
    path("<int:pk>/<str:action>/", views.contract_action_view, name="action"),
]
