"""The home page "/" (URL name `home`) is the workbench; its own endpoints sit under /workbench/."""

from django.urls import include, path

from kehu.workbench import views

workbench_patterns = (
    [path("plans/<int:pk>/record/", views.plan_record_view, name="plan_record")],
    "workbench",
)

urlpatterns = [
    path("", views.workbench_view, name="home"),
    path("workbench/", include(workbench_patterns)),
]
