from django.urls import path

from kehu.pool import views

app_name = "pool"
urlpatterns = [
    path("", views.pool_list_view, name="list"),
    path("new/", views.pool_create_view, name="create"),
    path("<int:pk>/", views.pool_detail_view, name="detail"),
    path("<int:pk>/claim/", views.pool_claim_view, name="claim"),
    path("<int:pk>/assign/", views.pool_assign_view, name="assign"),
    path("<int:pk>/move/", views.pool_move_view, name="move"),
    path("<int:pk>/settings/", views.pool_settings_view, name="settings"),
    path("<int:pk>/preview/", views.pool_preview_view, name="preview"),
    path("<int:pk>/reclaim/", views.pool_reclaim_view, name="reclaim"),
    path("customers/<int:customer_pk>/claim/", views.customer_claim_view, name="customer_claim"),
    path("customers/<int:customer_pk>/assign/", views.customer_assign_view, name="customer_assign"),
    path("customers/<int:customer_pk>/release/", views.customer_release_view, name="customer_release"),
    path("customers/<int:customer_pk>/lock/", views.customer_lock_view, name="customer_lock"),
]
