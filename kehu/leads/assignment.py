"""The assignment engine: which rule a lead matches, and which person of that rule gets it.

For a batch of leads the engine reads each matching rule and its people once, locks the rule row (the
strategy's counters live there) and the candidates' user rows (in id order, so that two rules never
deadlock), counts the candidates' leads of today and open leads in one grouped query, then decides
for every lead in memory. Parallel intake on PostgreSQL therefore queues on the rule's lock and never
hands out the same turn twice; on SQLite every write transaction is serialised anyway.
"""

from __future__ import annotations

import calendar
import copy
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from kehu.leads.choices import OPEN_STATUSES, AssignmentReason, AssignmentStrategy, Fallback
from kehu.leads.models import AssignmentRule, Lead, RuleMember
from kehu.org.models import Department, User


@dataclass
class Decision:
    lead: Lead
    assignee: User | None
    reason: str
    rule: AssignmentRule | None = None

    @property
    def strategy(self) -> str:
        return self.rule.strategy if self.rule and self.reason == AssignmentReason.RULE else ""


@dataclass
class Candidate:
    user: User
    weight: int = 1
    monthly_capacity: int | None = None
    today: int = 0
    open: int = 0


def rule_matches(rule: AssignmentRule, lead: Lead) -> bool:
    checks = (
        (rule.match_sources, lead.source),
        (rule.match_provinces, lead.province),
        (rule.match_industries, lead.industry),
        (rule.match_campaigns, lead.campaign),
    )
    if any(allowed and value not in allowed for allowed, value in checks):
        return False
    if rule.match_field:
        return str((lead.extra or {}).get(rule.match_field, "")) == rule.match_value
    return True


_cached_rules: tuple[tuple, list[AssignmentRule]] | None = None


def _rules_stamp() -> tuple:
    """A value that changes whenever a rule, its people or its departments change: one cheap query.

    Rules change through `rule_save` or the admin, which save the rule (bumping `updated_at`) and replace
    its people; the counts and the highest member id catch rows added or removed on their own.
    """
    quote = connection.ops.quote_name
    rules, members = quote(AssignmentRule._meta.db_table), quote(RuleMember._meta.db_table)
    links = quote(AssignmentRule.departments.through._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), SUM(CASE WHEN is_active THEN 1 ELSE 0 END), MAX(updated_at),"
            f" (SELECT COUNT(*) FROM {members}), (SELECT MAX(id) FROM {members}),"
            f" (SELECT COUNT(*) FROM {links}) FROM {rules}"
        )
        return tuple(cursor.fetchone())


def active_rules() -> list[AssignmentRule]:
    """The switched-on rules in order, with their people and departments, kept per process until they change.

    Each call gets its own copies: the engine writes the strategy's counters into `state`.
    """
    global _cached_rules
    stamp = _rules_stamp()
    if _cached_rules is None or _cached_rules[0] != stamp:
        rules = list(AssignmentRule.objects.filter(is_active=True).prefetch_related("members", "departments"))
        _cached_rules = (stamp, rules)
    return [copy.copy(rule) for rule in _cached_rules[1]]


def first_matching_rule(rules: Iterable[AssignmentRule], lead: Lead) -> AssignmentRule | None:
    return next((rule for rule in rules if rule_matches(rule, lead)), None)


def local_day_start(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def rule_candidates(rule: AssignmentRule, *, lock: bool) -> list[Candidate]:
    """The rule's people who may receive leads now (active, not on leave), with weights and capacities."""
    members = {m.user_id: m for m in rule.members.all()}
    condition = Q(pk__in=members)
    paths = [d.path for d in rule.departments.all()]
    if paths:
        subtree = Q()
        for path in paths:
            subtree |= Q(path__startswith=path)
        condition |= Q(department__in=Department.objects.filter(subtree))
    users = User.objects.assignable().filter(condition).select_related(None).order_by("pk")
    if lock:
        users = users.select_for_update(of=("self",))
    return [
        Candidate(
            user=user,
            weight=members[user.pk].weight if user.pk in members else 1,
            monthly_capacity=members[user.pk].monthly_capacity if user.pk in members else None,
        )
        for user in users
    ]


def count_loads(
    candidates: Sequence[Candidate], now: datetime, *, count_today: bool, count_open: bool
) -> None:
    """Fill in each candidate's leads assigned today and/or open leads: a grouped query for each.

    Only what the rule needs is counted. Today's leads come from the (owner, assigned_at) index; open
    leads from the partial index of open leads per owner.
    """
    owners = [c.user.pk for c in candidates]
    if not owners:
        return
    living = Lead.objects.filter(owner_id__in=owners, deleted_at__isnull=True)
    counts = {
        name: dict(rows.values("owner_id").annotate(n=Count("id")).values_list("owner_id", "n"))
        for name, rows, wanted in (
            ("today", living.filter(assigned_at__gte=local_day_start(now)), count_today),
            ("open", living.filter(status__in=OPEN_STATUSES), count_open),
        )
        if wanted
    }
    for candidate in candidates:
        candidate.today = counts.get("today", {}).get(candidate.user.pk, 0)
        candidate.open = counts.get("open", {}).get(candidate.user.pk, 0)


def daily_quota(monthly_capacity: int, now: datetime) -> int:
    days = calendar.monthrange(now.year, now.month)[1]
    return math.ceil(monthly_capacity / days)


@dataclass
class Picker:
    """Chooses among a rule's candidates lead by lead, keeping the rule's counters and the caps."""

    rule: AssignmentRule
    candidates: list[Candidate]
    now: datetime
    weights: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        saved = (self.rule.state or {}).get("current", {})
        self.weights = {str(c.user.pk): int(saved.get(str(c.user.pk), 0)) for c in self.candidates}

    def _eligible(self, exclude: int | None) -> list[Candidate]:
        rule, strategy = self.rule, self.rule.strategy
        eligible = []
        for c in self.candidates:
            if c.user.pk == exclude:
                continue
            if rule.daily_cap and c.today >= rule.daily_cap:
                continue
            if rule.open_cap and c.open >= rule.open_cap:
                continue
            if strategy == AssignmentStrategy.CAPACITY and (
                not c.monthly_capacity or c.today >= daily_quota(c.monthly_capacity, self.now)
            ):
                continue
            eligible.append(c)
        return eligible

    def _smooth_weighted(self, eligible: list[Candidate], weighted: bool) -> Candidate:
        """nginx's smooth weighted round robin: equal weights give a strict rotation in id order."""
        total = 0
        for c in eligible:
            step = c.weight if weighted else 1
            self.weights[str(c.user.pk)] += step
            total += step
        chosen = max(eligible, key=lambda c: (self.weights[str(c.user.pk)], -c.user.pk))
        self.weights[str(chosen.user.pk)] -= total
        return chosen

    def pick(self, exclude: int | None = None) -> User | None:
        eligible = self._eligible(exclude)
        if not eligible:
            return None
        strategy = self.rule.strategy
        if strategy == AssignmentStrategy.LEAST_OPEN:
            chosen = min(eligible, key=lambda c: (c.open, c.today, c.user.pk))
        elif strategy == AssignmentStrategy.CAPACITY:
            chosen = min(
                eligible,
                key=lambda c: (c.today / daily_quota(c.monthly_capacity or 1, self.now), c.user.pk),
            )
        else:
            chosen = self._smooth_weighted(eligible, weighted=strategy == AssignmentStrategy.WEIGHTED)
        chosen.today += 1
        chosen.open += 1
        return chosen.user

    @property
    def state(self) -> dict:
        return {**(self.rule.state or {}), "current": self.weights}


@dataclass
class RuleFallback:
    """Where a rule's leads go when none of its people may take them; the fallback person is read once."""

    rule: AssignmentRule
    _person: User | None = None
    _read: bool = False

    def person(self) -> User | None:
        if not self._read:
            self._read = True
            if self.rule.fallback == Fallback.USER and self.rule.fallback_user_id:
                self._person = User.objects.assignable().filter(pk=self.rule.fallback_user_id).first()
        return self._person

    def decision(self, lead: Lead, exclude: int | None) -> Decision:
        person = self.person()
        if person is not None and person.pk != exclude:
            return Decision(lead, person, AssignmentReason.FALLBACK_USER, self.rule)
        return Decision(lead, None, AssignmentReason.FALLBACK_POOL, self.rule)


def decide(
    leads: Sequence[Lead],
    *,
    now: datetime,
    rules: list[AssignmentRule] | None = None,
    exclude: dict[int, int] | None = None,
    lock: bool = True,
    persist_state: bool = True,
) -> list[Decision]:
    """One decision per lead, in the leads' order. `exclude` maps id(lead) → a user who must not get it.

    With lock=False and persist_state=False nothing is written or locked: the dry run of a rule.
    """
    exclude = exclude or {}
    rules = active_rules() if rules is None else rules
    by_rule: dict[int, list[Lead]] = {}
    decisions: dict[int, Decision] = {}
    rule_of: dict[int, AssignmentRule] = {}
    for lead in leads:
        rule = first_matching_rule(rules, lead)
        if rule is None:
            decisions[id(lead)] = Decision(lead, None, AssignmentReason.NO_RULE)
            continue
        by_rule.setdefault(rule.pk, []).append(lead)
        rule_of[rule.pk] = rule
    for rule_pk in sorted(by_rule):
        rule = rule_of[rule_pk]
        if lock:
            rule.state = (
                AssignmentRule.objects.select_for_update().values_list("state", flat=True).get(pk=rule_pk)
            )
        candidates = rule_candidates(rule, lock=lock)
        strategy = rule.strategy
        count_loads(
            candidates,
            now,
            count_today=bool(rule.daily_cap) or strategy == AssignmentStrategy.CAPACITY,
            count_open=bool(rule.open_cap) or strategy == AssignmentStrategy.LEAST_OPEN,
        )
        picker, fallback = Picker(rule, candidates, now), RuleFallback(rule)
        for lead in by_rule[rule_pk]:
            banned = exclude.get(id(lead))
            person = picker.pick(exclude=banned)
            decisions[id(lead)] = (
                Decision(lead, person, AssignmentReason.RULE, rule)
                if person
                else fallback.decision(lead, banned)
            )
        if persist_state and candidates and picker.state != rule.state:
            AssignmentRule.objects.filter(pk=rule_pk).update(state=picker.state)
            rule.state = picker.state
    return [decisions[id(lead)] for lead in leads]
