from django.urls import path

from kehu.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list_view, name="list"),
    path("read/", views.notification_mark_read_view, name="mark_read"),
    path("badge/", views.notification_badge_view, name="badge"),
    path("<int:pk>/open/", views.notification_open_view, name="open"),
]
