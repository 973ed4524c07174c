"""Notification pages: the list (with "mark all read" over htmx), opening one, and the bell's badge."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

from kehu.core.htmx import hx_trigger, render_partial
from kehu.core.pagination import paginate
from kehu.notifications.selectors import notification_list
from kehu.notifications.services import notification_mark_read, notification_open
from kehu.org.http import AuthenticatedHttpRequest

LIST_TEMPLATE = "notifications/notification_list.html"
BADGE_TEMPLATE = "components/notification_bell.html#badge"
CHANGED_EVENT = "notifications-changed"  # the bell reloads its badge when this fires
HTMX_STOP_POLLING = 286  # htmx stops an `every 60s` trigger on this status


def _list_context(request: AuthenticatedHttpRequest) -> dict:
    return {"page": paginate(request, notification_list(user=request.user))}


@require_safe
@login_required
def notification_list_view(request: AuthenticatedHttpRequest) -> TemplateResponse:
    return render_partial(
        request, LIST_TEMPLATE, _list_context(request), target="notification-list", partial="list"
    )


@require_POST
@login_required
def notification_mark_read_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mark all the user's notifications read; htmx gets the list back (same page) and the bell refreshes."""
    marked = notification_mark_read(actor=request.user)
    message = ngettext(
        "%(count)d notification marked as read.", "%(count)d notifications marked as read.", marked
    ) % {"count": marked}
    if request.htmx:
        response = TemplateResponse(request, f"{LIST_TEMPLATE}#list", _list_context(request))
        return hx_trigger(response, {CHANGED_EVENT: True, "toast": {"message": message, "level": "success"}})
    messages.success(request, message)
    page = request.GET.get("page", "")
    return redirect(reverse("notifications:list") + (f"?page={page}" if page.isdigit() else ""))


@require_GET
@login_required
def notification_open_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseRedirect:
    """Mark the notification read and follow its link; a link that would leave the site goes to the list."""
    notification = notification_open(actor=request.user, pk=pk)
    return HttpResponseRedirect(notification.site_path or reverse("notifications:list"))


@require_safe
@never_cache
def notification_badge_view(request: HttpRequest) -> HttpResponse:
    """The bell's badge, polled by htmx. Signed out, polling stops; a plain request goes to the list."""
    if not request.htmx:
        return redirect("notifications:list")
    if not request.user.is_authenticated:
        return HttpResponse(status=HTMX_STOP_POLLING)
    return TemplateResponse(request, BADGE_TEMPLATE, {})
