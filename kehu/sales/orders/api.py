"""Orders API: thin endpoints over the selectors (scope) and services."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kehu.core.api import Pagination
from kehu.core.exceptions import DomainError
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get
from kehu.org.models import User
from kehu.sales.orders import services
from kehu.sales.orders.models import Order
from kehu.sales.orders.schemas import (
    CancelIn,
    OrderDetailOut,
    OrderFilterSchema,
    OrderIn,
    OrderOut,
    OrderPatch,
)
from kehu.sales.orders.selectors import order_get, order_list

router = Router(tags=["orders"])


def _customer(request: HttpRequest, pk: int) -> Customer:
    try:
        return customer_get(user=request.user, pk=pk)
    except Http404:
        raise DomainError(_("There is no customer with id %(id)s.") % {"id": pk}, field="customer") from None


def _owner(pk: int | None) -> User | None:
    if pk is None:
        return None
    owner = User.objects.filter(pk=pk, is_active=True).first()
    if owner is None:
        raise DomainError(_("There is no active user with id %(id)s.") % {"id": pk}, field="owner")
    return owner


def _detail(request: HttpRequest, pk: int) -> Order:
    return order_get(user=request.user, pk=pk)


@router.get("/orders", response=list[OrderOut])
@paginate(Pagination)
def list_orders(request: HttpRequest, filters: Query[OrderFilterSchema]) -> QuerySet[Order]:
    """The orders you see, newest order date first."""
    return order_list(user=request.user, filters=filters.filter_data())


@router.post("/orders", response={201: OrderDetailOut})
def create_order(request: HttpRequest, payload: OrderIn) -> Order:
    """A draft order of a customer you see; owned by the customer's owner unless `owner` is given."""
    order = services.order_create(
        actor=request.user,
        customer=_customer(request, payload.customer),
        data=payload.service_data(),
        lines=[line.service_row() for line in payload.lines],
        owner=_owner(payload.owner),
    )
    return _detail(request, order.pk)


@router.get("/orders/{int:order_id}", response=OrderDetailOut)
def get_order(request: HttpRequest, order_id: int) -> Order:
    return _detail(request, order_id)


@router.patch("/orders/{int:order_id}", response=OrderDetailOut)
def update_order(request: HttpRequest, order_id: int, payload: OrderPatch) -> Order:
    """Draft and confirmed orders only; `lines` replaces every line."""
    services.order_update(
        actor=request.user,
        order=_detail(request, order_id),
        data=payload.service_data(),
        lines=None if payload.lines is None else [line.service_row() for line in payload.lines],
    )
    return _detail(request, order_id)


@router.delete("/orders/{int:order_id}", response={204: None})
def delete_order(request: HttpRequest, order_id: int) -> Status:
    """Drafts only (to the recycle bin); cancel any other order instead."""
    services.order_delete(actor=request.user, order=_detail(request, order_id))
    return Status(204, None)


@router.post("/orders/{int:order_id}/confirm", response=OrderDetailOut)
def confirm_order(request: HttpRequest, order_id: int) -> Order:
    """Draft → confirmed: from now on it counts as a purchase."""
    services.order_confirm(actor=request.user, order=_detail(request, order_id))
    return _detail(request, order_id)


@router.post("/orders/{int:order_id}/ship", response=OrderDetailOut)
def ship_order(request: HttpRequest, order_id: int) -> Order:
    """Confirmed → shipped."""
    services.order_ship(actor=request.user, order=_detail(request, order_id))
    return _detail(request, order_id)


@router.post("/orders/{int:order_id}/complete", response=OrderDetailOut)
def complete_order(request: HttpRequest, order_id: int) -> Order:
    """Confirmed or shipped → completed; it never changes again."""
    services.order_complete(actor=request.user, order=_detail(request, order_id))
    return _detail(request, order_id)


@router.post("/orders/{int:order_id}/cancel", response=OrderDetailOut)
def cancel_order(request: HttpRequest, order_id: int, payload: CancelIn) -> Order:
    """Any order not yet completed, with a reason."""
    services.order_cancel(actor=request.user, order=_detail(request, order_id), reason=payload.reason)
    return _detail(request, order_id)
