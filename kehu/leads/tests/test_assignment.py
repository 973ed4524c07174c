"""The assignment engine: fairness of each strategy, caps, who is never picked, fallbacks, SLA, preview."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from kehu.leads.assignment import daily_quota
from kehu.leads.choices import AssignmentReason, AssignmentStrategy, Fallback, LeadStatus
from kehu.leads.models import AssignmentRule, Lead, LeadAssignment
from kehu.leads.services import leads_reassign_overdue, rule_preview, rule_save
from kehu.leads.tests.rules import capture, make_rule
from kehu.org.tests.factories import UserFactory


@pytest.fixture
def reps(org):
    return [UserFactory(username=f"pick{i}", department=org.shanghai, role=org.rep.role) for i in range(7)]


def owners(leads):
    return Counter(lead.owner_id for lead in leads)


def test_round_robin_gives_1000_leads_to_7_reps_142_or_143_each(reps):
    make_rule(reps)
    leads = []
    for _ in range(10):  # batches, as the API and the importer send them
        leads += capture(count=100)
    counts = owners(leads)
    assert set(counts) == {r.pk for r in reps}
    assert sorted(counts.values()) == [142, 143, 143, 143, 143, 143, 143]  # 1000 = 7 × 142 + 6
    assert Lead.objects.filter(status=LeadStatus.ASSIGNED).count() == 1000


def test_round_robin_takes_turns_across_single_leads_and_restarts(reps):
    rule = make_rule(reps[:3])
    first = [capture()[0].owner_id for _ in range(3)]
    rule.refresh_from_db()  # what a restarted process reads back
    assert rule.state["current"]
    after = [capture()[0].owner_id for _ in range(3)]
    assert sorted(first) == sorted(r.pk for r in reps[:3])
    assert after == first


def test_weighted_2_1_1_stays_within_one_of_the_shares(reps):
    a, b, c = reps[:3]
    make_rule([a, b, c], strategy=AssignmentStrategy.WEIGHTED, weights={a.pk: 2})
    counts = owners(capture(count=1000))
    assert abs(counts[a.pk] - 500) <= 1
    assert abs(counts[b.pk] - 250) <= 1
    assert abs(counts[c.pk] - 250) <= 1


def test_least_open_leads_fills_the_emptiest_book_first(reps):
    a, b = reps[:2]
    make_rule([a], name="seed")
    capture(count=4)  # a now holds 4 open leads
    AssignmentRule.objects.update(is_active=False)
    make_rule([a, b], strategy=AssignmentStrategy.LEAST_OPEN)
    counts = owners(capture(count=6))
    assert counts == {b.pk: 5, a.pk: 1}


def test_capacity_strategy_spreads_the_monthly_capacity_into_a_daily_quota(reps):
    a, b = reps[:2]
    make_rule([a, b], strategy=AssignmentStrategy.CAPACITY, capacities={a.pk: 90, b.pk: 28})
    quota_a, quota_b = daily_quota(90, timezone.now()), daily_quota(28, timezone.now())  # 3–4 and 1
    counts = owners(capture(count=10))
    assert (counts[a.pk], counts[b.pk], counts[None]) == (quota_a, quota_b, 10 - quota_a - quota_b)


def test_daily_and_open_caps_are_respected_then_the_fallback_person_gets_the_rest(org, reps):
    a, b = reps[:2]
    make_rule([a, b], daily_cap=3, fallback=Fallback.USER, fallback_user=org.team_lead)
    leads = capture(count=10)
    counts = owners(leads)
    assert counts[a.pk] == 3
    assert counts[b.pk] == 3
    assert counts[org.team_lead.pk] == 4
    reasons = Counter(LeadAssignment.objects.values_list("reason", flat=True))
    assert reasons == {AssignmentReason.RULE: 6, AssignmentReason.FALLBACK_USER: 4}


def test_open_cap_counts_open_leads_only(reps):
    a, b = reps[:2]
    make_rule([a, b], open_cap=2)
    leads = capture(count=4)
    assert owners(leads) == {a.pk: 2, b.pk: 2}
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(status=LeadStatus.INVALID)
    assert owners(capture(count=4)) == {a.pk: 2, b.pk: 2}


def test_inactive_departed_and_on_leave_people_are_never_picked(org, reps):
    a, departed, away, d = reps[:4]
    departed.is_active = False
    departed.save()
    away.on_leave = True
    away.save()
    make_rule([a, departed, away])
    rule = AssignmentRule.objects.get()
    rule.departments.add(org.east)  # a department assignee set includes its subtree
    counts = owners(capture(count=50))
    assert departed.pk not in counts
    assert away.pk not in counts
    assert a.pk in counts
    assert d.pk in counts


def test_everyone_capped_goes_to_the_lead_pool_never_dropped(reps):
    make_rule(reps[:2], daily_cap=1)
    leads = capture(count=5)
    assert owners(leads) == {reps[0].pk: 1, reps[1].pk: 1, None: 3}
    assert Lead.objects.in_pool().count() == 3
    assert LeadAssignment.objects.filter(reason=AssignmentReason.FALLBACK_POOL).count() == 3


def test_no_matching_rule_sends_the_lead_to_the_pool_with_the_reason(reps):
    make_rule(reps, match_sources=["exhibition"])
    [lead] = capture(source="website")
    assert lead.owner_id is None
    assert lead.status == LeadStatus.NEW
    assert LeadAssignment.objects.get(lead=lead).reason == AssignmentReason.NO_RULE


def test_rules_are_tried_in_order_and_match_on_region_industry_campaign_and_custom_fields(reps):
    a, b, c = reps[:3]
    make_rule([a], position=1, match_provinces=["浙江"], match_industries=["it"])
    make_rule([b], position=2, match_campaigns=["2026春季展"], match_field="product", match_value="ERP")
    make_rule([c], position=3)
    [zj] = capture(province="浙江", industry="it")
    [camp] = capture(campaign="2026春季展", extra={"product": "ERP"})
    [other] = capture(campaign="2026春季展", extra={"product": "CRM"})
    assert (zj.owner_id, camp.owner_id, other.owner_id) == (a.pk, b.pk, c.pk)
    assert zj.rule.position == 1


def test_sla_job_reassigns_untouched_leads_to_someone_else_and_records_it(reps):
    a, b = reps[:2]
    make_rule([a, b], sla_hours=4)
    leads = capture(count=2)
    contacted = leads[1]
    Lead.objects.filter(pk=contacted.pk).update(status=LeadStatus.CONTACTED)
    later = timezone.now() + timedelta(hours=5)
    assert leads_reassign_overdue(now=later) == 1
    moved = Lead.objects.get(pk=leads[0].pk)
    assert moved.owner_id != leads[0].owner_id
    assert moved.owner_id in (a.pk, b.pk)
    assert moved.sla_due_at == later + timedelta(hours=4)
    log = LeadAssignment.objects.filter(lead=moved).first()
    assert (log.reason, log.previous_owner_id) == (AssignmentReason.SLA, leads[0].owner_id)
    assert leads_reassign_overdue(now=later) == 0  # nothing is due twice


def test_preview_counts_without_writing(reps):
    capture(count=30, source="website")
    capture(count=10, source="exhibition")
    rule = make_rule(reps[:3], is_active=False, match_sources=["website"])
    before = (Lead.objects.values_list("id", "owner_id").order_by("id"), LeadAssignment.objects.count())
    result = rule_preview(rule=rule, last=40)
    assert result["leads"] == 40
    assert result["matching"] == 30
    assert sorted(n for _name, n in result["to_people"]) == [10, 10, 10]
    assert result["to_pool"] == 0
    rule.refresh_from_db()
    assert rule.state == {}
    assert (list(before[0]), before[1]) == (
        list(Lead.objects.values_list("id", "owner_id").order_by("id")),
        LeadAssignment.objects.count(),
    )


def test_the_engine_sees_rule_changes_at_once(reps, org):
    a, b, c = reps[:3]
    rule = make_rule([a])
    assert capture()[0].owner_id == a.pk
    rule_save(actor=org.admin, rule=rule, data={}, members=[{"user": b.pk}], department_ids=[])
    assert capture()[0].owner_id == b.pk
    make_rule([c], position=1, match_sources=["exhibition"])
    assert capture(source="exhibition")[0].owner_id == c.pk
    AssignmentRule.objects.filter(position=1).update(is_active=False)  # even past the services
    assert capture(source="exhibition")[0].owner_id == b.pk


def test_a_fallback_person_is_read_once_per_batch_and_never_when_inactive(reps, org):
    a, boss = reps[0], reps[6]
    make_rule([a], daily_cap=1, fallback=Fallback.USER, fallback_user=boss)
    leads = capture(count=20)
    assert owners(leads) == {a.pk: 1, boss.pk: 19}
    boss.on_leave = True
    boss.save()
    assert capture()[0].owner_id is None  # a's cap is used up and the fallback person is away
