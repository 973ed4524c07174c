"""In-app notifications: one row per recipient, read or unread. Other apps send them with services.notify."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    verb = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True, max_length=2000)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def site_path(self) -> str:
        """`url` if it is a path on this site, else "": never a link that leaves the site."""
        return self.url if is_site_path(self.url) else ""


def is_site_path(url: str) -> bool:
    """True for "/leads/12/"; False for "//evil.example", "/\\evil.example", "https://…" or "javascript:…".

    Browsers read a backslash as a slash and drop tabs and newlines, so those are refused too.
    """
    return (
        url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and url.isprintable()
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )
