"""Data scope: which owned records a user may see. Applied in one place, `visible_to(user)`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class DataScope(models.TextChoices):
    OWN = "own", _("Own records")
    DEPARTMENT = "department", _("Own department")
    SUBTREE = "subtree", _("Department and sub-departments")
    ALL = "all", _("All records")


class ViewFilter(models.TextChoices):
    """The manager's switch on a list: narrow what is visible to mine or my team's."""

    MINE = "mine", _("Mine")
    TEAM = "team", _("My team")
    ALL = "all", _("All I may see")


class ScopedQuerySet(models.QuerySet):
    """A queryset of records that carry `owner` and `department` foreign keys."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        scope = user.data_scope  # type: ignore[union-attr]
        if scope == DataScope.ALL:
            return self
        own = Q(owner_id=user.pk)
        if scope == DataScope.OWN:
            return self.filter(own)
        return self.filter(own | Q(department_id__in=user.scope_department_ids()))  # type: ignore[union-attr]

    def narrowed(self, user: Any, view: str | None) -> Self:
        """Apply the mine / team / all switch on top of `visible_to`."""
        if view == ViewFilter.MINE:
            return self.filter(owner_id=user.pk)
        if view == ViewFilter.TEAM and user.data_scope == DataScope.ALL:
            # Narrower scopes are already inside the team: filtering again would only repeat the clause.
            return self.filter(Q(owner_id=user.pk) | Q(department_id__in=user.team_department_ids()))
        return self
