"""Handover pages, mounted at /handovers/ in kehu/urls.py."""

from django.urls import path

from kehu.pool import handover_views as views

app_name = "handovers"
urlpatterns = [
    path("", views.handover_list_view, name="list"),
    path("new/", views.handover_new_view, name="new"),
    path("new/preview/", views.handover_preview_view, name="preview"),
    path("<int:pk>/", views.handover_detail_view, name="detail"),
]
