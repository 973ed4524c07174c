"""The quote list's filters, shared by the pages and the API."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.filters import IdFilter
from kehu.sales.quotes.choices import APPROVED_OR_SENT, QuoteStatus
from kehu.sales.quotes.models import Quote

SORTS = {
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "-total": ("-total", "-id"),
    "valid": ("valid_until", "id"),
    "number": ("number",),
}


class QuoteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=QuoteStatus.choices, label=_("Status"), empty_label=_("Any"))
    opportunity = IdFilter(field_name="opportunity_id", label=_("Opportunity"))
    customer = IdFilter(field_name="customer_id", label=_("Customer"))
    expired = django_filters.BooleanFilter(method="only_expired", label=_("Expired"))
    sort = django_filters.ChoiceFilter(
        method="order",
        label=_("Sort"),
        empty_label=None,
        choices=[
            ("-created", _("Newest")),
            ("created", _("Oldest")),
            ("-total", _("Highest total")),
            ("valid", _("Expiring soonest")),
            ("number", _("Number")),
        ],
    )

    class Meta:
        model = Quote
        fields = ["q", "status", "opportunity", "customer", "expired", "sort"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(customer__name__icontains=value)
        )

    def only_expired(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        expired = Q(status__in=[QuoteStatus.DRAFT, *APPROVED_OR_SENT], valid_until__lt=timezone.localdate())
        return queryset.filter(expired if value else ~expired)

    def order(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS.get(value, SORTS["-created"]))
