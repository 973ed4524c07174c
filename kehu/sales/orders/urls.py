from django.urls import path

from kehu.sales.orders import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list_view, name="list"),
    path("new/", views.order_create_view, name="create"),
    path("customer/<int:customer_pk>/", views.customer_purchases_view, name="customer"),
    path("<int:pk>/", views.order_detail_view, name="detail"),
    path("<int:pk>/edit/", views.order_edit_view, name="edit"),
    path("<int:pk>/<str:action>/", views.order_action_view, name="action"),
]
