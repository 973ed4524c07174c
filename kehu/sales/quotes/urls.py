from django.urls import path

from kehu.sales.quotes import views

app_name = "quotes"
urlpatterns = [
    path("", views.quote_list_view, name="list"),
    path("new/", views.quote_create_view, name="create"),
    path("<int:pk>/", views.quote_detail_view, name="detail"),
    path("<int:pk>/edit/", views.quote_edit_view, name="edit"),
    path("<int:pk>/print/", views.quote_print_view, name="print"),
    path("<int:pk>/<str:action>/", views.quote_action_view, name="action"),
]
