"""The customer list's filters, shared by the page, the export and the API."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kehu.core.filters import IdFilter
from kehu.customers.choices import CustomerKind, CustomerLevel, CustomerStatus, Industry
from kehu.customers.models import Customer
from kehu.customers.search import search_condition

SORTS = {
    "-updated": ("-updated_at", "-id"),
    "updated": ("updated_at", "id"),
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "-value": ("-estimated_value", "-id"),
    "value": ("estimated_value", "id"),
}


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=CustomerKind.choices, label=_("Type"), empty_label=_("Any"))
    status = django_filters.ChoiceFilter(
        choices=CustomerStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    level = django_filters.ChoiceFilter(choices=CustomerLevel.choices, label=_("Level"), empty_label=_("Any"))
    industry = django_filters.ChoiceFilter(
        choices=Industry.choices, label=_("Industry"), empty_label=_("Any")
    )
    tag = django_filters.CharFilter(method="by_tag", label=_("Tag"))
    province = django_filters.CharFilter(field_name="province", label=_("Region"))
    owner = IdFilter(field_name="owner_id", label=_("Owner"))
    department = IdFilter(field_name="department_id", label=_("Department"))
    sort = django_filters.ChoiceFilter(
        method="order",
        label=_("Sort"),
        empty_label=None,
        choices=[
            ("-updated", _("Recently updated")),
            ("-created", _("Newest")),
            ("created", _("Oldest")),
            ("name", _("Name A–Z")),
            ("-name", _("Name Z–A")),
            ("-value", _("Highest value")),
            ("value", _("Lowest value")),
            ("updated", _("Least recently updated")),
        ],
    )

    class Meta:
        model = Customer
        fields = [
            "q",
            "kind",
            "status",
            "level",
            "industry",
            "tag",
            "province",
            "owner",
            "department",
            "sort",
        ]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(search_condition(value))

    def by_tag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(tags__name=value.strip()) if value.strip() else queryset

    def order(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS.get(value, SORTS["-updated"]))
