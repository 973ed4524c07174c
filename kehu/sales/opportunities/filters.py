"""The opportunity list's filters, shared by the pages and the API."""

import django_filters
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kehu.core.filters import IdFilter
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import Opportunity

SORTS = {
    "-updated": ("-updated_at", "-id"),
    "updated": ("updated_at", "id"),
    "-created": ("-created_at", "-id"),
    "close": (F("expected_close_date").asc(nulls_last=True), "id"),
    "-close": (F("expected_close_date").desc(nulls_last=True), "-id"),
    "-amount": ("-amount", "-id"),
    "amount": ("amount", "id"),
    "-weighted": ("-weighted_amount", "-id"),
    "title": ("title", "id"),
}


class OpportunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    pipeline = IdFilter(field_name="pipeline_id", label=_("Pipeline"))
    stage = IdFilter(field_name="stage_id", label=_("Stage"))
    status = django_filters.ChoiceFilter(
        choices=OpportunityStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    owner = IdFilter(field_name="owner_id", label=_("Owner"))
    customer = IdFilter(field_name="customer_id", label=_("Customer"))
    close_from = django_filters.DateFilter(
        field_name="expected_close_date", lookup_expr="gte", label=_("Closing from")
    )
    close_to = django_filters.DateFilter(
        field_name="expected_close_date", lookup_expr="lte", label=_("Closing by")
    )
    sort = django_filters.ChoiceFilter(
        method="order",
        label=_("Sort"),
        empty_label=None,
        choices=[
            ("-updated", _("Recently updated")),
            ("updated", _("Least recently updated")),
            ("-created", _("Newest")),
            ("close", _("Closing soonest")),
            ("-close", _("Closing latest")),
            ("-amount", _("Highest amount")),
            ("amount", _("Lowest amount")),
            ("-weighted", _("Highest weighted amount")),
            ("title", _("Title A–Z")),
        ],
    )

    class Meta:
        model = Opportunity
        fields = ["q", "pipeline", "stage", "status", "owner", "customer", "close_from", "close_to", "sort"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(customer__name__icontains=value))

    def order(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS.get(value, SORTS["-updated"]))
