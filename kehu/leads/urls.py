from django.urls import path

from kehu.leads import import_views, views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list_view, name="list"),
    path("new/", views.lead_create_view, name="create"),
    path("assign/", views.lead_assign_view, name="assign"),
    path("report/", views.lead_report_view, name="report"),
    path("<int:pk>/", views.lead_detail_view, name="detail"),
    path("<int:pk>/edit/", views.lead_edit_view, name="edit"),
    path("<int:pk>/claim/", views.lead_claim_view, name="claim"),
    path("<int:pk>/status/", views.lead_status_view, name="status"),
    path("<int:pk>/invalidate/", views.lead_invalidate_view, name="invalidate"),
    path("<int:pk>/convert/", views.lead_convert_view, name="convert"),
    path("rules/", views.rule_list_view, name="rules"),
    path("rules/new/", views.rule_create_view, name="rule_create"),
    path("rules/<int:pk>/", views.rule_edit_view, name="rule_edit"),
    path("rules/<int:pk>/preview/", views.rule_preview_view, name="rule_preview"),
    path("imports/", import_views.import_list_view, name="imports"),
    path("imports/new/", import_views.import_upload_view, name="import_upload"),
    path("imports/<int:pk>/", import_views.import_detail_view, name="import_detail"),
    path("imports/<int:pk>/progress/", import_views.import_progress_view, name="import_progress"),
    path("imports/<int:pk>/errors.xlsx", import_views.import_errors_view, name="import_errors"),
]
