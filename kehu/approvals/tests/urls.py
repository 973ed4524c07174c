"""The approvals router on an API of its own, until kehu/api.py mounts it (then the site's URLs serve)."""

from django.urls import path
from ninja import NinjaAPI

from kehu.approvals.api import router
from kehu.core.api import SessionAuth, install_error_handlers
from kehu.org.api import ApiTokenAuth

api = NinjaAPI(urls_namespace="approvals-test-api", auth=[ApiTokenAuth(), SessionAuth()])
install_error_handlers(api)
api.add_router("/", router)

urlpatterns = [path("api/v1/", api.urls)]
