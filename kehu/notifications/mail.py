"""Notification emails: one message per notification, all sent over one connection of the default mailer."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.urls import reverse

from kehu.notifications.models import Notification

DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def notification_emails_send(notification_ids: Iterable[int]) -> int:
    """Mail each notification to its recipient; inactive recipients and those without an address are
    skipped. Returns the number of emails sent.

    The link goes through the notification's "open" page, so following it from the email marks the
    notification read, as clicking it under the bell does.
    """
    notifications = (
        Notification.objects.filter(pk__in=list(notification_ids))
        .select_related("recipient")
        .order_by("created_at", "id")
    )
    site = getattr(settings, "KEHU_SITE_URL", DEFAULT_SITE_URL).rstrip("/")
    messages = [
        _email(notification, site)
        for notification in notifications
        if notification.recipient.is_active and notification.recipient.email
    ]
    if not messages:
        return 0
    return mailers.default.send_messages(messages) or 0


def _email(notification: Notification, site: str) -> EmailMessage:
    link = site + reverse("notifications:open", args=[notification.pk])
    body = f"{notification.body}\n\n{link}" if notification.body else link
    subject = " ".join(notification.title.split())  # a header is one line
    return EmailMessage(subject=subject, body=body, to=[notification.recipient.email])
