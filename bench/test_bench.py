"""Smoke test of the data generator: a tiny data set in the test database, checked for consistency."""

import itertools

import pytest
from django.db.models import Count, F, Q

from bench.generate import SCALES, generate
from kehu.core.activity import Activity
from kehu.customers.models import Contact, Customer
from kehu.customers.services import customer_refresh_search_text
from kehu.leads.models import AssignmentRule, Lead, LeadAssignment
from kehu.leads.services import lead_refresh_keys
from kehu.org.models import Department, User

pytestmark = pytest.mark.django_db


def quiet(_line: str) -> None:
    pass


def test_generated_data_set_is_consistent():
    scale = SCALES["XS"]

    result = generate(scale, out=quiet)

    assert Customer.objects.count() == result.rows["customers"] == scale.customers
    assert Department.objects.count() == scale.departments
    assert User.objects.count() == scale.users
    assert Contact.objects.count() == result.rows["contacts"] > scale.customers
    # every owned customer is filed under its owner's department; a pooled one has neither, and a pool
    owned = Customer.objects.filter(pool=None)
    assert not owned.filter(~Q(department_id=F("owner__department_id")) | Q(owner=None)).exists()
    pooled = Customer.objects.exclude(pool=None)
    assert pooled.exists()
    assert not pooled.exclude(owner=None, department=None, received_at=None).exists()
    assert not pooled.filter(pooled_at=None).exists()
    # 0–4 contacts each, at most one primary among the living
    per_customer = Customer.objects.annotate(
        n=Count("contacts"), primaries=Count("contacts", filter=Q(contacts__is_primary=True))
    )
    assert max(c.n for c in per_customer) <= 4
    assert max(c.primaries for c in per_customer) == 1
    assert Activity.objects.filter(verb="customer.created").count() == scale.customers
    assert User.objects.get(username="manager1").role.name == "Sales manager"
    assert User.objects.get(username="rep001").department.parent.manager.username == "manager1"


def test_generated_leads_are_what_the_services_leave():
    scale = SCALES["XS"]

    result = generate(scale, out=quiet)

    assert Lead.objects.count() == result.rows["leads"] == scale.leads
    assert LeadAssignment.objects.count() == scale.leads
    assert not Lead.objects.exclude(pk__in=LeadAssignment.objects.values("lead_id")).exists()
    # a catch-all round robin over every rep with a 48-hour SLA, after two narrower rules
    catch_all = AssignmentRule.objects.order_by("position").last()
    assert (catch_all.is_active, catch_all.strategy, catch_all.sla_hours) == (True, "round_robin", 48)
    assert catch_all.match_sources == catch_all.match_provinces == []
    assert catch_all.members.count() == scale.reps
    assert AssignmentRule.objects.filter(is_active=True).count() == 3
    # owned leads sit in their owner's department; the pool is unowned and new
    assert (
        not Lead.objects.filter(owner__isnull=False).exclude(department_id=F("owner__department_id")).exists()
    )
    assert not Lead.objects.filter(owner__isnull=True).exclude(status="new", department=None).exists()
    assert Lead.objects.in_pool().exists()
    assert set(Lead.objects.values_list("status", flat=True)) >= {"new", "assigned", "contacted", "invalid"}
    assert not Lead.objects.filter(assigned_at__lt=F("created_at")).exists()
    assert not Lead.objects.filter(status="assigned", sla_due_at=None, duplicate_key="").exists()
    assert not Lead.objects.filter(status="converted", customer=None).exists()
    # a duplicate names its key and what it duplicates, and nothing else is one
    duplicate = Q(duplicate_customer__isnull=False) | Q(duplicate_of__isnull=False)
    assert not Lead.objects.filter(duplicate, duplicate_key="").exists()
    assert not Lead.objects.filter(~duplicate, ~Q(duplicate_key="")).exists()
    ops = User.objects.get(username="ops")
    assert ops.role.name == "Sales operations"
    assert ops.has_perm("leads.add_lead")


def test_lead_keys_are_what_the_service_computes():
    generate("XS", out=quiet)

    for lead in Lead.objects.order_by("id"):
        stored = (lead.search_text, lead.name_key)
        lead_refresh_keys(lead)
        assert (lead.search_text, lead.name_key) == stored, lead.pk
    assert Lead.objects.exclude(name_key="").exists()


def test_search_text_is_what_the_service_computes():
    generate("XS", out=quiet)

    for customer in Customer.objects.order_by("id"):
        stored = customer.search_text
        customer_refresh_search_text(customer)
        assert customer.search_text == stored, customer.pk


def test_refuses_a_database_with_data_unless_reset():
    generate("XS", out=quiet)
    first = list(Customer.objects.order_by("id").values_list("name", "phone", "search_text")[:50])

    with pytest.raises(SystemExit, match="--reset"):
        generate("XS", out=quiet)
    generate("XS", reset=True, out=quiet)

    assert Customer.objects.count() == SCALES["XS"].customers
    assert Lead.objects.count() == SCALES["XS"].leads
    assert list(Customer.objects.order_by("id").values_list("name", "phone", "search_text")[:50]) == first


def test_generated_followups_are_what_the_services_leave():
    from django.db.models import Max, Min

    from kehu.followups.models import FollowUp, FollowUpPlan

    result = generate("XS", out=quiet)

    assert FollowUp.objects.count() == result.rows["follow-ups"] > SCALES["XS"].customers
    assert FollowUpPlan.objects.count() == result.rows["follow-up plans"] > 0
    assert Activity.objects.filter(verb="followup.recorded").count() == FollowUp.objects.count()
    # the customer's last and next follow-up and received-at, as followup_record and transfers keep them
    last = dict(
        FollowUp.objects.alive()
        .values("customer_id")
        .annotate(at=Max("occurred_at"))
        .values_list("customer_id", "at")
    )
    due = dict(
        FollowUpPlan.objects.open()
        .values("customer_id")
        .annotate(at=Min("due_at"))
        .values_list("customer_id", "at")
    )
    for customer in Customer.objects.all():
        assert (customer.last_followup_at, customer.next_followup_at) == (
            last.get(customer.pk),
            due.get(customer.pk),
        ), customer.pk
        if customer.pool_id is None:
            assert customer.created_at <= customer.received_at
    # follow-ups by the owner, after it received the customer; a plan made by the last one, after it
    assert (
        not FollowUp.objects.filter(customer__pool=None)
        .exclude(created_by_id=F("customer__owner_id"))
        .exists()
    )
    assert not FollowUp.objects.filter(occurred_at__lt=F("customer__received_at")).exists()
    assert not FollowUpPlan.objects.exclude(owner_id=F("customer__owner_id")).exists()
    assert not FollowUpPlan.objects.filter(due_at__lte=F("source__occurred_at")).exists()


def test_generated_pools_hold_what_reclaim_and_release_leave():
    from kehu.pool.models import Pool, PoolEvent

    generate("S", out=quiet)

    assert Pool.objects.filter(is_default=True).count() == 1
    pooled = Customer.objects.exclude(pool=None)
    # about 6 % of the open customers, each with one event and one timeline entry naming its pool
    assert 0.03 < pooled.count() / Customer.objects.count() < 0.08
    assert PoolEvent.objects.count() == pooled.count()
    assert not pooled.exclude(pool_events__pool_id=F("pool_id")).exists()
    assert set(PoolEvent.objects.values_list("kind", flat=True)) == {"reclaimed", "released"}
    assert Activity.objects.filter(verb__in=["pool.reclaimed", "pool.released"]).count() == pooled.count()
    # a customer went to its last owner's home pool, after its last follow-up; no plan follows it there
    for event in PoolEvent.objects.select_related("customer", "pool", "from_user__department"):
        if not event.pool.is_default:
            region = event.pool.departments.get()
            assert event.from_user.department.path.startswith(region.path), event.pk
        assert event.customer.last_followup_at is None or event.customer.last_followup_at <= event.created_at
    assert not pooled.filter(status="deal").exists()


def test_the_pool_cases_measure_and_leave_the_data_set_as_it_was():
    from bench import pool_cases
    from bench.run import Outcome
    from kehu.pool.models import PoolEvent

    generate("S", out=quiet)
    before = (
        list(Customer.objects.order_by("pk").values_list("pk", "owner_id", "pool_id", "pooled_at")),
        PoolEvent.objects.count(),
        Activity.objects.count(),
    )

    claim = pool_cases.measure_claim(Outcome, scale="S", requests=5, warmup=1)
    reclaim = pool_cases.measure_reclaim(Outcome, scale="S")

    assert (claim.skipped, claim.status, claim.requests) == ("", 200, 5)
    assert claim.queries > 0
    assert claim.p95_ms > 0
    assert (reclaim.status, reclaim.moved_again) == (200, 0)
    assert reclaim.moved > 0
    after = (
        list(Customer.objects.order_by("pk").values_list("pk", "owner_id", "pool_id", "pooled_at")),
        PoolEvent.objects.count(),
        Activity.objects.count(),
    )
    assert after == before


def test_generated_opportunities_are_what_the_services_leave():
    from collections import defaultdict

    from kehu.sales.opportunities.models import Opportunity, OpportunityMember, StageChange, weighted_amount
    from kehu.sales.opportunities.services.opportunities import _days_since

    result = generate("S", out=quiet)

    opportunities = list(Opportunity.objects.select_related("stage", "customer"))
    assert len(opportunities) == result.rows["opportunities"]
    # about half as many as customers, all of owned, living customers outside the pools, by their owner
    assert 0.35 < len(opportunities) / Customer.objects.count() < 0.6
    statuses = dict.fromkeys(("open", "won", "lost", "suspended", "terminated"), 0)
    for o in opportunities:
        statuses[o.status] += 1
        assert o.customer.pool_id is None
        assert o.customer.deleted_at is None
        assert o.owner_id == o.customer.owner_id
        assert o.department_id == o.customer.department_id
        assert o.weighted_amount == weighted_amount(o.amount, o.probability)
        assert (o.status == "won") == o.stage.is_won
        assert (o.status == "lost") == o.stage.is_lost
        if o.status in ("won", "lost"):
            assert o.close_reason
            assert o.review_summary
            assert o.closed_at
    assert statuses["open"] > len(opportunities) / 2
    assert 0.1 < statuses["won"] / len(opportunities) < 0.2
    assert 0.1 < statuses["lost"] / len(opportunities) < 0.2
    assert statuses["suspended"] > 0
    assert statuses["terminated"] > 0
    # the history: entered, then one move after the other with the days in between, ending where it is
    history = defaultdict(list)
    for change in StageChange.objects.order_by("opportunity_id", "moved_at", "id"):
        history[change.opportunity_id].append(change)
    assert StageChange.objects.count() == result.rows["stage changes"]
    for o in opportunities:
        rows = history[o.pk]
        assert rows[0].from_stage_id is None
        assert rows[0].moved_at == o.created_at
        for before, after in itertools.pairwise(rows):
            assert after.from_stage_id == before.to_stage_id
            assert after.days_in_from_stage == _days_since(before.moved_at, after.moved_at)
        assert rows[-1].to_stage_id == o.stage_id
        assert rows[-1].moved_at == o.stage_entered_at
        assert o.created_at >= o.customer.received_at
    # the timeline: created once each, a move or an outcome per later history row
    verbs = Activity.objects.filter(verb__startswith="opportunity.")
    assert verbs.filter(verb="opportunity.created").count() == len(opportunities)
    moves = StageChange.objects.filter(from_stage__isnull=False).count()
    assert (
        verbs.filter(verb__in=["opportunity.stage_changed", "opportunity.won", "opportunity.lost"]).count()
        == moves
    )
    # the teams: about 5 % have one, of colleagues of the owner's department (never the owner), each added
    # with its timeline entry
    members = list(OpportunityMember.objects.select_related("opportunity", "user"))
    assert len(members) == result.rows["team members"]
    assert 0.03 < len({m.opportunity_id for m in members}) / len(opportunities) < 0.07
    for m in members:
        assert m.user_id != m.opportunity.owner_id
        assert m.user.department_id == m.opportunity.department_id
        assert m.created_at >= m.opportunity.created_at
    assert verbs.filter(verb="opportunity.member_added").count() == len(members)


def test_generated_quotes_are_what_the_services_leave():
    from datetime import timedelta

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from kehu.core.sequences import NumberSequence, sequence_next
    from kehu.sales.quotes.models import Quote, QuoteLine
    from kehu.sales.quotes.totals import LineInput, quote_totals

    result = generate("XS", out=quiet)

    quotes = list(Quote.objects.select_related("opportunity__stage").order_by("id"))
    assert len(quotes) == result.rows["quotes"] > 0
    assert QuoteLine.objects.count() == result.rows["quote lines"]
    lines: dict[int, list[QuoteLine]] = {}
    for line in QuoteLine.objects.order_by("quote_id", "position", "id"):
        lines.setdefault(line.quote_id, []).append(line)
    numbers = [q.number for q in quotes]
    assert len(set(numbers)) == len(numbers)
    by_opportunity: dict[int, list[Quote]] = {}
    for q in quotes:
        by_opportunity.setdefault(q.opportunity_id, []).append(q)
    for q in quotes:
        o = q.opportunity
        # a quote of a late-stage or closed deal, of the deal's customer, by its owner
        assert q.customer_id == o.customer_id
        assert q.created_by_id == o.owner_id
        assert o.status in ("won", "lost") or o.stage.position >= 3
        assert q.created_at >= o.created_at
        assert q.number == f"QT-{timezone.localtime(q.created_at).year}-{q.pk:06d}"
        assert q.valid_until == timezone.localtime(q.created_at).date() + timedelta(days=30)
        # 2–4 free-text lines; the stored totals are quote_totals'
        mine = lines[q.pk]
        assert 2 <= len(mine) <= 4
        assert all(line.product_id is None and line.name and line.unit for line in mine)
        assert all(line.tax_rate in (6, 13) and line.list_price >= line.unit_price for line in mine)
        totals = quote_totals(
            [LineInput(x.quantity, x.unit_price, x.list_price, x.discount_percent, x.tax_rate) for x in mine],
            q.discount_percent,
        )
        assert [line.amount for line in mine] == list(totals.line_amounts)
        assert (q.list_amount, q.subtotal, q.discount_amount) == (
            totals.list_amount,
            totals.subtotal,
            totals.discount_amount,
        )
        assert (q.net_amount, q.tax_amount, q.total, q.effective_discount) == (
            totals.net,
            totals.tax,
            totals.total,
            totals.discount_percent,
        )
        # the status follows the deal (an earlier quote of a pair was sent, then revised)
        pair = by_opportunity[o.pk]
        assert len(pair) <= 2
        if q is not pair[-1]:
            assert q.status == "sent"
            assert q.revision_of_id is None
        else:
            expected = {"won": {"accepted"}, "lost": {"declined"}, "terminated": {"declined"}}
            assert q.status in expected.get(o.status, {"draft", "approved", "sent"})
            assert q.revision_of_id == (pair[0].pk if len(pair) == 2 else None)
        assert q.status != "pending"
        assert (q.submitted_at is None) == (q.status == "draft")
        assert (q.sent_at is None) == (q.status in ("draft", "approved"))
        assert (q.closed_at is None) == (q.status not in ("accepted", "declined"))
        assert bool(q.decline_reason) == (q.status == "declined")
        moments = [t for t in (q.created_at, q.submitted_at, q.sent_at, q.closed_at) if t]
        assert moments == sorted(moments)
        if q.closed_at and o.closed_at:
            assert q.closed_at <= o.closed_at
    statuses = {q.status for q in quotes}
    assert {"accepted", "declined", "sent"} <= statuses
    assert any(q.revision_of_id for q in quotes)
    # about 40 % of the eligible deals have a quote
    from kehu.sales.opportunities.models import Opportunity

    eligible = Opportunity.objects.filter(Q(status__in=["won", "lost"]) | Q(stage__position__gte=3)).count()
    assert 0.2 < len(by_opportunity) / eligible < 0.6
    # one quote.created entry each, on the customer's timeline
    quote_type = ContentType.objects.get_for_model(Quote)
    created = Activity.objects.filter(verb="quote.created", subject_type=quote_type)
    assert created.count() == len(quotes)
    assert not created.exclude(customer_id__in=Quote.objects.values("customer_id")).exists()
    for entry in created.select_related(None)[:20]:
        q = next(q for q in quotes if q.pk == entry.subject_id)
        assert entry.customer_id == q.customer_id
        assert entry.actor_id == q.created_by_id
        assert entry.data["number"] == q.number
    # the next quote continues after the generated numbers of the current year
    year = timezone.localdate().year
    this_year = [q.pk for q in quotes if q.number.startswith(f"QT-{year}-")]
    sequence = NumberSequence.objects.get(key="quote")
    assert (sequence.year, sequence.last_value) == (year, max(this_year, default=0))
    assert sequence_next("quote", prefix="QT-") not in numbers


def test_quote_list_sees_what_visible_to_sees():
    from django.utils import timezone

    from kehu.sales.quotes.models import Quote
    from kehu.sales.quotes.selectors import quote_list

    generate("XS", out=quiet)
    # a deleted opportunity hides its quotes
    deleted = Quote.objects.order_by("id").first().opportunity
    deleted.deleted_at = timezone.now()
    deleted.save(update_fields=["deleted_at"])

    for user in User.objects.all():
        expected = set(Quote.objects.visible_to(user).values_list("pk", flat=True))
        assert set(quote_list(user=user).values_list("pk", flat=True)) == expected, user.username
    rep = User.objects.get(username="rep001")
    assert Quote.objects.visible_to(rep).exists()
    assert not quote_list(user=rep).filter(opportunity=deleted).exists()


def test_generated_sales_are_what_the_services_leave():
    from collections import defaultdict
    from decimal import Decimal

    from django.db.models import Sum
    from django.utils import timezone

    from kehu.core.sequences import NumberSequence, sequence_next
    from kehu.sales.contracts.choices import SIGNED
    from kehu.sales.contracts.models import Contract, ContractLine
    from kehu.sales.orders.models import Order, OrderLine
    from kehu.sales.orders.totals import LineInput, order_totals
    from kehu.sales.payments.choices import PaymentStatus
    from kehu.sales.payments.models import Instalment, Invoice, Receipt, ReceiptAllocation
    from kehu.sales.payments.selectors import contract_payment_summary, receivables, receivables_aging_report
    from kehu.sales.payments.services import reallocate

    scale = SCALES["XS"]
    result = generate(scale, out=quiet)
    today = timezone.localdate()

    # contracts: owner and department the customer's, amount = Σ lines, in every state, numbered per year
    contracts = list(Contract.objects.select_related("customer").order_by("id"))
    assert len(contracts) == result.rows["contracts"] == scale.contracts
    assert ContractLine.objects.count() == result.rows["contract lines"]
    line_sums = dict(ContractLine.objects.values_list("contract_id").annotate(s=Sum("amount")))
    for line in ContractLine.objects.all():
        assert line.amount == (line.quantity * line.unit_price).quantize(Decimal("0.01"))
        assert line.product_id is not None
    statuses = defaultdict(int)
    for c in contracts:
        statuses[c.status] += 1
        assert (c.owner_id, c.department_id) == (c.customer.owner_id, c.customer.department_id)
        assert c.amount == line_sums[c.pk] > 0
        assert c.number.startswith(f"HT-{timezone.localtime(c.created_at).year}-")
        assert (c.signed_on is not None) == (c.status in (*SIGNED, "terminated"))
        if c.signed_on:
            assert c.submitted_at <= c.approved_at
            assert timezone.localtime(c.approved_at).date() <= c.signed_on <= today
        moments = [t for t in (c.created_at, c.submitted_at, c.approved_at, c.started_at) if t]
        assert moments == sorted(moments)
        assert (c.completed_at is not None) == (c.status == "completed")
        assert (c.terminated_at is not None) == bool(c.termination_reason) == (c.status == "terminated")
    assert set(statuses) >= {"draft", "approved", "executing", "completed", "terminated"}  # pending: rare
    assert statuses["executing"] + statuses["completed"] > len(contracts) / 2
    assert len({c.number for c in contracts}) == len(contracts)

    # instalments add up exactly to the amount of every signed contract, 1–4 of them
    plans = defaultdict(list)
    for i in Instalment.objects.order_by("contract_id", "position"):
        plans[i.contract_id].append(i)
    signed = [c for c in contracts if c.signed_on]
    assert set(plans) == {c.pk for c in signed}
    for c in signed:
        assert 1 <= len(plans[c.pk]) <= 4
        assert sum(i.amount for i in plans[c.pk]) == c.amount
        assert all(i.due_on >= c.signed_on for i in plans[c.pk])

    # allocations never exceed the receipt or the instalment; credit is what is left of a receipt
    allocated_to = dict(
        ReceiptAllocation.objects.values_list("instalment_id").annotate(s=Sum("amount")).order_by()
    )
    allocated_from = dict(
        ReceiptAllocation.objects.values_list("receipt_id").annotate(s=Sum("amount")).order_by()
    )
    for i in Instalment.objects.all():
        assert allocated_to.get(i.pk, 0) <= i.amount
        assert i.paid == allocated_to.get(i.pk, 0)  # the column reallocate() keeps
    receipts = list(Receipt.objects.select_related("contract"))
    assert receipts
    for r in receipts:
        assert r.received_on <= today
        assert r.contract.signed_on <= r.received_on
        if r.voided_at:
            assert r.pk not in allocated_from
            assert r.credit == 0
            assert r.void_reason
        else:
            assert allocated_from.get(r.pk, 0) + r.credit == r.amount
    # …and exactly what reallocate() computes
    before = sorted(ReceiptAllocation.objects.values_list("receipt_id", "instalment_id", "amount"))
    credits = dict(Receipt.objects.values_list("pk", "credit"))
    paid = dict(Instalment.objects.values_list("pk", "paid"))
    for c in Contract.objects.filter(pk__in=Receipt.objects.values("contract_id")):
        reallocate(c)
    assert sorted(ReceiptAllocation.objects.values_list("receipt_id", "instalment_id", "amount")) == before
    assert dict(Receipt.objects.values_list("pk", "credit")) == credits
    assert dict(Instalment.objects.values_list("pk", "paid")) == paid
    assert Receipt.objects.filter(voided_at__isnull=False).exists() or len(receipts) < 100
    assert Invoice.objects.count() == result.rows["invoices"] > 0

    # the receivables: overdue rows in every aging bucket, outstanding = amount − paid, in scope
    manager = User.objects.get(username="manager1")
    director = User.objects.get(username="director")
    # SQLite sums decimals as floats: compare sums to the cent
    cent = Decimal("0.01")
    rows = list(receivables(user=director))
    assert rows
    assert all(r.outstanding > 0 and r.contract.status in SIGNED for r in rows)
    for r in rows:
        assert r.outstanding == r.amount - allocated_to.get(r.pk, 0)
    aging = {b["bucket"]: b for b in receivables_aging_report(user=director).buckets}
    assert all(aging[key]["count"] > 0 for key in ("not_due", "1_30", "31_60", "61_90", "over_90")), aging
    total = sum(b["amount"] for b in aging.values())
    assert total.quantize(cent) == sum(r.outstanding for r in rows).quantize(cent)
    mine = list(receivables(user=manager))
    assert 0 < len(mine) < len(rows)
    # payment summaries: paid, overdue, partly paid and unpaid contracts; outstanding = amount − received
    summaries = defaultdict(int)
    for c in signed:
        summary = contract_payment_summary(c)
        summaries[summary.status] += 1
        assert summary.outstanding.quantize(cent) == max(c.amount - summary.received, 0).quantize(cent)
        assert summary.received.quantize(cent) == sum(
            (a for (rid, _i, a) in before if rid in {r.pk for r in receipts if r.contract_id == c.pk}),
            Decimal(0),
        )
    assert set(summaries) >= {PaymentStatus.PAID, PaymentStatus.OVERDUE}

    # orders: totals = Σ lines as order_totals computes them; owner and department the customer's
    orders = list(Order.objects.select_related("customer").order_by("id"))
    assert len(orders) == result.rows["orders"] == scale.orders
    lines = defaultdict(list)
    for line in OrderLine.objects.order_by("order_id", "position"):
        lines[line.order_id].append(line)
    assert sum(len(x) for x in lines.values()) == result.rows["order lines"]
    numbers = {c.number: c for c in contracts}
    for o in orders:
        mine = lines[o.pk]
        assert 1 <= len(mine) <= 4
        assert all(x.product_id for x in mine)
        totals = order_totals(LineInput(x.quantity, x.unit_price, x.unit_cost) for x in mine)
        assert [x.amount for x in mine] == list(totals.amounts)
        assert [x.cost_amount for x in mine] == list(totals.cost_amounts)
        assert (o.total, o.cost_total, o.gross_profit) == (
            totals.total,
            totals.cost_total,
            totals.gross_profit,
        )
        assert (o.owner_id, o.department_id) == (o.customer.owner_id, o.customer.department_id)
        assert o.order_date <= today
        assert o.number.startswith(f"SO-{o.order_date.year}-")
        assert o.order_date >= timezone.localtime(o.customer.created_at).date()
        assert bool(o.cancel_reason) == (o.status == "cancelled")
        if o.source_reference:
            c = numbers[o.source_reference]
            assert c.customer_id == o.customer_id
            assert c.status in SIGNED
            assert c.signed_on <= o.order_date
            if hasattr(o, "contract_id"):
                assert o.contract_id == c.pk
    order_statuses = defaultdict(int)
    for o in orders:
        order_statuses[o.status] += 1
    assert set(order_statuses) == {"draft", "confirmed", "shipped", "completed", "cancelled"}
    assert sum(order_statuses[s] for s in ("confirmed", "shipped", "completed")) > 0.85 * len(orders)
    assert any(o.source_reference for o in orders)
    assert [o.pk for o in sorted(orders, key=lambda o: (o.order_date, o.pk))] == [o.pk for o in orders]
    assert len({o.number for o in orders}) == len(orders)

    # the purchase statistics' monthly rollups are built from these orders (when the app has them)
    from django.apps import apps

    if apps.is_installed("kehu.sales.statistics"):
        from kehu.sales.statistics.models import PurchaseMonth, RollupMonth

        purchases = Order.objects.purchases()
        assert RollupMonth.objects.exists()
        assert not RollupMonth.objects.filter(stale=True).exists()
        rolled = PurchaseMonth.objects.aggregate(n=Sum("purchases"), amount=Sum("amount"))
        assert rolled["n"] == purchases.count()
        assert rolled["amount"] == purchases.aggregate(s=Sum("total"))["s"]

    # the next numbers continue after the generated ones
    for key, prefix, documents in (("order", "SO-", orders), ("contract", "HT-", contracts)):
        taken = {d.number for d in documents}
        sequence = NumberSequence.objects.get(key=key)
        assert sequence.year == today.year
        assert sequence_next(key, prefix=prefix) not in taken
