"""Typed requests for views."""

from django.http import HttpRequest

from kehu.org.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
