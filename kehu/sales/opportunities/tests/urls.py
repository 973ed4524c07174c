"""The API under test, until kehu/api.py mounts the opportunities router: the same authentication and
error handlers as the site's API, at the same paths."""

from django.urls import path
from ninja import NinjaAPI

from kehu.core.api import SessionAuth, install_error_handlers
from kehu.org.api import ApiTokenAuth
from kehu.sales.opportunities.api import router

api = NinjaAPI(urls_namespace="opportunities_test_api", auth=[ApiTokenAuth(), SessionAuth()], docs_url=None)
install_error_handlers(api)
api.add_router("/", router)

urlpatterns = [path("api/v1/", api.urls)]
