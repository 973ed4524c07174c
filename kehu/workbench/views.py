"""The workbench (工作台), the home page: the rep's day, and a follow-up recorded right from a plan."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import reswap, retarget

from kehu.core.exceptions import DomainError, raise_if_forbidden
from kehu.core.htmx import render_partial, toast
from kehu.followups.calendar import calendar_token_get
from kehu.followups.forms import FollowUpForm
from kehu.followups.models import FollowUpPlan
from kehu.followups.services import followup_record
from kehu.org.http import AuthenticatedHttpRequest
from kehu.workbench.selectors import my_open_plans, plans_overdue, plans_today, workbench_get

TEMPLATE = "workbench/workbench.html"
RECORD_TEMPLATE = "workbench/plan_record.html"


@require_safe
@login_required
def workbench_view(request: AuthenticatedHttpRequest) -> TemplateResponse:
    now = timezone.now()
    context = {
        "wb": workbench_get(user=request.user, now=now),
        "now": now,
        "calendar_token": calendar_token_get(user=request.user),
    }
    return render_partial(request, TEMPLATE, context, target="workbench-plans", partial="plans")


def _plans_fragment(request: AuthenticatedHttpRequest, message: str, level: str = "success") -> HttpResponse:
    """Today's and overdue plans, re-read, swapped over the old ones wherever the request came from."""
    now = timezone.now()
    context = {
        "wb": {
            "today": plans_today(user=request.user, now=now),
            "overdue": plans_overdue(user=request.user, now=now),
        },
        "now": now,
    }
    response = TemplateResponse(request, f"{TEMPLATE}#plans", context)
    return toast(reswap(retarget(response, "#workbench-plans"), "outerHTML"), message, level)


def _form(plan: FollowUpPlan, data=None) -> FollowUpForm:
    return FollowUpForm(data, customer=plan.customer, auto_id=f"id_plan{plan.pk}_%s")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def plan_record_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: the quick follow-up form for one of my open plans; POST: record it, which fulfils the plan."""
    plan = my_open_plans(user=request.user).filter(pk=pk).first()
    if plan is None:
        if request.htmx and request.method == "POST":
            return _plans_fragment(request, _("This plan is no longer open."), "warning")
        raise Http404
    form = _form(plan, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            followup_record(actor=request.user, customer=plan.customer, data=form.service_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            raise_if_forbidden(exc)
            form.add_error(None, exc.message)
        else:
            if not request.htmx:
                messages.success(request, _("Follow-up recorded."))
                return redirect("home")
            return _plans_fragment(request, _("Follow-up recorded."))
    context = {"plan": plan, "form": form}
    return render_partial(request, RECORD_TEMPLATE, context, target=f"plan-{plan.pk}-form", partial="form")
