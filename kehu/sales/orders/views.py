"""Order pages: the list (filters, sort), the form with its line editor, the detail page with the actions the
order's status allows, and the customer page's "Purchases" tab."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

from kehu.core.activity import activity_for
from kehu.core.exceptions import DomainError, FilterError, raise_if_forbidden
from kehu.core.htmx import hx_redirect, render_partial
from kehu.core.pagination import paginate
from kehu.core.params import id_param
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get
from kehu.org.http import AuthenticatedHttpRequest
from kehu.org.models import User
from kehu.pool.selectors import customer_get_or_pooled
from kehu.sales.contracts.models import Contract
from kehu.sales.contracts.selectors import contract_get, contracts_signed_for_customer
from kehu.sales.orders import services
from kehu.sales.orders.choices import OrderStatus
from kehu.sales.orders.filters import OrderFilter
from kehu.sales.orders.forms import (
    OrderForm,
    OrderLineFormSet,
    line_initial,
    product_choices,
)
from kehu.sales.orders.models import Order
from kehu.sales.orders.selectors import customer_purchases, order_get, order_list
from kehu.sales.payments.selectors import customer_outstanding
from kehu.sales.products.widgets import price_hints

DETAIL_TABS = {"lines": _lazy("Lines and totals"), "timeline": _lazy("Timeline")}
PANEL_ROWS = 20


def _detail_url(order: Order) -> str:
    return reverse("orders:detail", args=[order.pk])


# List ------------------------------------------------------------------------------------------------------


def _selects(params: Any) -> list[dict]:
    declared = OrderFilter.base_filters
    selects = [
        ("status", declared["status"].label, declared["status"].extra["choices"], True),
        ("sort", declared["sort"].label, declared["sort"].extra["choices"], False),
    ]
    return [
        {"name": name, "label": label, "choices": choices, "any": any_, "current": params.get(name, "")}
        for name, label, choices, any_ in selects
    ]


@require_safe
@login_required
@permission_required("orders.view_order", raise_exception=True)
def order_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        orders = order_list(user=request.user, filters=request.GET)
    except FilterError:
        orders = order_list(user=request.user)
        messages.warning(request, _("Some filters were not understood and were ignored."))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": paginate(request, orders),
        "query": query.urlencode(),
        "selects": _selects(request.GET),
    }
    return render_partial(request, "orders/order_list.html", context, target="order-table", partial="table")


# Create and edit -------------------------------------------------------------------------------------------


def _write(actor: User, form: OrderForm, lines: Any, customer: Customer, order: Order | None) -> Order:
    if order is None:
        return services.order_create(
            actor=actor, customer=customer, data=form.service_data(), lines=lines.rows()
        )
    return services.order_update(actor=actor, order=order, data=form.service_data(), lines=lines.rows())


def _contract_choices(user: User, customer: Customer, order: Order | None) -> list[tuple[int, str]] | None:
    if not user.has_perm("contracts.view_contract"):
        return None
    signed = contracts_signed_for_customer(user=user, customer_id=customer.pk)
    choices = [(c.pk, f"{c.number} {c.title}") for c in signed]
    if order is not None and order.contract_id and order.contract_id not in dict(choices):
        choices.insert(0, (order.contract_id, order.contract.number))
    return choices


def _save(
    request: AuthenticatedHttpRequest,
    customer: Customer,
    order: Order | None,
    contract: Contract | None = None,
) -> HttpResponse:
    """The order form; a new order from `contract` starts with its lines and is linked to it."""
    source = order or contract
    initial_lines = line_initial(source.lines.all()) if source else []
    kept = [line.product for line in order.lines.all() if line.product] if order else []
    products = product_choices(kept)
    data = request.POST if request.method == "POST" else None
    form = OrderForm(
        data,
        instance=order,
        contracts=_contract_choices(request.user, customer, order),
        initial={"contract": contract.pk} if contract else None,
    )
    lines = OrderLineFormSet(data, prefix="lines", initial=initial_lines, products=products)
    line_errors: list[str] = []
    if data is not None and all([form.is_valid(), lines.is_valid()]):
        try:
            order = _write(request.user, form, lines, customer, order)
        except ValidationError as exc:
            line_errors = form.add_service_errors(exc)
        except DomainError as exc:
            raise_if_forbidden(exc)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Order %(number)s saved.") % {"number": order.number})
            return hx_redirect(request, _detail_url(order))
    context = {
        "form": form,
        "lines": lines,
        "line_errors": line_errors,
        "customer": customer,
        "order": order,
        "price_hints": price_hints(products),
    }
    return render_partial(request, "orders/order_form.html", context, target="form-card", partial="form")


@login_required
@permission_required("orders.add_order", raise_exception=True)
def order_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if contract_pk := id_param(request.GET.get("contract")):
        contract = contract_get(user=request.user, pk=contract_pk)
        return _save(request, contract.customer, None, contract)
    customer_pk = id_param(request.GET.get("customer"))
    if customer_pk is None:
        messages.info(request, _("Open a customer to write an order for it."))
        return redirect("customers:list")
    return _save(request, customer_get(user=request.user, pk=customer_pk), None)


@login_required
@permission_required("orders.change_order", raise_exception=True)
def order_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    order = order_get(user=request.user, pk=pk)
    if not order.is_editable:
        messages.error(
            request,
            _("An order that is %(status)s cannot be changed.")
            % {"status": order.get_status_display().lower()},
        )
        return hx_redirect(request, _detail_url(order))
    return _save(request, order.customer, order)


# Detail ----------------------------------------------------------------------------------------------------


def _actions(user: User, order: Order) -> dict[str, bool]:
    """What the user may do to the order in its status (the services decide again on each request). The
    order is in the user's scope: order_get found it."""
    change = user.has_perm("orders.change_order")
    status = order.status
    return {
        "edit": change and order.is_editable,
        "confirm": change and status == OrderStatus.DRAFT,
        "ship": change and status == OrderStatus.CONFIRMED,
        "complete": change and status in (OrderStatus.CONFIRMED, OrderStatus.SHIPPED),
        "cancel": change and status in (OrderStatus.DRAFT, OrderStatus.CONFIRMED, OrderStatus.SHIPPED),
        "delete": status == OrderStatus.DRAFT and user.has_perm("orders.delete_order"),
    }


@require_safe
@login_required
def order_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    order = order_get(user=request.user, pk=pk)
    tab = request.GET.get("tab") if request.GET.get("tab") in DETAIL_TABS else "lines"
    context: dict[str, Any] = {
        "order": order,
        "tab": tab,
        "tabs": list(DETAIL_TABS.items()),
        "actions": _actions(request.user, order),
    }
    if tab == "timeline":
        context["timeline"] = activity_for(order)[:100]
    return render_partial(request, "orders/order_detail.html", context, target="order-tab", partial="tab")


# Actions ---------------------------------------------------------------------------------------------------

Outcome = tuple[str, str]  # (where to go, what happened)


def _confirm(request: AuthenticatedHttpRequest, order: Order) -> Outcome:
    services.order_confirm(actor=request.user, order=order)
    return _detail_url(order), _("Order %(number)s confirmed.") % {"number": order.number}


def _ship(request: AuthenticatedHttpRequest, order: Order) -> Outcome:
    services.order_ship(actor=request.user, order=order)
    return _detail_url(order), _("Order %(number)s marked as shipped.") % {"number": order.number}


def _complete(request: AuthenticatedHttpRequest, order: Order) -> Outcome:
    services.order_complete(actor=request.user, order=order)
    return _detail_url(order), _("Order %(number)s completed.") % {"number": order.number}


def _cancel(request: AuthenticatedHttpRequest, order: Order) -> Outcome:
    services.order_cancel(actor=request.user, order=order, reason=request.POST.get("reason", ""))
    return _detail_url(order), _("Order %(number)s cancelled.") % {"number": order.number}


def _delete(request: AuthenticatedHttpRequest, order: Order) -> Outcome:
    services.order_delete(actor=request.user, order=order)
    back = reverse("customers:detail", args=[order.customer_id]) + "?tab=purchases"
    return back, _("Draft order %(number)s deleted.") % {"number": order.number}


ACTIONS: dict[str, Callable[[AuthenticatedHttpRequest, Order], Outcome]] = {
    "confirm": _confirm,
    "ship": _ship,
    "complete": _complete,
    "cancel": _cancel,
    "delete": _delete,
}


@require_POST
@login_required
def order_action_view(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """One of the detail page's buttons; the outcome is reported as a message."""
    run = ACTIONS.get(action)
    if run is None:
        raise Http404
    order = order_get(user=request.user, pk=pk)
    try:
        url, done = run(request, order)
    except DomainError as exc:
        raise_if_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
        return hx_redirect(request, url)
    return hx_redirect(request, _detail_url(order))


# The customer page's Purchases tab ----------------------------------------------------------------------


@require_safe
@login_required
def customer_purchases_view(request: AuthenticatedHttpRequest, customer_pk: int) -> TemplateResponse:
    """Count, amount, gross profit, last purchase, products bought and the latest orders that the viewer
    may see; a "New order" button when the viewer may write orders for this customer."""
    customer, in_scope = customer_get_or_pooled(user=request.user, pk=customer_pk)
    sees = request.user.has_perm("orders.view_order")
    context = {
        "customer": customer,
        "sees": sees,
        "purchases": customer_purchases(customer, user=request.user) if sees else None,
        "orders": order_list(user=request.user, filters={"customer": customer.pk})[:PANEL_ROWS]
        if sees
        else [],
        "can_add": in_scope and request.user.has_perm("orders.add_order"),
        "outstanding": customer_outstanding(customer_id=customer.pk, user=request.user)
        if request.user.has_perm("contracts.view_contract")
        else None,
    }
    return TemplateResponse(request, "orders/customer_panel.html", context)
