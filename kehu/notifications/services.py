"""Sending notifications (in-app rows in one INSERT, email after the transaction commits) and reading them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kehu.notifications.models import Notification
from kehu.org.models import User


@dataclass(frozen=True)
class Message:
    """One notification for one recipient. `url` is a site path such as /leads/12/."""

    recipient: User
    verb: str
    title: str
    body: str = ""
    url: str = ""


def notify(*, messages: Iterable[Message], email: bool = True) -> list[Notification]:
    """Store the messages for their recipients' bells; mail them after commit (skipped without an address).

    Inactive recipients get nothing. The email is queued only once the caller's transaction commits, so a
    rolled-back change never mails anyone; a queue that is down is logged and does not undo the change.
    """
    rows = [
        Notification(
            recipient=m.recipient,
            verb=m.verb,
            title=str(m.title)[:200],
            body=str(m.body)[:2000],
            url=str(m.url)[:300],
        )
        for m in messages
        if m.recipient is not None and m.recipient.is_active
    ]
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows, batch_size=1000)
    if email:
        ids = [n.pk for n in created if n.recipient.email]
        if ids:
            from kehu.notifications.tasks import send_notification_emails

            transaction.on_commit(lambda: send_notification_emails(ids), robust=True)
    return created


def notification_mark_read(*, actor: User, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's unread notifications read (all of them, or those among `ids`), in one UPDATE.

    Ids of other users' notifications are ignored. Returns how many changed.
    """
    unread = Notification.objects.filter(recipient=actor).unread()
    if ids is not None:
        ids = list(ids)
        if not ids:
            return 0
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def notification_open(*, actor: User, pk: int) -> Notification:
    """The actor's notification `pk`, marked read (the first time); Http404 for anyone else's."""
    notification = get_object_or_404(Notification.objects.filter(recipient=actor), pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
