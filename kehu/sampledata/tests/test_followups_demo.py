"""The demo's follow-ups: history, plans due today and overdue per rep, the customers' times kept right."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Max, Min

from kehu.core.activity import Activity
from kehu.customers.models import Customer
from kehu.followups.models import FollowUp, FollowUpPlan
from kehu.followups.selectors import plan_list
from kehu.org.models import User


@pytest.mark.django_db
def test_demo_writes_followups_and_plans_and_keeps_customer_times_right():
    call_command("demo", customers=300, stdout=StringIO())

    assert FollowUp.objects.count() > 300
    assert Activity.objects.filter(verb="followup.recorded").count() == FollowUp.objects.count()
    rep = User.objects.get(username="rep1")
    assert plan_list(user=rep, due="today").exists()
    assert plan_list(user=rep, due="overdue").exists()
    assert not Customer.objects.filter(owner__isnull=False, received_at__isnull=True).exists()
    last = dict(
        FollowUp.objects.values("customer_id")
        .annotate(at=Max("occurred_at"))
        .values_list("customer_id", "at")
    )
    following = dict(
        FollowUpPlan.objects.filter(status="open")
        .values("customer_id")
        .annotate(at=Min("due_at"))
        .values_list("customer_id", "at")
    )
    for pk, last_at, next_at in Customer.objects.values_list("pk", "last_followup_at", "next_followup_at"):
        assert (last_at, next_at) == (last.get(pk), following.get(pk))
