"""Reads for notifications. A user only ever sees their own, whatever their role or data scope."""

from django.db.models import QuerySet

from kehu.notifications.models import Notification
from kehu.org.models import User


def notification_list(*, user: User, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's notifications, newest first; `unread` True/False keeps only unread/read ones."""
    notifications = Notification.objects.filter(recipient=user)
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    return notifications


def notification_unread_count(*, user: User) -> int:
    """One COUNT over the partial index of unread rows."""
    return Notification.objects.filter(recipient=user).unread().count()
