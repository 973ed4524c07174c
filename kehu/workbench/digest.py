"""The daily digest: each user's workbench by email (plain text and HTML), in their language.

Only users with something to say get one: plans for today, overdue plans, customers about to return to the
pool, new leads. Each user costs the workbench's few queries (its team section is left out).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kehu.org.models import User
from kehu.workbench.selectors import Workbench, workbench_get

DEFAULT_SITE_URL = "http://127.0.0.1:8000"
SEND_BATCH = 100  # emails per connection to the mail server


def digest_language(user: User) -> str:
    """The user's language if the installation records one, else the site's."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def digest_recipients() -> Iterator[User]:
    """Active users with an email address, in a stable order."""
    return User.objects.filter(is_active=True).exclude(email="").order_by("pk").iterator(chunk_size=500)


def digest_build(*, user: User, now: datetime) -> EmailMultiAlternatives | None:
    """The user's digest at `now`, or None when there is nothing to tell them."""
    workbench = workbench_get(user=user, now=now, with_team=False)
    if workbench.is_empty:
        return None
    with translation.override(digest_language(user)):
        context = _context(user, workbench, now)
        subject = _("Your day in Kehu CRM, %(date)s") % {"date": context["today"]}
        text = render_to_string("workbench/digest.txt", context)
        html = render_to_string("workbench/digest.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message


def _context(user: User, workbench: Workbench, now: datetime) -> dict:
    return {
        "user": user,
        "wb": workbench,
        "today": timezone.localdate(now).isoformat(),
        "site": getattr(settings, "KEHU_SITE_URL", DEFAULT_SITE_URL).rstrip("/"),
    }


def digests_send(*, now: datetime | None = None, dry_run: bool = False) -> list[str]:
    """Build and send every digest due at `now`; returns the addresses (only built with `dry_run`)."""
    now = now or timezone.now()
    sent: list[str] = []
    batch: list[EmailMultiAlternatives] = []
    for user in digest_recipients():
        message = digest_build(user=user, now=now)
        if message is None:
            continue
        sent.append(user.email)
        batch.append(message)
        if len(batch) >= SEND_BATCH:
            _flush(batch, dry_run)
    _flush(batch, dry_run)
    return sent


def _flush(batch: list[EmailMultiAlternatives], dry_run: bool) -> None:
    if batch and not dry_run:
        mailers.default.send_messages(batch)
    batch.clear()
