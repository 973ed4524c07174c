"""Pool settings: creating and changing pools (rules, limits, members) with their checks, and the dry-run
preview of a rule change."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.activity import activity_record
from kehu.core.exceptions import PermissionDeniedError
from kehu.core.permissions import ensure_perm
from kehu.org.models import Department, User
from kehu.pool.models import MAX_DAYS, Pool, clean_level_days
from kehu.pool.reclaim import Summary, pool_counts
from kehu.pool.rules import Membership, pool_is_admin

POOL_FIELDS = (
    "name",
    "position",
    "is_default",
    "is_active",
    "no_followup_days",
    "level_days",
    "no_opportunity_days",
    "not_closed_days",
    "exempt_deal",
    "exempt_locked",
    "warn_days_before",
    "max_private_customers",
    "max_locked_customers",
    "count_deal_customers",
    "claims_per_day",
    "claims_per_batch",
    "reclaim_cooldown_days",
    "claim_wait_hours",
)
NUMBER_FIELDS = frozenset(
    {
        "no_followup_days",
        "no_opportunity_days",
        "not_closed_days",
        "warn_days_before",
        "max_private_customers",
        "max_locked_customers",
        "claims_per_day",
        "claims_per_batch",
        "reclaim_cooldown_days",
        "claim_wait_hours",
    }
)
MEMBER_FIELDS = ("users", "departments", "admins")
# What a pool's own admin may change without `pool.change_pool`: its rules and limits, not who belongs
# to it, where it ranks or whether it is the company-wide pool (that would reach other teams' customers).
ADMIN_FIELDS = frozenset(POOL_FIELDS) - {"name", "position", "is_default", "is_active"}


def pool_apply(pool: Pool, data: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set and check the settings in `data` on `pool` (not saved); {field: [old, new]} of those changed.
    The preview uses it on an unsaved copy."""
    errors: dict[str, list[str]] = {
        name: [_("This field cannot be set here.")] for name in sorted(set(data) - set(POOL_FIELDS))
    }
    changes = {}
    for name in set(data) & set(POOL_FIELDS):
        value = data[name]
        try:
            if name == "level_days":
                value = clean_level_days(value)
            elif name in NUMBER_FIELDS and value in ("", None):
                value = None
            elif name in NUMBER_FIELDS and (
                isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS
            ):
                raise ValidationError(
                    _("Enter a whole number from 1 to %(max)d, or leave it empty.") % {"max": MAX_DAYS}
                )
        except ValidationError as exc:
            errors[name] = exc.messages
            continue
        if getattr(pool, name) != value:
            changes[name] = [getattr(pool, name), value]
            setattr(pool, name, value)
    if not errors:
        try:
            pool.full_clean(exclude=["users", "departments", "admins"], validate_constraints=False)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return changes


def _ensure_one_default(pool: Pool, was_default: bool) -> None:
    if pool.is_default and not pool.is_active:
        raise ValidationError({"is_active": _("The default pool must stay active.")})
    others = Pool.objects.exclude(pk=pool.pk)
    if pool.is_default:
        others.filter(is_default=True).update(is_default=False)
    elif was_default or not others.filter(is_default=True).exists():
        raise ValidationError(
            {"is_default": _("One pool must be the default: make another pool the default instead.")}
        )


@transaction.atomic
def pool_save(*, actor: User, pool: Pool | None = None, data: Mapping[str, Any]) -> Pool:
    """Create or change a pool; `data` holds settings and member lists (users, departments, admins: ids).
    Superusers and holders of pool.add_pool / pool.change_pool, and a pool's admins for their pool."""
    creating = pool is None
    if creating:
        ensure_perm(actor, "pool.add_pool")
        pool = Pool()
    elif not actor.has_perm("pool.change_pool"):
        if not pool_is_admin(actor, pool):
            raise PermissionDeniedError(_("You do not have permission to do this."))
        beyond = _changed_beyond_rules(pool, data)
        if beyond:
            raise PermissionDeniedError(
                _("As the pool's admin you may change its rules and limits, not %(fields)s.")
                % {"fields": ", ".join(beyond)}
            )
    assert pool is not None
    was_default = pool.is_default and not creating
    settings_data = {k: v for k, v in data.items() if k not in MEMBER_FIELDS}
    if creating and "is_default" not in settings_data and not Pool.objects.filter(is_default=True).exists():
        settings_data["is_default"] = True
    changes = pool_apply(pool, settings_data)
    _ensure_one_default(pool, was_default)
    pool.save()
    members = _members(data)
    for name, objects in members.items():
        getattr(pool, name).set(objects)
        changes[name] = [None, sorted(o.pk for o in objects)]
    verb = "pool.created" if creating else "pool.changed"
    activity_record(
        actor=actor, subject=pool, verb=verb, data={"name": pool.name, "changes": _jsonable(changes)}
    )
    return pool


def pool_preview(*, pool: Pool, changes: Mapping[str, Any], now: datetime | None = None) -> Summary:
    """Dry run of a rule change: what reclaim would move now with `changes` applied (nothing is saved)."""
    draft = copy.copy(pool)
    pool_apply(draft, {k: v for k, v in changes.items() if k not in MEMBER_FIELDS})
    members = Membership.load().home_members(draft)
    return pool_counts(draft, members=members, now=now or timezone.now())


def _changed_beyond_rules(pool: Pool, data: Mapping[str, Any]) -> list[str]:
    """The fields of `data` outside ADMIN_FIELDS whose values differ from the pool's (pages send all)."""
    changed = []
    for name, value in data.items():
        if name in ADMIN_FIELDS:
            continue
        if name in MEMBER_FIELDS:
            current = set(getattr(pool, name).values_list("pk", flat=True))
            if {getattr(v, "pk", v) for v in (value or [])} != current:
                changed.append(name)
        elif getattr(pool, name, None) != value:
            changed.append(name)
    return sorted(changed)


def _members(data: Mapping[str, Any]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    errors = {}
    for name, model in (("users", User), ("departments", Department), ("admins", User)):
        if name not in data:
            continue
        ids = sorted(set(data[name] or []))
        objects = list(model.objects.filter(pk__in=ids))
        if len(objects) != len(ids):
            errors[name] = [_("Some of these ids do not exist.")]
        found[name] = objects
    if errors:
        raise ValidationError(errors)
    return found


def _jsonable(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {
        k: [v if v is None or isinstance(v, (str, int, bool, dict, list)) else str(v) for v in pair]
        for k, pair in changes.items()
    }
