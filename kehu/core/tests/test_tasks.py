from datetime import datetime, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from kehu.core.tasks import purge_expired_sessions


@pytest.mark.django_db
def test_purge_expired_sessions_removes_expired_and_keeps_live():
    # given one expired and one live session
    now = timezone.now()
    Session.objects.create(session_key="e" * 32, session_data="", expire_date=now - timedelta(minutes=1))
    Session.objects.create(session_key="l" * 32, session_data="", expire_date=now + timedelta(hours=1))

    # when the periodic task runs (called in-process, as the consumer would)
    purge_expired_sessions.call_local()

    # then only the live session is left
    assert list(Session.objects.values_list("session_key", flat=True)) == ["l" * 32]


def test_purge_expired_sessions_runs_once_a_day():
    # given every minute of one day
    start = datetime(2026, 1, 1)
    minutes = [start + timedelta(minutes=m) for m in range(24 * 60)]

    # when the periodic schedule is asked about each of them
    task = purge_expired_sessions.s()
    due = [m for m in minutes if task.validate_datetime(m)]

    # then it is due exactly once
    assert due == [datetime(2026, 1, 1, 19, 17)]
