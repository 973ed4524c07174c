"""The site's URLs with the products router mounted, for the API tests until kehu/api.py mounts it."""

from django.urls import path
from ninja import NinjaAPI

from kehu.api import api as site_api
from kehu.core.api import SessionAuth, install_error_handlers
from kehu.org.api import ApiTokenAuth
from kehu.sales.products.api import router
from kehu.urls import urlpatterns as site_urlpatterns

api = NinjaAPI(urls_namespace="products-test-api", auth=[ApiTokenAuth(), SessionAuth()])
install_error_handlers(api)
api.add_router("/", router)

_mounted = any(r is router for _prefix, r in site_api._routers)
urlpatterns = site_urlpatterns if _mounted else [path("api/v1/", api.urls), *site_urlpatterns]
