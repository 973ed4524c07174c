"""Requests carrying NUL characters are refused with a 400 before any view sees them: PostgreSQL cannot
store them in text and would answer with a server error."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"


def _has_nul(request: HttpRequest) -> bool:
    if NUL in request.path or any(
        NUL in text for key, values in request.GET.lists() for text in [key, *values]
    ):
        return True
    content_type = request.content_type or ""
    if content_type == "application/json":
        return b"\\u0000" in request.body or b"\x00" in request.body
    if content_type == "application/x-www-form-urlencoded":
        return any(NUL in text for key, values in request.POST.lists() for text in [key, *values])
    return False


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            message = _("Text may not contain NUL characters.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "field": None, "errors": {}}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)
