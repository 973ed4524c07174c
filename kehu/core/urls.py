from django.urls import include, path

from kehu.core import views

urlpatterns = [
    # The home page "/" (URL name "home") is the rep's workbench, from the workbench app.
    path("", include("kehu.workbench.urls")),
    path("healthz", views.health_view, name="health"),
]
