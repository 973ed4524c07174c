"""Writes for the organisation: API tokens."""

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.activity import activity_record
from kehu.core.exceptions import DomainError
from kehu.org.models import ApiToken, User


@transaction.atomic
def api_token_create(
    *, actor: User, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is never stored and shown only now."""
    name = name.strip()
    if not name:
        raise DomainError(_("Give the token a name."), field="name")
    if len(name) > 100:
        raise DomainError(_("The name is longer than 100 characters."), field="name")
    if expires_at and expires_at <= timezone.now():
        raise DomainError(_("The expiry date must be in the future."), field="expires_at")
    if actor.pk != user.pk and not actor.is_superuser:
        raise DomainError(_("You may only create tokens for yourself."))
    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=ApiToken.hash(raw), hint=raw[:9], expires_at=expires_at
    )
    activity_record(
        actor=actor, subject=user, verb="api_token.created", data={"name": name, "hint": token.hint}
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not actor.is_superuser:
        raise DomainError(_("You may only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        activity_record(actor=actor, subject=token.user, verb="api_token.revoked", data={"name": token.name})
    return token


def api_token_authenticate(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user__role", "user__department")
        .filter(key_hash=ApiToken.hash(raw))
        .first()
    )
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
