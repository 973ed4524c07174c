from django.urls import path

from kehu.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.targets_view, name="list"),
    path("new/", views.target_new_view, name="new"),
    path("export/", views.targets_export_view, name="export"),
    path("<int:pk>/delete/", views.target_delete_view, name="delete"),
]
