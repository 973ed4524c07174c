"""The sales funnel's filters, shared by the page, the export and the API: a pipeline (the default one unless
chosen), a period on the opportunities' creation date (this year by default, in the configured time zone),
the mine / team / all switch, a department (with its sub-departments) and a rep."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.filters import IdField
from kehu.core.scopes import ViewFilter
from kehu.org.models import Department
from kehu.sales.opportunities.models import Pipeline

MAX_YEARS = 10
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class FunnelFilter(forms.Form):
    pipeline = IdField(label=_("Pipeline"), required=False)
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("Until"), required=False)
    view = forms.ChoiceField(label=_("View"), choices=[("", ""), *ViewFilter.choices], required=False)
    department = IdField(label=_("Department"), required=False)
    owner = IdField(label=_("Rep"), required=False)

    def clean_pipeline(self) -> Pipeline | None:
        pk = self.cleaned_data.get("pipeline")
        if pk is None:
            pipeline = Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.first()
            if pipeline is None:
                raise forms.ValidationError(_("There is no pipeline yet."))
            return pipeline
        pipeline = Pipeline.objects.filter(pk=pk).first()
        if pipeline is None:
            raise forms.ValidationError(_("There is no such pipeline."))
        return pipeline

    def clean_department(self) -> Department | None:
        pk = self.cleaned_data.get("department")
        if pk is None:
            return None
        department = Department.objects.filter(pk=pk).first()
        if department is None:
            raise forms.ValidationError(_("There is no such department."))
        return department

    def clean(self) -> dict[str, Any]:
        """Fill the period: this year without dates, else the year of the one date given."""
        data = super().clean()
        if "date_from" not in data or "date_to" not in data:
            return data  # a date did not parse: its own error says so
        start, end = data.get("date_from"), data.get("date_to")
        if start is None and end is None:
            year = timezone.localdate().year
            start, end = date(year, 1, 1), date(year, 12, 31)
        elif start is None:
            start = date(end.year, 1, 1)
        elif end is None:
            end = date(start.year, 12, 31)
        if start < FIRST_DAY or end > LAST_DAY:
            self.add_error("date_to" if end > LAST_DAY else "date_from", _("Choose dates from 1900 to 2999."))
        elif start > end:
            self.add_error("date_to", _("The end of the period comes before its start."))
        elif end >= _years_after(start, MAX_YEARS):
            self.add_error("date_to", _("The period is longer than %(years)s years.") % {"years": MAX_YEARS})
        data["date_from"], data["date_to"] = start, end
        return data
