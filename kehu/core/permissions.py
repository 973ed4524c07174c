"""Checks that services run before a write: the actor holds the permission and may see the record."""

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from kehu.core.exceptions import PermissionDeniedError


def ensure_perm(actor: Any, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDeniedError(_("You do not have permission to do this."))


def ensure_in_scope(actor: Any, queryset: models.QuerySet, *pks: int) -> None:
    """Every pk must lie inside `queryset.visible_to(actor)`; otherwise nothing happens at all."""
    wanted = set(pks)
    if len(wanted) != queryset.visible_to(actor).filter(pk__in=wanted).count():
        raise PermissionDeniedError(_("Some of these records are outside what you may see."))
