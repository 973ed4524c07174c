"""Helpers for pages that htmx updates in place."""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django_htmx.http import HttpResponseClientRedirect


def render_partial(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    target: str,
    partial: str,
    status: int = 200,
) -> TemplateResponse:
    """The whole page, or only `template#partial` when htmx targets the element `target`."""
    if getattr(request, "htmx", False) and request.htmx.target == target:
        template = f"{template}#{partial}"
    return TemplateResponse(request, template, context, status=status)


def hx_trigger(response: HttpResponse, events: dict[str, Any]) -> HttpResponse:
    """Ask the page to fire client events (toasts, sibling refreshes) after the swap.

    ASCII-escaped JSON: a header holding Chinese text would reach htmx MIME-encoded and be dropped.
    """
    response["HX-Trigger"] = json.dumps(events)
    return response


def toast(response: HttpResponse, message: str, level: str = "success") -> HttpResponse:
    return hx_trigger(response, {"toast": {"message": str(message), "level": level}})


def hx_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Go to `url`: htmx is told to load it as a whole page (not swap it into the target); a plain request
    is redirected."""
    return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else redirect(url)
