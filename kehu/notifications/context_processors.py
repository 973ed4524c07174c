"""The bell's unread count for every page, counted only if the page renders it."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kehu.notifications.selectors import notification_unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """`unread_notifications`: the signed-in user's unread count (0 for visitors).

    Lazy: nothing is read (not even the session's user) until a template uses the value, then one COUNT.
    """

    def count() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return notification_unread_count(user=user)

    return {"unread_notifications": SimpleLazyObject(count)}
