"""The customer page's "Deals" tab: the customer's opportunities, quotes and contracts that the viewer may
see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from kehu.org.http import AuthenticatedHttpRequest
from kehu.pool.selectors import customer_get_or_pooled
from kehu.sales.contracts.selectors import contract_list
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.selectors import opportunity_list
from kehu.sales.quotes.selectors import quote_list

ROWS = 50


@require_safe
@login_required
def customer_deals_view(request: AuthenticatedHttpRequest, customer_pk: int) -> TemplateResponse:
    customer, in_scope = customer_get_or_pooled(user=request.user, pk=customer_pk)
    opportunities = opportunity_list(user=request.user, filters={"customer": customer.pk})
    totals = opportunities.filter(status=OpportunityStatus.OPEN).aggregate(
        count=Count("id"), amount=Sum("amount"), weighted=Sum("weighted_amount")
    )
    quotes = (
        quote_list(user=request.user, filters={"customer": customer.pk})
        if request.user.has_perm("quotes.view_quote")
        else None
    )
    contracts = (
        contract_list(user=request.user, filters={"customer": customer.pk})
        if request.user.has_perm("contracts.view_contract")
        else None
    )
    context = {
        "customer": customer,
        "in_scope": in_scope,
        "opportunities": opportunities[:ROWS],
        "open_totals": totals,
        "quotes": quotes[:ROWS] if quotes is not None else None,
        "contracts": contracts[:ROWS] if contracts is not None else None,
        "can_add_contract": in_scope and request.user.has_perm("contracts.add_contract"),
    }
    return TemplateResponse(request, "opportunities/customer_panel.html", context)
