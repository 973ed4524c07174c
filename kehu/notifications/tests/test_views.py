"""Pages: the list, mark all read (plain and htmx), opening one (and the open-redirect guard), the bell."""

import json
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from kehu.notifications.context_processors import unread_notifications
from kehu.notifications.models import Notification
from kehu.notifications.tests.factories import NotificationFactory

LIST = reverse("notifications:list")
MARK_READ = reverse("notifications:mark_read")
BADGE = reverse("notifications:badge")
HTMX = {"HX-Request": "true"}


def client_for(client, user):
    client.force_login(user)
    return client


def items(html: str) -> list[tuple[str, str]]:
    """(link, " data-unread" or "") of each listed notification, in order."""
    return re.findall(r'<a href="([^"]+)" data-testid="notification-\d+"( data-unread)?', html)


def open_url(notification) -> str:
    return reverse("notifications:open", args=[notification.pk])


@pytest.mark.parametrize("url", [LIST, "/notifications/1/open/"])
def test_login_required(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# The list ------------------------------------------------------------------------------------------------


def test_list_shows_own_notifications_with_unread_ones_marked(client, org):
    read = NotificationFactory(recipient=org.rep, title="Seen it", read_at=timezone.now())
    unread = NotificationFactory(recipient=org.rep, title="New lead: 星河科技", body="Call back\ntoday")
    NotificationFactory(recipient=org.peer_rep, title="Not for the rep")

    response = client_for(client, org.rep).get(LIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert [n.title for n in response.context["page"].object_list] == ["New lead: 星河科技", "Seen it"]
    assert "Not for the rep" not in html
    assert items(html) == [(open_url(unread), " data-unread"), (open_url(read), "")]
    assert "Call back<br>today" in html
    assert 'data-testid="mark-all-read"' in html


def test_empty_list_says_so(client, org):
    html = client_for(client, org.rep).get(LIST).content.decode()
    assert 'data-testid="notifications-empty"' in html
    assert "No notifications yet." in html
    assert 'data-testid="mark-all-read"' not in html


def test_no_mark_all_button_when_everything_is_read(client, org):
    NotificationFactory(recipient=org.rep, read_at=timezone.now())
    html = client_for(client, org.rep).get(LIST).content.decode()
    assert 'data-testid="mark-all-read"' not in html
    assert "All read" in html


def test_htmx_paging_gets_only_the_list(client, org):
    for i in range(25):
        NotificationFactory(recipient=org.rep, title=f"n{i:02}")
    response = client_for(client, org.rep).get(
        LIST + "?page=2", headers={**HTMX, "HX-Target": "notification-list"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="notification-list">')
    assert "<html" not in html
    assert [n.title for n in response.context["page"].object_list] == ["n04", "n03", "n02", "n01", "n00"]


def test_list_runs_constant_queries(client, org, django_assert_num_queries):
    c = client_for(client, org.rep)
    NotificationFactory(recipient=org.rep)
    c.get(LIST)  # warm up
    # session + user + page count + page rows + unread count (the bell and the toolbar share it)
    # + the user's permissions for the menu (role and group permissions, read once per request)
    # + the menu's count of approval steps waiting for the user
    with django_assert_num_queries(8):
        c.get(LIST)
    Notification.objects.bulk_create(
        Notification(recipient=org.rep, verb="x", title=f"t{i}") for i in range(40)
    )
    with django_assert_num_queries(8):
        response = c.get(LIST + "?size=100")
    assert len(response.context["page"].object_list) == 41


# Mark all read -------------------------------------------------------------------------------------------


def test_mark_all_read_plain_post_redirects_back_to_the_page(client, org):
    NotificationFactory(recipient=org.rep)
    NotificationFactory(recipient=org.rep)
    theirs = NotificationFactory(recipient=org.peer_rep)

    response = client_for(client, org.rep).post(MARK_READ + "?page=2")

    assert (response.status_code, response["Location"]) == (302, LIST + "?page=2")
    assert Notification.objects.filter(recipient=org.rep, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    messages = [str(m) for m in client.get(LIST).context["messages"]]
    assert messages == ["2 notifications marked as read."]


def test_mark_all_read_over_htmx_returns_the_list_and_refreshes_the_bell(client, org):
    NotificationFactory(recipient=org.rep, title="Only one")

    response = client_for(client, org.rep).post(MARK_READ, headers={**HTMX, "HX-Target": "notification-list"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="notification-list">')
    assert "data-unread" not in html
    assert 'data-testid="mark-all-read"' not in html
    assert json.loads(response["HX-Trigger"]) == {
        "notifications-changed": True,
        "toast": {"message": "1 notification marked as read.", "level": "success"},
    }


def test_mark_all_read_needs_post(client, org):
    NotificationFactory(recipient=org.rep)
    assert client_for(client, org.rep).get(MARK_READ).status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


# Open ----------------------------------------------------------------------------------------------------


def test_open_marks_read_and_follows_the_link(client, org):
    notification = NotificationFactory(recipient=org.rep, url="/customers/?view=mine")
    response = client_for(client, org.rep).get(open_url(notification))
    assert (response.status_code, response["Location"]) == (302, "/customers/?view=mine")
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "url",
    [
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "customers/",
        "http:/evil.example",
    ],
)
def test_open_never_redirects_off_the_site(client, org, url):
    notification = NotificationFactory(recipient=org.rep, url=url)
    response = client_for(client, org.rep).get(open_url(notification))
    assert (response.status_code, response["Location"]) == (302, LIST)
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_open_another_users_notification_is_404(client, org):
    theirs = NotificationFactory(recipient=org.peer_rep, url="/customers/")
    response = client_for(client, org.admin).get(open_url(theirs))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


# The bell ------------------------------------------------------------------------------------------------


def test_bell_shows_the_unread_count(client, org):
    NotificationFactory(recipient=org.rep)
    NotificationFactory(recipient=org.rep)
    NotificationFactory(recipient=org.rep, read_at=timezone.now())
    NotificationFactory(recipient=org.peer_rep)

    html = client_for(client, org.rep).get(reverse("customers:list")).content.decode()

    assert 'data-testid="notification-bell"' in html
    assert 'data-testid="unread-count" aria-hidden="true">2</span>' in html
    assert "2 unread notifications" in html


def test_bell_has_no_badge_when_all_is_read(client, org):
    NotificationFactory(recipient=org.rep, read_at=timezone.now())
    html = client_for(client, org.rep).get(reverse("customers:list")).content.decode()
    assert 'data-testid="notification-bell"' in html
    assert 'data-testid="unread-count"' not in html


def test_bell_caps_the_number_at_99_plus(client, org):
    Notification.objects.bulk_create(
        Notification(recipient=org.rep, verb="x", title=f"t{i}") for i in range(120)
    )
    html = client_for(client, org.rep).get(LIST).content.decode()
    assert 'data-testid="unread-count" aria-hidden="true">99+</span>' in html
    assert "120 unread notifications" in html


def test_badge_endpoint_returns_only_the_badge(client, org):
    NotificationFactory(recipient=org.rep)
    response = client_for(client, org.rep).get(BADGE, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<span id="notification-badge"')
    assert 'data-testid="unread-count" aria-hidden="true">1</span>' in html
    assert "<html" not in html
    assert "no-store" in response["Cache-Control"]


def test_badge_endpoint_signed_out_stops_polling(client, db):
    assert client.get(BADGE, headers=HTMX).status_code == 286


def test_badge_endpoint_plain_request_goes_to_the_list(client, org):
    response = client_for(client, org.rep).get(BADGE)
    assert (response.status_code, response["Location"]) == (302, LIST)


def test_unread_count_is_counted_only_when_used(org, django_assert_num_queries):
    NotificationFactory(recipient=org.rep)
    request = RequestFactory().get("/")
    request.user = org.rep
    with django_assert_num_queries(0):
        context = unread_notifications(request)
    with django_assert_num_queries(1):
        assert context["unread_notifications"] == 1
        assert str(context["unread_notifications"]) == "1"


def test_unread_count_is_zero_for_visitors(db, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread_notifications(request)["unread_notifications"] == 0
