"""What every API router shares: session authentication, pagination, and one mapping of errors to JSON.

Every error answer has the same shape, so a client needs one code path:
    {"detail": "<a sentence>", "field": "<the input at fault, or null>", "errors": {field: [messages]}}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.security import APIKeyCookie
from ninja.utils import check_csrf
from pydantic import BeforeValidator

from kehu.core.exceptions import DomainError

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_ID = 2**63 - 1  # the largest id a database column holds: larger ones are refused with 422, not a 500
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# Money, quantities and percentages in answers: a decimal string with two places ("120000.00"), never a float.
DecimalText = Annotated[str, BeforeValidator(lambda value: f"{Decimal(value):.2f}")]
# Where ninja says a bad value came from; the client only needs the field's own name.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
# The endpoints' parameter names for schemas (payload: Schema, filters: Query[Schema]) and ninja's pagination.
_OPERATION_PARAMS = {"payload", "filters", "pagination"}


class SessionAuth(APIKeyCookie):
    """The browser's login session. Unsafe methods must carry the CSRF token (header X-CSRFToken).

    Unlike ninja's own SessionAuth, a request without a session answers 401, not a CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not (user.is_authenticated and user.is_active):
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header, or use a bearer token."))
        return user

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=` → {"items": [...], "count": N}. A limit above MAX_PAGE_SIZE is reduced to it."""

    class Input(Schema):
        limit: int = Field(PAGE_SIZE, ge=1, description=f"Page size, at most {MAX_PAGE_SIZE}.")
        offset: int = Field(0, ge=0, le=MAX_ID, description="How many records to skip.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    detail: str,
    field: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
) -> HttpResponse:
    body = {"detail": str(detail), "field": field, "errors": dict(errors or {})}
    return api.create_response(request, body, status=status)


def _field_errors_response(
    api: NinjaAPI, request: HttpRequest, errors: Mapping[str, list[str]]
) -> HttpResponse:
    """400 for {field: [messages]}; the first field with a message is the one named."""
    errors = {k: [str(m) for m in v] for k, v in errors.items() if v}
    field, messages = next(iter(errors.items()), (None, [_("The request is not valid.")]))
    return error_response(
        api, request, 400, messages[0], None if field == NON_FIELD_ERRORS else field, errors
    )


def _field_path(loc: Iterable[Any], param_names: set[str]) -> str:
    """("body", "payload", "tags", 3) → "tags.3"; ("query", "limit") → "limit"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in param_names:
        parts = parts[1:]
    return ".".join(parts) or NON_FIELD_ERRORS


def _request_errors(exc: NinjaValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        field = _field_path(error.get("loc", ()), _OPERATION_PARAMS)
        errors.setdefault(field, []).append(str(error.get("msg", _("Invalid value."))))
    return errors


def install_error_handlers(api: NinjaAPI) -> None:
    """Map service, selector and framework errors to JSON, in this one place."""

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            return _field_errors_response(api, request, exc.message_dict)
        return _field_errors_response(api, request, {NON_FIELD_ERRORS: exc.messages})

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        errors = {exc.field: [exc.message]} if exc.field else {}
        return error_response(api, request, exc.status_code, exc.message, exc.field, errors)

    @api.exception_handler(NinjaValidationError)
    def request_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = _request_errors(exc)
        field, messages = next(iter(errors.items()), (NON_FIELD_ERRORS, [_("The request is not valid.")]))
        named = None if field == NON_FIELD_ERRORS else field
        detail = f"{named}: {messages[0]}" if named else messages[0]
        return error_response(api, request, 422, detail, named, errors)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, _("Not found."))

    @api.exception_handler(PermissionDenied)
    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(api, request, 403, _("You do not have permission to do this."))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        detail = _("Authentication required: send “Authorization: Bearer <token>” or log in.")
        response = error_response(api, request, 401, detail)
        response["WWW-Authenticate"] = 'Bearer realm="kehu"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(api, request, exc.status_code, exc.message)
