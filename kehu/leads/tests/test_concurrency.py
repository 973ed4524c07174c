"""Parallel intake on PostgreSQL: several processes posting at once never assign a lead twice or unfairly."""

import multiprocessing
from collections import Counter

import pytest
from django.db import connection, connections

from kehu.leads.models import Lead, LeadAssignment
from kehu.leads.tests.rules import lead_data, make_rule
from kehu.org.tests.factories import UserFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")

PROCESSES, LEADS_EACH = 4, 500


def _post_leads(actor_pk: int, offset: int, start) -> None:
    from kehu.leads.services import lead_capture
    from kehu.org.models import User

    actor = User.objects.get(pk=actor_pk)
    start.wait()
    for i in range(LEADS_EACH):
        n = offset + i
        lead_capture(actor=actor, data={"name": f"并发{n}", "phone": f"+86136{n:08d}", "source": "website"})
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_four_processes_posting_500_leads_each_assign_every_lead_once_and_fairly(org):
    reps = [UserFactory(username=f"rr{i}", department=org.shanghai, role=org.rep.role) for i in range(7)]
    make_rule(reps)
    lead_data()  # the helper's counter is per process; offsets below keep the phones distinct
    connections.close_all()  # children must open their own connections
    context = multiprocessing.get_context("fork")
    start = context.Barrier(PROCESSES)
    workers = [
        context.Process(target=_post_leads, args=(org.dept_manager.pk, p * LEADS_EACH, start))
        for p in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert [w.exitcode for w in workers] == [0] * PROCESSES

    total = PROCESSES * LEADS_EACH
    assert Lead.objects.count() == total
    assert Lead.objects.filter(owner__isnull=True).count() == 0
    assert LeadAssignment.objects.count() == total  # one decision per lead, none repeated
    counts = Counter(Lead.objects.values_list("owner_id", flat=True))
    assert max(counts.values()) - min(counts.values()) <= 1, counts
