"""Follow-up pages: a customer's follow-ups and open plans, with a quick form to record one (htmx panel).

The customer page's "Follow-ups" tab loads the panel; every endpoint also works as a plain request.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kehu.core.exceptions import DomainError, raise_if_forbidden
from kehu.core.htmx import hx_trigger, render_partial, toast
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get
from kehu.followups import calendar, services
from kehu.followups.forms import FollowUpForm
from kehu.followups.selectors import customer_followups, plan_get, plan_list
from kehu.org.http import AuthenticatedHttpRequest
from kehu.pool.selectors import customer_get_or_pooled

PANEL_SIZE = 50
TEMPLATE = "followups/customer_followups.html"
QUICK_TEMPLATE = "followups/quick_followup.html"


def _panel(
    request: AuthenticatedHttpRequest,
    customer: Customer,
    form: FollowUpForm | None = None,
    *,
    in_scope: bool = True,
) -> TemplateResponse:
    context = {
        "customer": customer,
        "in_scope": in_scope,  # False: a pooled customer looked at before claiming it (read only)
        "form": form or FollowUpForm(customer=customer),
        "followups": customer_followups(customer=customer)[:PANEL_SIZE],
        "plans": plan_list(user=request.user, customer=customer),
        "now": timezone.now(),
        "today_end": services.end_of_today(),
    }
    return render_partial(request, TEMPLATE, context, target="followup-panel", partial="panel")


def _back(customer_pk: int) -> str:
    return reverse("customers:detail", args=[customer_pk]) + "?tab=followups"


@require_safe
@login_required
def customer_followups_view(request: AuthenticatedHttpRequest, customer_pk: int) -> TemplateResponse:
    customer, in_scope = customer_get_or_pooled(user=request.user, pk=customer_pk)
    return _panel(request, customer, in_scope=in_scope)


@require_POST
@login_required
def followup_record_view(request: AuthenticatedHttpRequest, customer_pk: int) -> HttpResponse:
    customer = customer_get(user=request.user, pk=customer_pk)
    form = FollowUpForm(request.POST, customer=customer)
    if form.is_valid():
        try:
            services.followup_record(actor=request.user, customer=customer, data=form.service_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            raise_if_forbidden(exc)
            form.add_error(None, exc.message)
        else:
            if not request.htmx:
                messages.success(request, _("Follow-up recorded."))
                return redirect(_back(customer.pk))
            return toast(_panel(request, customer), _("Follow-up recorded."))
    return _panel(request, customer, form)


def _plan_action(request: AuthenticatedHttpRequest, pk: int, service, done: str) -> HttpResponse:
    plan = plan_get(user=request.user, pk=pk)
    try:
        service(actor=request.user, plan=plan)
    except DomainError as exc:
        raise_if_forbidden(exc)
        message, level = exc.message, "error"
    else:
        message, level = done, "success"
    if not request.htmx:
        messages.add_message(request, messages.ERROR if level == "error" else messages.SUCCESS, message)
        return redirect(_back(plan.customer_id))
    return toast(_panel(request, plan.customer), message, level)


@require_POST
@login_required
def plan_complete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _plan_action(request, pk, services.plan_complete, _("Plan marked done."))


@require_POST
@login_required
def plan_cancel_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _plan_action(request, pk, services.plan_cancel, _("Plan cancelled."))


# The calendar feed -------------------------------------------------------------------------------------


@require_safe
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself: no login (calendar apps cannot sign in), the secret token is the key."""
    user = calendar.calendar_owner(token=token)
    body = calendar.calendar_ics(
        plans=calendar.calendar_plans(user=user),
        host=request.get_host().split(":")[0],
        customer_url=lambda pk: request.build_absolute_uri(reverse("customers:detail", args=[pk])),
        name=_("Kehu follow-ups · %(user)s") % {"user": user},
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


def calendar_card(request: AuthenticatedHttpRequest) -> TemplateResponse:
    """The workbench's card with the user's feed address and its buttons."""
    context = {"calendar_token": calendar.calendar_token_get(user=request.user)}
    return TemplateResponse(request, "followups/calendar_card.html#card", context)


@require_POST
@login_required
def calendar_rotate_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    calendar.calendar_token_rotate(actor=request.user)
    message = _("Your calendar address is ready. Any earlier address no longer works.")
    if not request.htmx:
        messages.success(request, message)
        return redirect("home")
    return toast(calendar_card(request), message)


@require_POST
@login_required
def calendar_revoke_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    calendar.calendar_token_revoke(actor=request.user)
    message = _("Calendar address turned off.")
    if not request.htmx:
        messages.success(request, message)
        return redirect("home")
    return toast(calendar_card(request), message)


@login_required
def followup_quick_view(request: AuthenticatedHttpRequest, customer_pk: int) -> HttpResponse:
    """The quick form of the customer list (in a dialog): GET the form, POST to record the follow-up.

    On success an htmx request gets an empty answer that closes the dialog and shows a toast; a plain
    request goes to the customer's follow-ups.
    """
    customer = customer_get(user=request.user, pk=customer_pk)
    data = request.POST if request.method == "POST" else None
    form = FollowUpForm(data, customer=customer, auto_id="id_quick_%s")
    if data is not None and form.is_valid():
        try:
            services.followup_record(actor=request.user, customer=customer, data=form.service_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            raise_if_forbidden(exc)
            form.add_error(None, exc.message)
        else:
            message = _("Follow-up recorded.")
            if not request.htmx:
                messages.success(request, message)
                return redirect(_back(customer.pk))
            events = {"toast": {"message": str(message), "level": "success"}, "closeModal": "quick-followup"}
            return hx_trigger(HttpResponse(""), events)
    context = {"customer": customer, "form": form}
    return render_partial(request, QUICK_TEMPLATE, context, target="quick-followup-body", partial="form")
