"""Filters shared by the list filter sets."""

from __future__ import annotations

import django_filters
from django import forms

from kehu.core.api import MAX_ID


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """A record id: a whole number from 1 to what a database column holds (larger ones are a filter error,
    not a database overflow)."""

    field_class = IdField
