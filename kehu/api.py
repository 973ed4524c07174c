"""The single NinjaAPI; each app adds its router here."""

from ninja import NinjaAPI

api = NinjaAPI(title="Kehu CRM API", version="1", urls_namespace="api")
