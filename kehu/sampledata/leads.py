"""Demo leads: assignment rules (with a default rule that catches every lead), a public web form, and
leads from several sources that went through the real services: duplicate check, assignment, log,
timeline, in-app notifications. Some are worked on, converted, invalid, overdue, or still in the pool.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kehu.core.activity import Activity
from kehu.customers.models import Customer
from kehu.leads import services
from kehu.leads.choices import AssignmentStrategy, Fallback, LeadChannel, LeadStatus
from kehu.leads.models import AssignmentRule, Lead, LeadAssignment, RuleMember, WebForm
from kehu.org.models import Department, User
from kehu.sampledata import vocabulary as words

SOURCES = ["website", "exhibition", "advertising", "referral", "campaign", "cold_call", "partner"]
SOURCE_WEIGHTS = [30, 20, 15, 12, 10, 8, 5]
PROVINCES = {"上海": "上海", "杭州": "浙江", "深圳": "广东", "广州": "广东", "北京": "北京"}
CAMPAIGNS = ["2026春季展会", "工业互联网峰会", "官网免费试用", ""]
INDUSTRIES = ["manufacturing", "it", "retail", "healthcare", "logistics", "energy", "education"]


@dataclass
class LeadSummary:
    leads: int = 0
    rules: int = 0
    pool: int = 0
    duplicates: int = 0


def _rules(users: dict[str, User], departments: dict[str, Department]) -> list[AssignmentRule]:
    south = AssignmentRule.objects.create(
        name="华南展会线索",
        position=10,
        is_active=True,
        match_sources=["exhibition"],
        match_provinces=["广东"],
        strategy=AssignmentStrategy.WEIGHTED,
        daily_cap=30,
        sla_hours=24,
        fallback=Fallback.USER,
        fallback_user=users["south"],
    )
    RuleMember.objects.bulk_create(
        [
            RuleMember(rule=south, user=users["rep2"], weight=2),
            RuleMember(rule=south, user=users["rep6"]),
            RuleMember(rule=south, user=users["rep7"]),
            RuleMember(rule=south, user=users["rep8"]),
        ]
    )
    east = AssignmentRule.objects.create(
        name="华东区网站与广告线索",
        position=20,
        is_active=True,
        match_sources=["website", "advertising"],
        match_provinces=["上海", "浙江"],
        strategy=AssignmentStrategy.LEAST_OPEN,
        open_cap=150,
        sla_hours=48,
        fallback=Fallback.POOL,
    )
    east.departments.add(departments["上海一组"], departments["上海二组"], departments["杭州组"])
    catch_all = AssignmentRule.objects.create(
        name="全部线索（默认）",
        position=1000,
        is_active=True,
        strategy=AssignmentStrategy.ROUND_ROBIN,
        sla_hours=72,
        fallback=Fallback.USER,
        fallback_user=users["manager"],
    )
    reps = [users[f"rep{i}"] for i in range(1, 13)]
    RuleMember.objects.bulk_create([RuleMember(rule=catch_all, user=rep) for rep in reps])
    return [south, east, catch_all]


def _lead_data(rng: random.Random, builder, *, phone: str | None = None, company: str | None = None) -> dict:
    city = rng.choice(list(PROVINCES))
    name, pinyin = builder.person_name()
    data = {
        "name": name,
        "phone": phone or builder.mobile(),
        "province": PROVINCES[city],
        "city": city,
        "source": rng.choices(SOURCES, SOURCE_WEIGHTS)[0],
        "industry": rng.choice(INDUSTRIES),
        "campaign": rng.choice(CAMPAIGNS),
        "title": rng.choice(words.CONTACT_TITLES),
    }
    if rng.random() < 0.75:
        brand, _py = rng.choice(words.BRANDS)
        data["company_name"] = (
            company or f"{city}{brand}{rng.choice(['科技', '贸易', '制造', '物流'])}有限公司"
        )
    if rng.random() < 0.5:
        data["email"] = f"{pinyin}@example.com"
    if rng.random() < 0.3:
        data["wechat"] = f"{pinyin}_{rng.randint(10, 99)}"
    return data


def demo_leads(
    *,
    rng: random.Random,
    builder,
    users: dict[str, User],
    departments: dict[str, Department],
    count: int = 300,
) -> LeadSummary:
    actor = users["ops"]
    WebForm.objects.create(
        slug="contact",
        name="官网咨询表单",
        source="website",
        campaign="官网免费试用",
        intro="留下联系方式，我们的顾问会在一个工作日内联系您。",
        thank_you="感谢您的咨询，我们会尽快与您联系！",
    )
    # Leads that came in before any rule existed wait in the lead pool.
    pool = [
        services.lead_build(
            services.lead_clean(_lead_data(rng, builder)), actor=actor, channel=LeadChannel.API
        )
        for _ in range(30)
    ]
    services.leads_create(actor=actor, leads=pool, email=False)
    rules = _rules(users, departments)
    customers = list(Customer.objects.alive().exclude(phone="").values_list("phone", "name")[:15])
    items = []
    for i in range(count):
        if i < len(customers):  # someone we already know, under another name
            phone, _name = customers[i]
            items.append(_lead_data(rng, builder, phone=phone))
        else:
            items.append(_lead_data(rng, builder))
    items += [dict(items[-k], name=builder.person_name()[0]) for k in range(1, 11)]  # repeated enquiries
    now = timezone.now()
    leads = []
    for start in range(0, len(items), 100):
        batch = [
            services.lead_build(services.lead_clean(item), actor=actor, channel=rng.choice(list(LeadChannel)))
            for item in items[start : start + 100]
        ]
        leads += services.leads_create(actor=actor, leads=batch, email=False)
    _age_and_work(rng, leads + pool, now)
    return LeadSummary(
        leads=len(leads) + len(pool),
        rules=len(rules),
        pool=Lead.objects.in_pool().count(),
        duplicates=sum(1 for lead in leads if lead.is_duplicate),
    )


def _age_and_work(rng: random.Random, leads: list[Lead], now) -> None:
    """Spread the leads over the last 60 days and move many along, as reps would have."""
    for lead in leads:
        age = timedelta(days=rng.triangular(0, 60, 2), minutes=rng.randint(0, 600))
        lead.created_at = now - age
        if lead.owner_id:
            lead.assigned_at = lead.created_at + timedelta(minutes=rng.randint(1, 30))
            roll = rng.random()
            if lead.created_at > now - timedelta(days=2) or roll < 0.15:
                if lead.rule and lead.rule.sla_hours:
                    lead.sla_due_at = lead.assigned_at + timedelta(hours=lead.rule.sla_hours)
                else:
                    lead.sla_due_at = None
            elif roll < 0.45:
                lead.status, lead.contacted_at, lead.sla_due_at = LeadStatus.CONTACTED, lead.assigned_at, None
            elif roll < 0.70:
                lead.status, lead.contacted_at, lead.sla_due_at = LeadStatus.QUALIFIED, lead.assigned_at, None
            else:
                lead.status, lead.invalid_reason, lead.sla_due_at = LeadStatus.INVALID, "no_need", None
    Lead.objects.bulk_update(
        leads,
        ["created_at", "assigned_at", "sla_due_at", "status", "contacted_at", "invalid_reason"],
        batch_size=500,
    )
    # The assignment log and the "created" entries happened when the lead came in, not today.
    by_lead = {lead.pk: lead.assigned_at or lead.created_at for lead in leads}
    log = list(LeadAssignment.objects.filter(lead_id__in=by_lead))
    for entry in log:
        entry.created_at = by_lead[entry.lead_id]
    LeadAssignment.objects.bulk_update(log, ["created_at"], batch_size=500)
    lead_type = ContentType.objects.get_for_model(Lead)
    created = list(Activity.objects.filter(subject_type=lead_type, verb="lead.created"))
    for entry in created:
        entry.created_at = by_lead.get(entry.subject_id, entry.created_at)
    Activity.objects.bulk_update(created, ["created_at"], batch_size=500)
    # Duplicates stay unconverted here, so that each conversion makes exactly one new customer.
    qualified = [lead for lead in leads if lead.status == LeadStatus.QUALIFIED and not lead.is_duplicate][:20]
    for lead in qualified:
        services.lead_convert(actor=lead.owner, lead=lead)
