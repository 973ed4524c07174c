"""Selectors: everyone, whatever their role or data scope, sees only their own notifications."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kehu.notifications.selectors import notification_list, notification_unread_count
from kehu.notifications.tests.factories import NotificationFactory

PERSONAS = ["admin", "director", "dept_manager", "team_lead", "rep", "peer_rep", "other_dept_rep", "outsider"]


@pytest.fixture
def inbox(org):
    """For each persona: one read and one unread notification, titled after the persona."""
    now = timezone.now()
    for name in PERSONAS:
        user = getattr(org, name)
        NotificationFactory(
            recipient=user, title=f"{name} read", read_at=now, created_at=now - timedelta(hours=1)
        )
        NotificationFactory(recipient=user, title=f"{name} unread", created_at=now)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_user_sees_only_their_own_newest_first(org, inbox, persona):
    user = getattr(org, persona)
    assert [n.title for n in notification_list(user=user)] == [f"{persona} unread", f"{persona} read"]
    assert [n.title for n in notification_list(user=user, unread=True)] == [f"{persona} unread"]
    assert [n.title for n in notification_list(user=user, unread=False)] == [f"{persona} read"]
    assert notification_unread_count(user=user) == 1


def test_same_time_orders_by_id(org):
    now = timezone.now()
    first = NotificationFactory(recipient=org.rep, created_at=now)
    second = NotificationFactory(recipient=org.rep, created_at=now)
    assert list(notification_list(user=org.rep)) == [second, first]


def test_unread_count_is_one_query(org, django_assert_num_queries):
    for _ in range(3):
        NotificationFactory(recipient=org.rep)
    NotificationFactory(recipient=org.rep, read_at=timezone.now())
    with django_assert_num_queries(1):
        assert notification_unread_count(user=org.rep) == 3
