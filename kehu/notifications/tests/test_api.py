"""The notifications API: a user never sees, counts or marks anyone else's notifications."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kehu.notifications.models import Notification
from kehu.notifications.tests.factories import NotificationFactory
from kehu.org.services import api_token_create

URL = "/api/v1/notifications"


def api_client(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def titles(response) -> list[str]:
    return [item["title"] for item in response.json()["items"]]


def unread_titles(user) -> list[str]:
    return sorted(
        Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("title", flat=True)
    )


@pytest.fixture
def inbox(org):
    """The rep: one read, two unread. The admin and a peer: one unread each."""
    now = timezone.now()
    return {
        "old": NotificationFactory(
            recipient=org.rep, title="old", read_at=now, created_at=now - timedelta(hours=2)
        ),
        "lead": NotificationFactory(
            recipient=org.rep, title="lead", url="/leads/3/", created_at=now - timedelta(hours=1)
        ),
        "newest": NotificationFactory(recipient=org.rep, title="newest", created_at=now),
        "admin's": NotificationFactory(recipient=org.admin, title="admin's"),
        "peer's": NotificationFactory(recipient=org.peer_rep, title="peer's"),
    }


def test_list_shows_own_notifications_newest_first(org, inbox):
    response = api_client(org.rep).get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert titles(response) == ["newest", "lead", "old"]
    lead = response.json()["items"][1]
    assert {k: lead[k] for k in ("id", "verb", "title", "body", "url", "read_at")} == {
        "id": inbox["lead"].pk,
        "verb": "lead.assigned",
        "title": "lead",
        "body": "",
        "url": "/leads/3/",
        "read_at": None,
    }


@pytest.mark.parametrize(("query", "expected"), [("true", ["newest", "lead"]), ("false", ["old"])])
def test_list_filters_on_unread(org, inbox, query, expected):
    assert titles(api_client(org.rep).get(f"{URL}?unread={query}")) == expected


def test_superuser_sees_only_their_own_too(org, inbox):
    assert titles(api_client(org.admin).get(URL)) == ["admin's"]
    assert api_client(org.admin).get(f"{URL}/unread-count").json() == {"count": 1}


def test_list_runs_constant_queries(org, django_assert_num_queries):
    client = api_client(org.rep)
    NotificationFactory(recipient=org.rep)
    client.get(URL)  # warm up (the token's first use is recorded)
    with django_assert_num_queries(3):  # token + count + page
        client.get(URL)
    Notification.objects.bulk_create(
        Notification(recipient=org.rep, verb="x", title=f"t{i}") for i in range(30)
    )
    with django_assert_num_queries(3):
        response = client.get(f"{URL}?limit=100")
    assert response.json()["count"] == 31


def test_unread_count(org, inbox):
    assert api_client(org.rep).get(f"{URL}/unread-count").json() == {"count": 2}
    assert api_client(org.outsider).get(f"{URL}/unread-count").json() == {"count": 0}


def test_mark_read_by_ids_never_touches_another_users(org, inbox):
    ids = [inbox["lead"].pk, inbox["peer's"].pk, inbox["admin's"].pk, 987654]
    response = api_client(org.rep).post(f"{URL}/read", {"ids": ids}, content_type="application/json")
    assert (response.status_code, response.json()) == (200, {"marked": 1})
    assert unread_titles(org.rep) == ["newest"]
    assert unread_titles(org.peer_rep) == ["peer's"]
    assert unread_titles(org.admin) == ["admin's"]


def test_mark_read_with_empty_body_marks_all_own(org, inbox):
    response = api_client(org.rep).post(f"{URL}/read", {}, content_type="application/json")
    assert response.json() == {"marked": 2}
    assert unread_titles(org.rep) == []
    assert unread_titles(org.peer_rep) == ["peer's"]
    assert api_client(org.rep).get(f"{URL}/unread-count").json() == {"count": 0}


def test_mark_read_refuses_unknown_fields(org, inbox):
    response = api_client(org.rep).post(f"{URL}/read", {"id": [1]}, content_type="application/json")
    assert response.status_code == 422
    assert unread_titles(org.rep) == ["lead", "newest"]


def test_mark_read_limits_the_ids(org):
    response = api_client(org.rep).post(
        f"{URL}/read", {"ids": list(range(1, 1002))}, content_type="application/json"
    )
    assert (response.status_code, response.json()["field"]) == (422, "ids")


@pytest.mark.parametrize(
    ("method", "path"), [("get", URL), ("get", f"{URL}/unread-count"), ("post", f"{URL}/read")]
)
def test_needs_credentials(db, method, path):
    response = getattr(Client(), method)(path, {}, content_type="application/json")
    assert response.status_code == 401


def test_session_writes_need_the_csrf_token(org, inbox):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.rep)
    response = client.post(f"{URL}/read", {}, content_type="application/json")
    assert response.status_code == 403
    assert unread_titles(org.rep) == ["lead", "newest"]
