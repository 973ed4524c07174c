from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe


@require_safe
def health_view(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "errors/base_error.html",
        status=403,
        context={
            "title": _("Not allowed"),
            "icon": "bi-shield-lock",
            "message": _(
                "You do not have permission to do this. Ask your manager or an administrator "
                "if you think you should."
            ),
        },
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "errors/base_error.html",
        status=404,
        context={
            "title": _("Not found"),
            "icon": "bi-question-circle",
            "message": _("This page does not exist, or it is not shared with you."),
        },
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)
