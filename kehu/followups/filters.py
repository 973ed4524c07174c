"""The follow-up list's filters, shared by the page and the API."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.filters import IdFilter
from kehu.followups.choices import FollowUpMethod
from kehu.followups.models import FollowUp


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class FollowUpFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id", label=_("Customer"))
    method = django_filters.ChoiceFilter(
        choices=FollowUpMethod.choices, label=_("Method"), empty_label=_("Any")
    )
    author = IdFilter(field_name="created_by_id", label=_("Recorded by"))
    date_from = django_filters.DateFilter(method="on_or_after", label=_("From"))
    date_to = django_filters.DateFilter(method="on_or_before", label=_("To"))

    class Meta:
        model = FollowUp
        fields: list[str] = []

    def on_or_after(self, queryset: QuerySet[FollowUp], name: str, value: date) -> QuerySet[FollowUp]:
        return queryset.filter(occurred_at__gte=_day_start(value))

    def on_or_before(self, queryset: QuerySet[FollowUp], name: str, value: date) -> QuerySet[FollowUp]:
        """Up to the end of that local day."""
        return queryset.filter(occurred_at__lt=_day_start(value + timedelta(days=1)))
