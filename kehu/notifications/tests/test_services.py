"""notify (rows, inactive recipients, email after commit) and the read services: only the actor's own rows."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from kehu.notifications.models import Notification
from kehu.notifications.services import Message, notification_mark_read, notification_open, notify
from kehu.notifications.tests.factories import NotificationFactory
from kehu.org.tests.factories import UserFactory


def unread_titles(user) -> list[str]:
    return sorted(
        Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("title", flat=True)
    )


# notify ---------------------------------------------------------------------------------------------------


def test_notify_stores_one_row_per_message(org):
    # when two people are notified
    created = notify(
        messages=[
            Message(recipient=org.rep, verb="lead.assigned", title="New lead", body="Acme", url="/leads/1/"),
            Message(recipient=org.peer_rep, verb="lead.assigned", title="Another lead"),
        ],
        email=False,
    )

    # then each has one unread row with exactly what was sent
    assert len(created) == 2
    rows = Notification.objects.order_by("id").values_list(
        "recipient", "verb", "title", "body", "url", "read_at"
    )
    assert list(rows) == [
        (org.rep.pk, "lead.assigned", "New lead", "Acme", "/leads/1/", None),
        (org.peer_rep.pk, "lead.assigned", "Another lead", "", "", None),
    ]


def test_notify_skips_inactive_and_missing_recipients(org, django_capture_on_commit_callbacks):
    # given a deactivated user
    gone = UserFactory(username="gone", is_active=False)

    # when they, nobody and an active rep are notified
    with django_capture_on_commit_callbacks() as callbacks:
        created = notify(
            messages=[
                Message(recipient=gone, verb="x", title="to the gone"),
                Message(recipient=None, verb="x", title="to nobody"),
                Message(recipient=org.rep, verb="x", title="to the rep"),
            ]
        )

    # then only the rep gets a row, and one email job is queued
    assert [n.title for n in created] == ["to the rep"]
    assert list(Notification.objects.values_list("title", flat=True)) == ["to the rep"]
    assert len(callbacks) == 1


def test_notify_with_nobody_to_tell_does_nothing(org, django_capture_on_commit_callbacks):
    gone = UserFactory(username="gone", is_active=False)
    with django_capture_on_commit_callbacks() as callbacks:
        assert notify(messages=[Message(recipient=gone, verb="x", title="t")]) == []
    assert Notification.objects.count() == 0
    assert callbacks == []


def test_notify_cuts_overlong_text_to_the_columns(org):
    notify(messages=[Message(recipient=org.rep, verb="x", title="T" * 300, body="B" * 3000)], email=False)
    row = Notification.objects.get()
    assert (len(row.title), len(row.body)) == (200, 2000)


def test_emails_go_out_only_after_commit(org, django_capture_on_commit_callbacks, mailoutbox, huey_immediate):
    # when the rep is notified inside a transaction
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            messages=[
                Message(recipient=org.rep, verb="lead.assigned", title="New lead: Acme", body="Call today.")
            ]
        )[0]
        # then nothing is mailed before the commit
        assert mailoutbox == []

    # then after it, one email goes to the rep, linking through the notification's open page
    assert [(m.subject, m.to, m.from_email) for m in mailoutbox] == [
        ("New lead: Acme", ["rep1@example.com"], "kehu@localhost")
    ]
    assert mailoutbox[0].body == f"Call today.\n\nhttp://127.0.0.1:8000/notifications/{notification.pk}/open/"


def test_each_recipient_gets_their_own_email(
    org, django_capture_on_commit_callbacks, mailoutbox, huey_immediate
):
    no_address = UserFactory(username="noaddress", email="")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            messages=[
                Message(recipient=org.rep, verb="x", title="one"),
                Message(recipient=org.rep, verb="x", title="two"),
                Message(recipient=org.peer_rep, verb="x", title="three"),
                Message(recipient=no_address, verb="x", title="kept in the app only"),
            ]
        )
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("rep1@example.com", "one"),
        ("rep1@example.com", "two"),
        ("rep3@example.com", "three"),
    ]
    assert Notification.objects.filter(recipient=no_address).count() == 1


def test_email_false_sends_nothing(org, django_capture_on_commit_callbacks, mailoutbox, huey_immediate):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(messages=[Message(recipient=org.rep, verb="x", title="quiet")], email=False)
    assert callbacks == []
    assert mailoutbox == []


# notification_mark_read -----------------------------------------------------------------------------------


def test_mark_all_read_touches_only_the_actors_unread_rows(org, django_assert_num_queries):
    # given two unread of the rep's, one already read, and one of a peer's
    earlier = timezone.now() - timedelta(days=1)
    NotificationFactory(recipient=org.rep, title="a")
    NotificationFactory(recipient=org.rep, title="b")
    old = NotificationFactory(recipient=org.rep, title="c", read_at=earlier)
    NotificationFactory(recipient=org.peer_rep, title="peer's")

    # when the rep marks all read, in one UPDATE
    with django_assert_num_queries(1):
        marked = notification_mark_read(actor=org.rep)

    # then the rep's two unread ones changed, the old read time stayed and the peer's row is untouched
    assert marked == 2
    assert unread_titles(org.rep) == []
    old.refresh_from_db()
    assert old.read_at == earlier
    assert unread_titles(org.peer_rep) == ["peer's"]


def test_mark_read_by_ids_ignores_other_users_ids(org):
    mine = NotificationFactory(recipient=org.rep, title="mine")
    NotificationFactory(recipient=org.rep, title="mine, not asked")
    theirs = NotificationFactory(recipient=org.peer_rep, title="theirs")

    marked = notification_mark_read(actor=org.rep, ids=[mine.pk, theirs.pk])

    assert marked == 1
    assert unread_titles(org.rep) == ["mine, not asked"]
    assert unread_titles(org.peer_rep) == ["theirs"]


def test_mark_read_with_no_ids_marks_nothing(org, django_assert_num_queries):
    NotificationFactory(recipient=org.rep, title="a")
    with django_assert_num_queries(0):
        assert notification_mark_read(actor=org.rep, ids=[]) == 0
    assert unread_titles(org.rep) == ["a"]


# notification_open ----------------------------------------------------------------------------------------


def test_open_marks_read_once(org):
    notification = NotificationFactory(recipient=org.rep)

    opened = notification_open(actor=org.rep, pk=notification.pk)
    first = opened.read_at
    again = notification_open(actor=org.rep, pk=notification.pk)

    assert opened == notification
    assert first is not None
    assert again.read_at == first


def test_open_refuses_another_users_notification(org):
    theirs = NotificationFactory(recipient=org.peer_rep)
    with pytest.raises(Http404):
        notification_open(actor=org.admin, pk=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.read_at is None
