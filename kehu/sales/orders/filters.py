"""The order list's filters, shared by the pages and the API."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kehu.core.filters import IdFilter
from kehu.sales.orders.choices import OrderStatus
from kehu.sales.orders.models import Order

SORTS = {
    "-date": ("-order_date", "-id"),
    "date": ("order_date", "id"),
    "-total": ("-total", "-id"),
    "-profit": ("-gross_profit", "-id"),
    "number": ("number",),
}


class OrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, label=_("Status"), empty_label=_("Any"))
    customer = IdFilter(field_name="customer_id", label=_("Customer"))
    owner = IdFilter(field_name="owner_id", label=_("Owner"))
    date_from = django_filters.DateFilter(field_name="order_date", lookup_expr="gte", label=_("Ordered from"))
    date_to = django_filters.DateFilter(field_name="order_date", lookup_expr="lte", label=_("Ordered until"))
    sort = django_filters.ChoiceFilter(
        method="order",
        label=_("Sort"),
        empty_label=None,
        choices=[
            ("-date", _("Newest orders")),
            ("date", _("Oldest orders")),
            ("-total", _("Highest total")),
            ("-profit", _("Highest gross profit")),
            ("number", _("Number")),
        ],
    )

    class Meta:
        model = Order
        fields = ["q", "status", "customer", "owner", "date_from", "date_to", "sort"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(customer__name__icontains=value))

    def order(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS.get(value, SORTS["-date"]))
