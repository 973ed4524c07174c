"""The reminder job: one in-app notification per plan when its time comes, never twice, never too early."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kehu.customers.tests.factories import CustomerFactory
from kehu.followups import services
from kehu.followups.choices import PlanStatus
from kehu.followups.models import FollowUpPlan
from kehu.followups.services import plans_remind_due
from kehu.followups.tasks import remind_due_plans
from kehu.followups.tests.factories import PlanFactory
from kehu.notifications.models import Notification


def test_a_due_plan_is_reminded_once_with_a_link_to_its_customer(org, mailoutbox):
    customer = CustomerFactory(owner=org.rep, name="星河科技")
    plan = PlanFactory(customer=customer, due_at=timezone.now() - timedelta(minutes=1), action="发送报价")

    assert plans_remind_due() == 1
    assert plans_remind_due() == 0

    notification = Notification.objects.get()
    assert notification.recipient == org.rep
    assert notification.verb == "followup_plan.due"
    assert notification.title == "Time to follow up: 星河科技"
    assert "发送报价" in notification.body
    assert notification.url == f"/customers/{customer.pk}/?tab=followups"
    plan.refresh_from_db()
    assert plan.reminded_at is not None
    assert mailoutbox == []  # in-app only


def test_nothing_before_its_time_nor_for_closed_plans(org):
    customer = CustomerFactory(owner=org.rep)
    now = timezone.now()
    PlanFactory(customer=customer, due_at=now + timedelta(minutes=1))
    PlanFactory(customer=customer, due_at=now - timedelta(minutes=5), status=PlanStatus.DONE)
    PlanFactory(customer=customer, due_at=now - timedelta(minutes=5), status=PlanStatus.CANCELLED)

    assert plans_remind_due(now=now) == 0
    assert not Notification.objects.exists()
    assert not FollowUpPlan.objects.filter(reminded_at__isnull=False).exists()

    assert plans_remind_due(now=now + timedelta(minutes=2)) == 1


def test_plans_on_pooled_or_deleted_customers_are_not_reminded(org):
    past = timezone.now() - timedelta(minutes=5)
    pooled = CustomerFactory(owner=None)
    PlanFactory(customer=pooled, owner=org.rep, created_by=org.rep, due_at=past)
    PlanFactory(customer=CustomerFactory(owner=org.rep, deleted_at=timezone.now()), due_at=past)

    assert plans_remind_due() == 0
    assert not Notification.objects.exists()


def test_an_old_plan_is_marked_without_a_notification(org):
    """After downtime, or when reminders are switched on, yesterday's backlog is not sent all at once."""
    customer = CustomerFactory(owner=org.rep)
    old = PlanFactory(customer=customer, due_at=timezone.now() - timedelta(days=3))
    recent = PlanFactory(customer=customer, due_at=timezone.now() - timedelta(hours=2))

    assert plans_remind_due() == 1
    assert plans_remind_due() == 0

    assert Notification.objects.count() == 1
    assert FollowUpPlan.objects.filter(pk__in=[old.pk, recent.pk], reminded_at__isnull=False).count() == 2


def test_an_inactive_owner_gets_nothing_but_the_plan_is_marked(org):
    plan = PlanFactory(customer=CustomerFactory(owner=org.rep), due_at=timezone.now() - timedelta(minutes=1))
    org.rep.is_active = False
    org.rep.save()

    assert plans_remind_due() == 0
    plan.refresh_from_db()
    assert plan.reminded_at is not None


def test_batches_are_claimed_until_none_is_left(org, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(services, "REMIND_BATCH", 4)
    past = timezone.now() - timedelta(minutes=1)
    for _ in range(10):
        PlanFactory(customer=CustomerFactory(owner=org.rep), due_at=past)

    # per batch: savepoint, select, update, insert, release: three batches, whatever the rows
    with django_assert_max_num_queries(3 * 5):
        assert plans_remind_due() == 10
    assert Notification.objects.count() == 10


def test_the_periodic_task_runs_the_service(org):
    PlanFactory(customer=CustomerFactory(owner=org.rep), due_at=timezone.now() - timedelta(minutes=1))
    remind_due_plans.call_local()
    assert Notification.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_remind_each_plan_once(org):
    past = timezone.now() - timedelta(minutes=1)
    for _ in range(30):
        PlanFactory(customer=CustomerFactory(owner=org.rep), due_at=past)
    results: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait()
            results.append(plans_remind_due())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sum(results) == 30
    assert Notification.objects.count() == 30
    assert Notification.objects.values("url").distinct().count() == 30
