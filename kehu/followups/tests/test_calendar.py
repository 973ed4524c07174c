"""The calendar feed: a secret address per user, valid iCalendar of their open plans, rotate and revoke."""

from datetime import UTC, timedelta

from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.calendar import calendar_token_revoke, calendar_token_rotate
from kehu.followups.choices import PlanStatus
from kehu.followups.models import CalendarToken
from kehu.followups.tests.factories import PlanFactory


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def feed(token: str):
    return Client().get(f"/followups/calendar/{token}.ics")


def events(response) -> list:
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_the_feed_lists_my_open_plans_as_events_in_utc(org):
    customer = CustomerFactory(owner=org.rep, name="星河科技; 上海, 分公司")
    due = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    plan = PlanFactory(customer=customer, due_at=due, action="发送报价")
    overdue = PlanFactory(customer=customer, due_at=timezone.now() - timedelta(days=10), action="回访")
    PlanFactory(customer=customer, due_at=timezone.now() + timedelta(days=91), action="太远")
    PlanFactory(customer=customer, due_at=due, action="已完成", status=PlanStatus.DONE)
    PlanFactory(customer=CustomerFactory(owner=org.peer_rep), due_at=due, action="同事的")
    token = calendar_token_rotate(actor=org.rep).token

    response = feed(token)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    found = events(response)
    assert [str(e["summary"]) for e in found] == [
        "星河科技; 上海, 分公司 — 回访",
        "星河科技; 上海, 分公司 — 发送报价",
    ]
    event = found[1]
    assert event.decoded("dtstart") == due.astimezone(UTC)
    assert event["dtstart"].to_ical() == due.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ").encode()
    assert str(event["uid"]) == f"followup-plan-{plan.pk}@testserver"
    assert str(event["url"]) == f"http://testserver/customers/{customer.pk}/"
    assert str(found[0]["uid"]) == f"followup-plan-{overdue.pk}@testserver"
    # RFC 5545: lines end in CRLF and are folded at 75 octets
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))


def test_uids_stay_the_same_from_one_read_to_the_next(org):
    PlanFactory(customer=CustomerFactory(owner=org.rep), due_at=timezone.now() + timedelta(hours=3))
    token = calendar_token_rotate(actor=org.rep).token
    assert [str(e["uid"]) for e in events(feed(token))] == [str(e["uid"]) for e in events(feed(token))]


def test_unknown_rotated_and_revoked_tokens_are_404(org):
    assert feed("not-a-token").status_code == 404
    old = calendar_token_rotate(actor=org.rep).token
    new = calendar_token_rotate(actor=org.rep).token

    assert old != new
    assert len(new) >= 40
    assert feed(old).status_code == 404
    assert feed(new).status_code == 200

    assert calendar_token_revoke(actor=org.rep) == 1
    assert feed(new).status_code == 404
    assert not CalendarToken.objects.exists()


def test_an_inactive_users_feed_is_404(org):
    token = calendar_token_rotate(actor=org.rep).token
    org.rep.is_active = False
    org.rep.save()
    assert feed(token).status_code == 404


def test_rotate_and_revoke_from_the_workbench_card(org):
    client = client_for(org.rep)
    htmx = {"HX-Request": "true", "HX-Target": "calendar-card"}

    created = client.post("/followups/calendar/rotate/", headers=htmx)
    token = CalendarToken.objects.get(user=org.rep).token
    assert created.content.decode().lstrip().startswith('<section id="calendar-card"')
    assert f"/followups/calendar/{token}.ics" in created.content.decode()

    plain = client.post("/followups/calendar/revoke/")
    assert (plain.status_code, plain.url) == (302, "/")
    assert not CalendarToken.objects.filter(user=org.rep).exists()
    assert "Create a calendar address" in client.get("/").content.decode()
    assert client.get("/followups/calendar/rotate/").status_code == 405
    assert Client().post("/followups/calendar/rotate/").status_code == 302  # to the login page
