from django.urls import path

from kehu.followups import views

app_name = "followups"
urlpatterns = [
    path("customer/<int:customer_pk>/", views.customer_followups_view, name="customer"),
    path("customer/<int:customer_pk>/record/", views.followup_record_view, name="record"),
    path("customer/<int:customer_pk>/quick/", views.followup_quick_view, name="quick"),
    path("plans/<int:pk>/complete/", views.plan_complete_view, name="plan_complete"),
    path("plans/<int:pk>/cancel/", views.plan_cancel_view, name="plan_cancel"),
    path("calendar/<str:token>.ics", views.calendar_feed_view, name="calendar_feed"),
    path("calendar/rotate/", views.calendar_rotate_view, name="calendar_rotate"),
    path("calendar/revoke/", views.calendar_revoke_view, name="calendar_revoke"),
]
