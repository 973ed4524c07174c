"""Parallel intake on PostgreSQL: several processes posting at once never assign a lead twice or unfairly."""

import multiprocessing
from collections import Counter
from urllib.parse import quote

import pytest
from django.db import connection

from kehu.leads.models import Lead, LeadAssignment
from kehu.leads.tests.intake_worker import post_leads
from kehu.leads.tests.rules import make_rule
from kehu.org.tests.factories import UserFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")

PROCESSES, LEADS_EACH = 4, 500


@pytest.mark.django_db(transaction=True)
def test_four_processes_posting_500_leads_each_assign_every_lead_once_and_fairly(org):
    reps = [UserFactory(username=f"rr{i}", department=org.shanghai, role=org.rep.role) for i in range(7)]
    make_rule(reps)
    db = connection.settings_dict
    login = f"{quote(db['USER'])}:{quote(db['PASSWORD'])}" if db["PASSWORD"] else quote(db["USER"])
    url = f"postgres://{login}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    workers = [
        context.Process(target=post_leads, args=(url, org.dept_manager.pk, p * LEADS_EACH, LEADS_EACH, start))
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
