"""Reads for customers and contacts. Every read starts from the data scope of the user."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from kehu.core.activity import Activity, activity_timeline
from kehu.core.exceptions import FilterError
from kehu.customers.filters import CustomerFilter
from kehu.customers.models import Contact, Customer, Tag
from kehu.org.models import User


def customer_list(
    *, user: User, filters: Mapping[str, Any] | None = None, view: str | None = None
) -> QuerySet[Customer]:
    """Visible, living customers, narrowed by the mine/team/all switch and the list filters."""
    qs = (
        Customer.objects.visible_to(user)
        .alive()
        .narrowed(user, view)
        .select_related("owner", "department")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name", "color")))
    )
    customer_filter = CustomerFilter(filters or {}, queryset=qs)
    if not customer_filter.is_valid():
        raise FilterError({k: [str(m) for m in v] for k, v in customer_filter.errors.items()})
    return customer_filter.qs


def customer_get(*, user: User, pk: int) -> Customer:
    return get_object_or_404(
        Customer.objects.visible_to(user)
        .alive()
        .select_related("owner", "department")
        .prefetch_related("tags"),
        pk=pk,
    )


def customer_deleted_list(*, user: User) -> QuerySet[Customer]:
    """The recycle bin: deleted customers the user may see."""
    return (
        Customer.objects.visible_to(user)
        .deleted()
        .select_related("owner")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name", "color")))
        .order_by("-deleted_at")
    )


def customer_deleted_get(*, user: User, pk: int) -> Customer:
    return get_object_or_404(Customer.objects.visible_to(user).deleted(), pk=pk)


def customer_contacts(*, customer: Customer) -> QuerySet[Contact]:
    return Contact.objects.alive().filter(customer=customer)


def customer_timeline(*, customer: Customer, limit: int = 100) -> QuerySet[Activity]:
    return activity_timeline(customer.pk)[:limit]


def contact_list(*, user: User, customer_id: int | None = None, q: str = "") -> QuerySet[Contact]:
    qs = Contact.objects.visible_to(user).alive().select_related("customer")
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    return qs.order_by("customer_id", "-is_primary", "name", "id")


def contact_get(*, user: User, pk: int) -> Contact:
    return get_object_or_404(Contact.objects.visible_to(user).alive().select_related("customer"), pk=pk)
