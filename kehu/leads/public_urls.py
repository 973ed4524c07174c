"""The public, login-free web forms that capture leads (embeddable in a website)."""

from django.urls import path

from kehu.leads import public_views

app_name = "forms"
urlpatterns = [path("<slug:slug>/", public_views.web_form_view, name="web_form")]
