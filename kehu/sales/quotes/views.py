"""Quote pages: the list (filters, sort), the form with its line editor, the detail page with the actions the
quote's status allows and its approval history, and the printable quotation (A4)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

from kehu.approvals.choices import RequestStatus
from kehu.approvals.selectors import approval_history
from kehu.core.activity import activity_for
from kehu.core.amount_words import rmb_upper
from kehu.core.exceptions import DomainError, FilterError, raise_if_forbidden
from kehu.core.htmx import hx_redirect, render_partial
from kehu.core.pagination import paginate
from kehu.core.params import id_param
from kehu.org.http import AuthenticatedHttpRequest
from kehu.org.models import User
from kehu.sales.opportunities.models import Opportunity
from kehu.sales.opportunities.selectors import opportunity_get
from kehu.sales.opportunities.services.opportunities import ensure_can_edit
from kehu.sales.quotes import services
from kehu.sales.quotes.choices import APPROVED_OR_SENT, QuoteStatus
from kehu.sales.quotes.filters import QuoteFilter
from kehu.sales.quotes.forms import QuoteForm, QuoteLineFormSet, line_initial, price_hints, product_choices
from kehu.sales.quotes.models import Quote
from kehu.sales.quotes.selectors import quote_get, quote_list

DETAIL_TABS = {
    "lines": _lazy("Lines and totals"),
    "approvals": _lazy("Approval history"),
    "timeline": _lazy("Timeline"),
}


def _detail_url(quote: Quote) -> str:
    return reverse("quotes:detail", args=[quote.pk])


# List ------------------------------------------------------------------------------------------------------


def _selects(params: Any) -> list[dict]:
    declared = QuoteFilter.base_filters
    selects = [
        ("status", declared["status"].label, declared["status"].extra["choices"], True),
        ("expired", _("Validity"), [("true", _("Expired")), ("false", _("Not expired"))], True),
        ("sort", declared["sort"].label, declared["sort"].extra["choices"], False),
    ]
    return [
        {"name": name, "label": label, "choices": choices, "any": any_, "current": params.get(name, "")}
        for name, label, choices, any_ in selects
    ]


@require_safe
@login_required
def quote_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        quotes = quote_list(user=request.user, filters=request.GET)
    except FilterError:
        quotes = quote_list(user=request.user)
        messages.warning(request, _("Some filters were not understood and were ignored."))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": paginate(request, quotes),
        "query": query.urlencode(),
        "selects": _selects(request.GET),
    }
    return render_partial(request, "quotes/quote_list.html", context, target="quote-table", partial="table")


# Create and edit -------------------------------------------------------------------------------------------


def _write(actor: User, form: QuoteForm, lines: Any, opportunity: Opportunity, quote: Quote | None) -> Quote:
    given = {
        "data": form.service_data(),
        "lines": lines.rows(),
        "contact": form.cleaned_data["contact"],
        "price_list": form.cleaned_data["price_list"],
    }
    if quote is None:
        return services.quote_create(actor=actor, opportunity=opportunity, **given)
    return services.quote_update(actor=actor, quote=quote, **given)


def _save(request: AuthenticatedHttpRequest, opportunity: Opportunity, quote: Quote | None) -> HttpResponse:
    kept = [line.product for line in quote.lines.all() if line.product] if quote else []
    products = product_choices(kept)
    data = request.POST if request.method == "POST" else None
    form = QuoteForm(data, opportunity=opportunity, instance=quote)
    lines = QuoteLineFormSet(
        data,
        prefix="lines",
        initial=line_initial(quote) if quote else [],
        products=products,
    )
    line_errors: list[str] = []
    if data is not None and all([form.is_valid(), lines.is_valid()]):
        try:
            quote = _write(request.user, form, lines, opportunity, quote)
        except ValidationError as exc:
            line_errors = form.add_service_errors(exc)
        except DomainError as exc:
            raise_if_forbidden(exc)
            if exc.field == "lines":
                line_errors = [exc.message]
            else:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Quote %(number)s saved.") % {"number": quote.number})
            return hx_redirect(request, _detail_url(quote))
    context = {
        "form": form,
        "lines": lines,
        "line_errors": line_errors,
        "opportunity": opportunity,
        "quote": quote,
        "price_hints": price_hints(products),
    }
    return render_partial(request, "quotes/quote_form.html", context, target="form-card", partial="form")


@login_required
@permission_required("quotes.add_quote", raise_exception=True)
def quote_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    opportunity_pk = id_param(request.GET.get("opportunity"))
    if opportunity_pk is None:
        messages.info(request, _("Open an opportunity to write a quote for it."))
        return redirect("opportunities:list")
    opportunity = opportunity_get(user=request.user, pk=opportunity_pk)
    try:
        ensure_can_edit(request.user, opportunity)
    except DomainError as exc:
        raise_if_forbidden(exc)
    return _save(request, opportunity, None)


@login_required
@permission_required("quotes.change_quote", raise_exception=True)
def quote_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    quote = quote_get(user=request.user, pk=pk)
    try:
        services.ensure_can_change(request.user, quote)
    except DomainError as exc:
        raise_if_forbidden(exc)
    if not quote.is_editable:
        messages.error(
            request,
            _("A quote that is %(status)s cannot be changed: copy it into a new draft instead.")
            % {"status": quote.get_status_display().lower()},
        )
        return hx_redirect(request, _detail_url(quote))
    return _save(request, quote.opportunity, quote)


# Detail ----------------------------------------------------------------------------------------------------


def _edits_opportunity(user: User, quote: Quote) -> bool:
    try:
        ensure_can_edit(user, quote.opportunity)
    except DomainError:
        return False
    return True


def _actions(user: User, quote: Quote, approvals: list, edits: bool) -> dict[str, bool]:
    """What the user may do to the quote in its status (the services decide again on each request).
    `edits`: the user may edit the quote's opportunity."""
    may_change = edits and user.has_perm("quotes.change_quote")
    pending = next((a for a in approvals if a.status == RequestStatus.PENDING), None)
    editable = may_change and quote.is_editable
    closable = may_change and quote.status in APPROVED_OR_SENT
    return {
        "edit": editable,
        "submit": editable,
        "withdraw": pending is not None and pending.submitter_id == user.pk and may_change,
        "send": may_change and quote.status == QuoteStatus.APPROVED and not quote.is_expired(),
        "accept": closable and not quote.is_expired(),
        "decline": closable,
        "copy": edits and user.has_perm("quotes.add_quote"),
        "delete": (
            quote.status == QuoteStatus.DRAFT
            and not approvals
            and edits
            and user.has_perm("quotes.delete_quote")
        ),
    }


@require_safe
@login_required
def quote_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    quote = quote_get(user=request.user, pk=pk)
    tab = request.GET.get("tab") if request.GET.get("tab") in DETAIL_TABS else "lines"
    approvals = list(approval_history(document=quote, newest_first=True))
    edits = _edits_opportunity(request.user, quote)
    context: dict[str, Any] = {
        "quote": quote,
        "tab": tab,
        "tabs": list(DETAIL_TABS.items()),
        "approvals": approvals,
        "actions": _actions(request.user, quote, approvals, edits),
        "sees_opportunity": edits or Quote.objects.visible_to(request.user).filter(pk=quote.pk).exists(),
    }
    if tab == "timeline":
        context["timeline"] = activity_for(quote)[:100]
    return render_partial(request, "quotes/quote_detail.html", context, target="quote-tab", partial="tab")


# Actions ---------------------------------------------------------------------------------------------------

Outcome = tuple[str, str]  # (where to go, what happened)


def _submit(request: AuthenticatedHttpRequest, quote: Quote) -> Outcome:
    quote = services.quote_submit(actor=request.user, quote=quote)
    if quote.status == QuoteStatus.APPROVED:
        done = _("Quote %(number)s approved at once: it needs no further approval.")
    else:
        done = _("Quote %(number)s submitted: waiting for approval.")
    return _detail_url(quote), done % {"number": quote.number}


def _withdraw(request: AuthenticatedHttpRequest, quote: Quote) -> Outcome:
    services.quote_withdraw(actor=request.user, quote=quote)
    done = _("Quote %(number)s withdrawn: it is a draft again.") % {"number": quote.number}
    return _detail_url(quote), done


def _send(request: AuthenticatedHttpRequest, quote: Quote) -> Outcome:
    services.quote_mark_sent(actor=request.user, quote=quote)
    return _detail_url(quote), _("Quote %(number)s marked as sent.") % {"number": quote.number}


def _accept(request: AuthenticatedHttpRequest, quote: Quote) -> Outcome:
    services.quote_mark_accepted(actor=request.user, quote=quote)
    return _detail_url(quote), _("Quote %(number)s marked as accepted by the customer.") % {
        "number": quote.number
    }


def _decline(request: AuthenticatedHttpRequest, quote: Quote) -> Outcome:
    services.quote_mark_declined(actor=request.user, quote=quote, reason=request.POST.get("reason", ""))
    return _detail_url(quote), _("Quote %(number)s marked as declined by the customer.") % {
        "number": quote.number
    }


def _copy(request: AuthenticatedHttpRequest, quote: Quote) -> Outcome:
    copy = services.quote_copy(actor=request.user, quote=quote)
    done = _("Quote %(number)s copied into the new draft %(copy)s.") % {
        "number": quote.number,
        "copy": copy.number,
    }
    return _detail_url(copy), done


def _delete(request: AuthenticatedHttpRequest, quote: Quote) -> Outcome:
    number, opportunity_id = quote.number, quote.opportunity_id
    services.quote_delete(actor=request.user, quote=quote)
    back = reverse("opportunities:detail", args=[opportunity_id]) + "?tab=quotes"
    return back, _("Draft quote %(number)s deleted.") % {"number": number}


ACTIONS: dict[str, Callable[[AuthenticatedHttpRequest, Quote], Outcome]] = {
    "submit": _submit,
    "withdraw": _withdraw,
    "send": _send,
    "accept": _accept,
    "decline": _decline,
    "copy": _copy,
    "delete": _delete,
}


@require_POST
@login_required
def quote_action_view(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """One of the detail page's buttons; the outcome is reported as a message."""
    run = ACTIONS.get(action)
    if run is None:
        raise Http404
    quote = quote_get(user=request.user, pk=pk)
    try:
        url, done = run(request, quote)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        raise_if_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
        return hx_redirect(request, url)
    return hx_redirect(request, _detail_url(quote))


# Print -----------------------------------------------------------------------------------------------------


def _money(value: Decimal) -> str:
    """Two decimals with thousands separators, whatever the language (zh-hans groups nothing)."""
    return f"{value:,.2f}"


def _print_context(quote: Quote, language: str) -> dict[str, Any]:
    lines = [
        {
            "line": line,
            "unit_price": _money(line.unit_price),
            "list_price": _money(line.list_price),
            "amount": _money(line.amount),
        }
        for line in quote.lines.all()
    ]
    totals = [(_("Subtotal"), _money(quote.subtotal))]
    if quote.discount_amount:
        percent = f"{quote.discount_percent.normalize():f}"
        label = _("Total discount (%(percent)s%%)") % {"percent": percent}
        totals.append((label, _money(-quote.discount_amount)))
    totals += [(_("Amount before tax"), _money(quote.net_amount)), (_("Tax"), _money(quote.tax_amount))]
    return {
        "quote": quote,
        "valid_offer": quote.status in (QuoteStatus.APPROVED, QuoteStatus.SENT, QuoteStatus.ACCEPTED),
        "language": language,
        "seller": {
            "name": settings.KEHU_COMPANY_NAME,
            "address": settings.KEHU_COMPANY_ADDRESS,
            "phone": settings.KEHU_COMPANY_PHONE,
        },
        "rep": quote.opportunity.owner or quote.created_by,
        "lines": lines,
        "totals": totals,
        "total": _money(quote.total),
        "total_upper": rmb_upper(quote.total) if language == "zh-hans" and quote.currency == "CNY" else "",
        "languages": settings.LANGUAGES,
    }


@require_safe
@login_required
def quote_print_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    quote = quote_get(user=request.user, pk=pk)
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    with translation.override(language):
        response = render(request, "quotes/quote_print.html", _print_context(quote, language))
    response["Content-Language"] = language
    return response
