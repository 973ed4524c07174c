"""Notifications API: the caller's own notifications only, whoever the caller is."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from kehu.core.api import Pagination
from kehu.notifications.models import Notification
from kehu.notifications.schemas import (
    NotificationCountOut,
    NotificationFilterSchema,
    NotificationOut,
    NotificationReadIn,
    NotificationReadOut,
)
from kehu.notifications.selectors import notification_list, notification_unread_count
from kehu.notifications.services import notification_mark_read

router = Router(tags=["notifications"])


@router.get("/notifications", response=list[NotificationOut])
@paginate(Pagination)
def list_notifications(
    request: HttpRequest, filters: Query[NotificationFilterSchema]
) -> QuerySet[Notification]:
    """Your notifications, newest first."""
    return notification_list(user=request.user, unread=filters.unread)


@router.post("/notifications/read", response=NotificationReadOut)
def mark_notifications_read(request: HttpRequest, payload: NotificationReadIn) -> dict:
    """Mark some (`ids`) or all (`{}`) of your unread notifications read; other users' ids are ignored."""
    return {"marked": notification_mark_read(actor=request.user, ids=payload.ids)}


@router.get("/notifications/unread-count", response=NotificationCountOut)
def count_unread_notifications(request: HttpRequest) -> dict:
    """The number on the bell."""
    return {"count": notification_unread_count(user=request.user)}
