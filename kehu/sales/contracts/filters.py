"""The contract list's filters, shared by the pages and the API."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kehu.core.filters import IdFilter
from kehu.sales.contracts.choices import ContractStatus
from kehu.sales.contracts.models import Contract

SORTS = {
    "-created": ("-created_at", "-id"),
    "-signed": ("-signed_on", "-id"),
    "-amount": ("-amount", "-id"),
    "ends": ("ends_on", "id"),
    "number": ("number",),
}


class ContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=ContractStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    customer = IdFilter(field_name="customer_id", label=_("Customer"))
    opportunity = IdFilter(field_name="opportunity_id", label=_("Opportunity"))
    owner = IdFilter(field_name="owner_id", label=_("Owner"))
    signed_from = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte", label=_("Signed from"))
    signed_to = django_filters.DateFilter(field_name="signed_on", lookup_expr="lte", label=_("Signed by"))
    sort = django_filters.ChoiceFilter(
        method="order",
        label=_("Sort"),
        empty_label=None,
        choices=[
            ("-created", _("Newest")),
            ("-signed", _("Recently signed")),
            ("-amount", _("Highest amount")),
            ("ends", _("Ending soonest")),
            ("number", _("Number")),
        ],
    )

    class Meta:
        model = Contract
        fields = ["q", "status", "customer", "opportunity", "owner", "signed_from", "signed_to", "sort"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(customer__name__icontains=value)
        )

    def order(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS.get(value, SORTS["-created"]))
