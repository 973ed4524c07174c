from django.urls import path

from kehu.analytics import views

app_name = "analytics"
urlpatterns = [
    path("funnel/", views.funnel_view, name="funnel"),
    path("funnel/export/", views.funnel_export_view, name="funnel_export"),
    path("funnel/stages/<int:stage_id>/", views.funnel_stage_view, name="funnel_stage"),
]
