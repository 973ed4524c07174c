from django.contrib.auth import views as auth_views
from django.urls import path

from kehu.org import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]
