"""Handover pages: the past handovers, the form with its dry-run preview, and one handover's summary."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kehu.core.exceptions import DomainError, raise_if_forbidden
from kehu.core.htmx import hx_redirect, render_partial
from kehu.core.pagination import paginate
from kehu.org.http import AuthenticatedHttpRequest
from kehu.pool.handover import PERM, handover_get, handover_list, handover_preview, handover_run
from kehu.pool.handover_forms import HandoverForm

FORM = "handovers/handover_form.html"


def _refused(form: HandoverForm, exc: DomainError) -> None:
    raise_if_forbidden(exc)
    form.add_service_errors(exc)


@require_safe
@login_required
@permission_required(PERM, raise_exception=True)
def handover_list_view(request: AuthenticatedHttpRequest) -> TemplateResponse:
    page = paginate(request, handover_list(user=request.user))
    return TemplateResponse(request, "handovers/handover_list.html", {"page": page})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required(PERM, raise_exception=True)
def handover_new_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The form; a POST (the preview's Confirm) hands the book over and shows the summary."""
    form = HandoverForm(
        request.POST or None, actor=request.user, initial={"from_user": request.GET.get("user")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            done = handover_run(
                actor=request.user,
                **form.service_arguments(),
                deactivate=form.cleaned_data["deactivate"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("%(user)s's book was handed over.") % {"user": done.from_user})
            return hx_redirect(request, reverse("handovers:detail", args=[done.pk]))
    return TemplateResponse(request, FORM, {"form": form})


@require_POST
@login_required
@permission_required(PERM, raise_exception=True)
def handover_preview_view(request: AuthenticatedHttpRequest) -> TemplateResponse:
    """What would move, nothing changed; htmx gets the preview panel, a plain request the page."""
    form = HandoverForm(request.POST, actor=request.user)
    preview = None
    if form.is_valid():
        try:
            preview = handover_preview(actor=request.user, **form.service_arguments())
        except DomainError as exc:
            _refused(form, exc)
    return render_partial(
        request, FORM, {"form": form, "preview": preview}, target="handover-preview", partial="preview"
    )


@require_safe
@login_required
@permission_required(PERM, raise_exception=True)
def handover_detail_view(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    return TemplateResponse(
        request, "handovers/handover_detail.html", {"handover": handover_get(user=request.user, pk=pk)}
    )
