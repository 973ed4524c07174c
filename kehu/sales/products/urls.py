from django.urls import path

from kehu.sales.products import views

app_name = "products"
urlpatterns = [
    path("", views.product_list_view, name="list"),
    path("new/", views.product_create_view, name="create"),
    path("export.xlsx", views.product_export_view, name="export"),
    path("import/", views.product_import_view, name="import"),
    path("<int:pk>/edit/", views.product_edit_view, name="edit"),
    path("<int:pk>/deactivate/", views.product_deactivate_view, name="deactivate"),
    path("price-lists/", views.price_list_list_view, name="price_lists"),
    path("price-lists/new/", views.price_list_create_view, name="price_list_create"),
    path("price-lists/<int:pk>/", views.price_list_detail_view, name="price_list"),
    path("price-lists/<int:pk>/edit/", views.price_list_edit_view, name="price_list_edit"),
    path("price-lists/<int:pk>/items/", views.price_list_item_set_view, name="price_list_item_set"),
    path(
        "price-lists/items/<int:pk>/remove/", views.price_list_item_remove_view, name="price_list_item_remove"
    ),
]
