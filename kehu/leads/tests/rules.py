"""Building assignment rules and leads in tests, through the services."""

from kehu.leads.choices import AssignmentStrategy
from kehu.leads.models import AssignmentRule, RuleMember
from kehu.leads.services import lead_build, lead_clean, leads_create

_counter = iter(range(10_000_000))


def make_rule(users=(), *, strategy=AssignmentStrategy.ROUND_ROBIN, weights=None, capacities=None, **fields):
    rule = AssignmentRule.objects.create(
        name=fields.pop("name", f"Rule {next(_counter)}"), is_active=fields.pop("is_active", True),
        strategy=strategy, **fields,
    )  # fmt: skip
    weights, capacities = weights or {}, capacities or {}
    RuleMember.objects.bulk_create(
        [
            RuleMember(rule=rule, user=u, weight=weights.get(u.pk, 1), monthly_capacity=capacities.get(u.pk))
            for u in users
        ]
    )
    return rule


def lead_data(**overrides):
    n = next(_counter)
    data = {"name": f"联系人{n}", "phone": f"+86139{n:08d}", "source": "website"}
    data.update(overrides)
    return data


def capture(actor=None, count=1, **overrides):
    """`count` leads in one batch through leads_create (as an import batch would)."""
    leads = [lead_build(lead_clean(lead_data(**overrides)), actor=actor, channel="api") for _ in range(count)]
    return leads_create(actor=actor, leads=leads)
