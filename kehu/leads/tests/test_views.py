"""Lead pages: list scope and filters, htmx partials, forms, claim, actions, conversion, rules, report."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kehu.customers.models import Contact, Customer
from kehu.customers.tests.factories import CustomerFactory
from kehu.leads import services
from kehu.leads.choices import AssignmentReason
from kehu.leads.models import AssignmentRule, Lead, LeadAssignment
from kehu.leads.tests.factories import LeadFactory, make_rule
from kehu.org.roles import roles_ensure_standard
from kehu.org.tests.factories import UserFactory
from kehu.sales.opportunities.models import Opportunity

LIST = reverse("leads:list")
CREATE = reverse("leads:create")
HTMX_TABLE = {"HX-Request": "true", "HX-Target": "lead-table"}


def client_for(client, user):
    client.force_login(user)
    return client


def detail(lead) -> str:
    return reverse("leads:detail", args=[lead.pk])


def row_names(response) -> list[str]:
    return sorted(row["lead"].name for row in response.context["rows"])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def book(org):
    owners = [org.rep, org.peer_rep, org.east_rep, org.other_dept_rep, org.team_lead]
    leads = {o.username: LeadFactory(owner=o, name=f"线索-{o.username}") for o in owners}
    leads["pool"] = LeadFactory(name="线索-pool")
    return leads


@pytest.fixture
def ops(org):
    """Sales operations: sets up assignment rules (sees every lead)."""
    return UserFactory(username="ops", department=org.sales, role=roles_ensure_standard()["Sales operations"])


def test_login_required(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "query", "expected"),
    [
        ("rep", "", ["线索-rep1"]),
        ("team_lead", "", ["线索-lead", "线索-rep4"]),
        ("dept_manager", "?view=team", ["线索-lead", "线索-rep1", "线索-rep2", "线索-rep3", "线索-rep4"]),
        ("dept_manager", "?view=mine", []),
        ("other_dept_rep", "", ["线索-rep2"]),
        ("outsider", "", []),
        ("rep", "?view=pool", ["线索-pool"]),
        ("dept_manager", "?view=pool", ["线索-pool"]),
        ("outsider", "?view=pool", []),  # no claim permission: the pool tab is not offered
    ],
)
def test_list_page_scope_matrix(client, org, book, persona, query, expected):
    response = client_for(client, getattr(org, persona)).get(LIST + query)
    assert response.status_code == 200
    assert row_names(response) == expected


def test_pool_tab_is_offered_only_with_the_claim_permission(client, org, book):
    assert "view-pool" in client_for(client, org.rep).get(LIST).content.decode()
    assert "view-pool" not in client_for(client, org.outsider).get(LIST).content.decode()


def test_htmx_request_gets_only_the_table(client, org, book):
    response = client_for(client, org.rep).get(LIST + "?q=rep1", headers=HTMX_TABLE)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="lead-table">')
    assert "<html" not in html
    assert "线索-rep1" in html


@pytest.fixture
def worked(org):
    """A manager's view of leads in several states, sources and SLA situations."""
    make_rule([org.rep], name="SLA", sla_hours=4)
    overdue = LeadFactory(name="过期", source="exhibition")
    Lead.objects.filter(pk=overdue.pk).update(sla_due_at=timezone.now() - timedelta(hours=2))
    due = LeadFactory(name="待联系", source="website")
    contacted = services.lead_mark_contacted(actor=org.rep, lead=LeadFactory(name="已联系"))
    converted = LeadFactory(name="已转化", company_name="转化公司")
    services.lead_convert(actor=org.rep, lead=converted)
    invalid = services.lead_invalidate(actor=org.rep, lead=LeadFactory(name="无效"), reason="spam")
    dup = LeadFactory(name="重复", phone=due.phone, owner=org.peer_rep)
    return {"overdue": overdue, "due": due, "contacted": contacted, "invalid": invalid, "dup": dup}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=open", ["待联系", "已联系", "过期", "重复"]),
        ("status=invalid", ["无效"]),
        ("status=converted", ["已转化"]),
        ("source=exhibition", ["过期"]),
        ("sla=overdue", ["过期"]),
        ("sla=due", ["待联系"]),
        ("sla=met", ["已联系", "已转化"]),
        ("duplicate=1", ["重复"]),
        ("q=待联系", ["待联系"]),
        ("owner={peer}", ["重复"]),
        ("channel=web_form", []),
    ],
)
def test_list_filters(client, org, worked, query, expected):
    response = client_for(client, org.dept_manager).get(f"{LIST}?{query.format(peer=org.peer_rep.pk)}")
    assert row_names(response) == sorted(expected)


def test_list_shows_sla_state_age_and_duplicate_marker(client, org, worked):
    html = client_for(client, org.dept_manager).get(LIST).content.decode()
    assert "Overdue by 2 hours" in html
    assert "Due in 3 hours" in html
    assert 'data-testid="duplicate-marker"' in html
    assert "0\xa0minutes" in html  # age of a lead created just now


def test_bad_filter_is_ignored_with_a_warning(client, org, book):
    response = client_for(client, org.rep).get(LIST + "?status=nonsense")
    assert row_names(response) == ["线索-rep1"]
    assert messages_of(response) == ["Some filters were not understood and were ignored."]


def test_empty_states(client, org):
    c = client_for(client, org.rep)
    assert "No leads match these filters." in c.get(LIST).content.decode()
    assert "The lead pool is empty" in c.get(LIST + "?view=pool").content.decode()


@pytest.mark.parametrize("view", ["all", "pool"])
def test_list_query_count_does_not_grow_with_rows(client, org, django_assert_num_queries, view):
    def fill(count):
        for i in range(count):
            LeadFactory(
                owner=(org.rep if i % 2 else org.peer_rep) if view == "all" else None, source="website"
            )

    c = client_for(client, org.dept_manager)
    fill(3)
    c.get(LIST)  # warm caches (content types, session)
    expected = 10 if view == "all" else 11  # the pool also counts today's claims; the menu's approvals badge
    with django_assert_num_queries(expected):
        c.get(f"{LIST}?view={view}&size=50")
    fill(27)
    with django_assert_num_queries(expected):
        response = c.get(f"{LIST}?view={view}&size=50")
    assert len(response.context["rows"]) == 30


# --- the new-lead form ------------------------------------------------------------------------------------


def test_create_with_bad_input_shows_field_errors_and_saves_nothing(client, org):
    response = client_for(client, org.rep).post(
        CREATE, {"name": "", "company_name": "", "phone": "12345", "assign": "rules"}
    )
    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == ["name", "phone"]
    assert "is-invalid" in response.content.decode()
    assert not Lead.objects.exists()
    assert not LeadAssignment.objects.exists()


def test_htmx_form_error_rerenders_only_the_form(client, org):
    response = client_for(client, org.rep).post(
        CREATE, {"name": "王", "assign": "rules"}, headers={"HX-Request": "true", "HX-Target": "form-card"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="form-card"')
    assert "Give at least one way to reach the lead" in html
    assert not Lead.objects.exists()


def test_create_assigns_by_the_active_rule_and_the_page_says_why(client, org):
    make_rule([org.rep], name="华东网站线索")
    c = client_for(client, org.rep)
    response = c.post(
        CREATE,
        {
            "name": "王五",
            "company_name": "星河科技",
            "phone": "139 1234 5678",
            "source": "website",
            "assign": "rules",
        },
    )
    lead = Lead.objects.get()
    assert response["Location"] == detail(lead)
    assert (lead.owner, lead.status, lead.phone, lead.channel) == (
        org.rep,
        "assigned",
        "+8613912345678",
        "manual",
    )
    page = c.get(detail(lead))
    assert messages_of(page) == ["Lead created and assigned to Rep1."]
    summary = page.context["last_assignment"]
    assert (summary.assignee, summary.rule.name, summary.strategy, summary.reason) == (
        org.rep,
        "华东网站线索",
        "round_robin",
        AssignmentReason.RULE,
    )
    html = page.content.decode()
    assert "rule “华东网站线索”" in html
    assert "Round robin" in html
    assert "Matched a rule" in html


def test_create_to_me_skips_the_rules(client, org):
    make_rule([org.peer_rep])
    client_for(client, org.rep).post(CREATE, {"name": "王五", "email": "w@example.com", "assign": "me"})
    lead = Lead.objects.get()
    assert (lead.owner, lead.assignments.get().reason) == (org.rep, AssignmentReason.MANUAL)


def test_create_that_goes_to_someone_out_of_sight_returns_to_the_list(client, org):
    make_rule([org.peer_rep])
    response = client_for(client, org.rep).post(
        CREATE, {"name": "王五", "wechat": "wang5", "assign": "rules"}
    )
    assert response["Location"] == LIST
    assert Lead.objects.get().owner == org.peer_rep


def test_create_without_rules_goes_to_the_pool(client, org):
    c = client_for(client, org.rep)
    response = c.post(CREATE, {"name": "王五", "wechat": "wang5", "assign": "rules"}, follow=True)
    lead = Lead.objects.get()
    assert response.redirect_chain[-1][0] == detail(lead)  # a rep may open pool leads
    assert lead.owner is None
    assert messages_of(response) == ["Lead created. Nobody could take it: it is in the lead pool."]
    history = c.get(detail(lead) + "?tab=history").content.decode()
    assert "created a lead; no rule matched it, so it is in the lead pool" in history


def test_create_needs_the_permission(client, org):
    assert client_for(client, org.outsider).get(CREATE).status_code == 403


# --- one lead ---------------------------------------------------------------------------------------------


def test_detail_tabs(client, org):
    lead = LeadFactory(owner=org.rep, name="王五", company_name="星河科技")
    services.lead_mark_contacted(actor=org.rep, lead=lead)
    c = client_for(client, org.rep)
    profile = c.get(detail(lead)).content.decode()
    assert "星河科技" in profile
    history = c.get(detail(lead) + "?tab=history").content.decode()
    assert "marked the lead as contacted" in history
    assert "created a lead, assigned to Rep1" in history
    tab = c.get(detail(lead) + "?tab=assignments", headers={"HX-Request": "true", "HX-Target": "lead-tab"})
    assert tab.content.decode().lstrip().startswith('<div id="lead-tab"')
    assert "Assigned by hand" in tab.content.decode()


def test_detail_shows_the_duplicate_with_links_when_visible(client, org):
    customer = CustomerFactory(owner=org.rep, name="星河科技", phone="+8613912345678")
    lead = LeadFactory(owner=org.rep, name="王五", phone="13912345678")
    html = client_for(client, org.rep).get(detail(lead)).content.decode()
    assert lead.duplicate_customer_id == customer.pk
    assert "Duplicate of customer" in html
    assert reverse("customers:detail", args=[customer.pk]) in html
    assert "same phone number" in html


def test_detail_hides_the_link_to_a_duplicate_out_of_sight(client, org):
    customer = CustomerFactory(owner=org.peer_rep, name="星河科技", phone="+8613912345678")
    lead = LeadFactory(owner=org.rep, name="王五", phone="13912345678")
    html = client_for(client, org.rep).get(detail(lead)).content.decode()
    assert "星河科技" in html
    assert reverse("customers:detail", args=[customer.pk]) not in html


def test_rep_cannot_open_or_act_on_a_peers_lead(client, org):
    lead = LeadFactory(owner=org.peer_rep, name="别人的", company_name="别人的公司")
    c = client_for(client, org.rep)
    assert c.get(detail(lead)).status_code == 404
    assert c.get(reverse("leads:edit", args=[lead.pk])).status_code == 404
    assert c.get(reverse("leads:convert", args=[lead.pk])).status_code == 404
    assert c.post(reverse("leads:status", args=[lead.pk]), {"status": "contacted"}).status_code == 404
    assert c.post(reverse("leads:invalidate", args=[lead.pk]), {"reason": "spam"}).status_code == 404
    assert c.post(reverse("leads:convert", args=[lead.pk])).status_code == 404
    assert (
        c.post(reverse("leads:edit", args=[lead.pk]), {"name": "改", "phone": "13800000000"}).status_code
        == 404
    )
    lead.refresh_from_db()
    assert (lead.status, lead.name, lead.customer_id) == ("assigned", "别人的", None)
    assert not Customer.objects.exists()


def test_mark_contacted_then_qualify(client, org):
    lead = LeadFactory(owner=org.rep)
    c = client_for(client, org.rep)
    response = c.post(reverse("leads:status", args=[lead.pk]), {"status": "contacted"})
    assert response["Location"] == detail(lead)
    lead.refresh_from_db()
    assert (lead.status, lead.contacted_at is not None) == ("contacted", True)
    c.post(reverse("leads:status", args=[lead.pk]), {"status": "qualified"})
    lead.refresh_from_db()
    assert lead.status == "qualified"
    assert c.post(reverse("leads:status", args=[lead.pk]), {"status": "converted"}).status_code == 400


def test_invalidate_and_reopen(client, org):
    lead = LeadFactory(owner=org.rep)
    c = client_for(client, org.rep)
    response = c.post(reverse("leads:invalidate", args=[lead.pk]), {"reason": "no_need", "note": "预算不足"})
    assert response["Location"] == detail(lead)
    lead.refresh_from_db()
    assert (lead.status, lead.invalid_reason, lead.invalid_note) == ("invalid", "no_need", "预算不足")
    page = c.get(detail(lead)).content.decode()
    assert "No need — 预算不足" in page
    assert 'data-testid="action-reopen"' in page
    again = c.post(reverse("leads:invalidate", args=[lead.pk]), {"reason": "spam"}, follow=True)
    assert messages_of(again) == ["This lead is marked invalid. Reopen it first."]
    c.post(reverse("leads:status", args=[lead.pk]), {"status": "reopened"})
    lead.refresh_from_db()
    assert (lead.status, lead.invalid_reason) == ("assigned", "")
    history = c.get(detail(lead) + "?tab=history").content.decode()
    assert "marked the lead invalid: No need (预算不足)" in history
    assert "reopened the lead" in history


def test_invalidate_without_a_reason_changes_nothing(client, org):
    lead = LeadFactory(owner=org.rep)
    response = client_for(client, org.rep).post(reverse("leads:invalidate", args=[lead.pk]), {}, follow=True)
    assert messages_of(response) == ["Choose why the lead is invalid."]
    lead.refresh_from_db()
    assert lead.status == "assigned"


def test_edit_lead(client, org):
    lead = LeadFactory(owner=org.rep, name="王五")
    c = client_for(client, org.rep)
    response = c.post(
        reverse("leads:edit", args=[lead.pk]), {"name": "王五", "phone": "13800001111", "email": "bad"}
    )
    assert list(response.context["form"].errors) == ["email"]
    response = c.post(reverse("leads:edit", args=[lead.pk]), {"name": "王六", "phone": "13800001111"})
    assert response["Location"] == detail(lead)
    lead.refresh_from_db()
    assert (lead.name, lead.phone) == ("王六", "+8613800001111")
    history = c.get(detail(lead) + "?tab=history").content.decode()
    assert "changed the lead" in history
    assert "王五 → 王六" in history


# --- claiming from the pool -----------------------------------------------------------------------------


def test_claim_from_the_pool_and_the_loser_is_told(client, org):
    lead = LeadFactory(name="抢手")
    first = client_for(client, org.rep).post(reverse("leads:claim", args=[lead.pk]), follow=True)
    assert first.redirect_chain[-1][0] == detail(lead)
    assert messages_of(first) == ["You claimed “抢手”."]
    lead.refresh_from_db()
    assert (lead.owner, lead.status) == (org.rep, "assigned")
    client.force_login(org.peer_rep)
    second = client.post(reverse("leads:claim", args=[lead.pk]), follow=True)
    assert messages_of(second) == ["Someone else has already taken this lead."]
    assert second.redirect_chain[-1][0] == LIST + "?view=pool"
    lead.refresh_from_db()
    assert lead.owner == org.rep


def test_claim_in_the_list_swaps_the_row_and_toasts(client, org):
    lead = LeadFactory(name="抢手")
    headers = {"HX-Request": "true", "HX-Target": f"lead-row-{lead.pk}"}
    won = client_for(client, org.rep).post(reverse("leads:claim", args=[lead.pk]), headers=headers)
    html = won.content.decode()
    assert html.lstrip().startswith(f'<tr id="lead-row-{lead.pk}"')
    assert 'data-testid="claimed"' in html
    assert json.loads(won["HX-Trigger"]) == {"toast": {"message": "You claimed “抢手”.", "level": "success"}}
    client.force_login(org.peer_rep)
    lost = client.post(reverse("leads:claim", args=[lead.pk]), headers=headers)
    assert lost.status_code == 200
    assert "Someone else has already taken this lead." in lost.content.decode()
    assert json.loads(lost["HX-Trigger"]) == {
        "toast": {"message": "Someone else has already taken this lead.", "level": "error"}
    }
    assert "抢手" not in lost.content.decode()


def test_daily_claim_limit_is_explained(client, org, settings):
    settings.KEHU_LEAD_CLAIMS_PER_DAY = 1
    first, second = LeadFactory(), LeadFactory()
    c = client_for(client, org.rep)
    c.post(reverse("leads:claim", args=[first.pk]), follow=True)
    response = c.post(reverse("leads:claim", args=[second.pk]), follow=True)
    assert messages_of(response) == ["You have claimed 1 leads today, the daily limit."]
    second.refresh_from_db()
    assert second.owner is None
    assert "You have claimed 1 of 1 leads allowed today." in response.content.decode()


def test_claim_needs_the_permission(client, org):
    lead = LeadFactory()
    assert client_for(client, org.outsider).post(reverse("leads:claim", args=[lead.pk])).status_code == 403
    lead.refresh_from_db()
    assert lead.owner is None


# --- assigning by hand ---------------------------------------------------------------------------------


def test_manager_assigns_selected_leads(client, org, book):
    ids = [book["rep1"].pk, book["pool"].pk]
    response = client_for(client, org.dept_manager).post(
        reverse("leads:assign"),
        {"ids": ids, "owner": org.east_rep.pk, "reason": "调整", "next_query": "view=all"},
    )
    assert response["Location"] == LIST + "?view=all"
    assert set(Lead.objects.filter(pk__in=ids).values_list("owner", flat=True)) == {org.east_rep.pk}
    entry = book["rep1"].assignments.first()
    assert (entry.previous_owner, entry.reason, entry.actor) == (org.rep, "manual", org.dept_manager)


def test_assign_from_the_detail_page_returns_there(client, org, book):
    lead = book["rep1"]
    response = client_for(client, org.dept_manager).post(
        reverse("leads:assign"), {"ids": [lead.pk], "owner": org.peer_rep.pk, "next": detail(lead)}
    )
    assert response["Location"] == detail(lead)
    lead.refresh_from_db()
    assert lead.owner == org.peer_rep


def test_rep_cannot_assign(client, org, book):
    response = client_for(client, org.rep).post(
        reverse("leads:assign"), {"ids": [book["rep1"].pk], "owner": org.peer_rep.pk}
    )
    assert response.status_code == 403
    book["rep1"].refresh_from_db()
    assert book["rep1"].owner == org.rep


# --- conversion ---------------------------------------------------------------------------------------------


def test_convert_creates_customer_and_contact_and_moves_the_history(client, org):
    lead = LeadFactory(owner=org.rep, name="王五", company_name="星河科技有限公司", title="经理")
    c = client_for(client, org.rep)
    c.post(reverse("leads:status", args=[lead.pk]), {"status": "contacted"}, follow=True)
    confirm = c.get(reverse("leads:convert", args=[lead.pk])).content.decode()
    assert "A new customer <strong>星河科技有限公司</strong> will be created, owned by Rep1." in confirm
    assert "王五 becomes its contact." in confirm
    assert not Customer.objects.exists()  # GET only asks

    response = c.post(reverse("leads:convert", args=[lead.pk]), follow=True)
    customer = Customer.objects.get()
    assert response.redirect_chain[-1][0] == reverse("customers:detail", args=[customer.pk])
    assert messages_of(response) == ["Lead converted into the customer “星河科技有限公司”."]
    assert (customer.name, customer.owner) == ("星河科技有限公司", org.rep)
    assert list(Contact.objects.filter(customer=customer).values_list("name", "title")) == [("王五", "经理")]
    lead.refresh_from_db()
    assert (lead.status, lead.customer) == ("converted", customer)

    again = c.post(reverse("leads:convert", args=[lead.pk]), follow=True)
    assert messages_of(again) == ["This lead has been converted already."]
    assert again.redirect_chain[-1][0] == detail(lead)
    assert Customer.objects.count() == 1

    timeline = c.get(reverse("customers:detail", args=[customer.pk]) + "?tab=timeline").content.decode()
    assert "created a lead, assigned to Rep1" in timeline
    assert "marked the lead as contacted" in timeline
    assert "converted the lead into the customer 星河科技有限公司" in timeline


def test_convert_with_an_opportunity_lands_on_the_opportunity(client, org):
    lead = LeadFactory(owner=org.rep, name="王五", company_name="星河科技有限公司")
    c = client_for(client, org.rep)
    assert "Also open an opportunity" in c.get(reverse("leads:convert", args=[lead.pk])).content.decode()

    bad = c.post(reverse("leads:convert", args=[lead.pk]), {"with_opportunity": "on", "amount": "-1"})
    assert bad.status_code == 200
    assert not Customer.objects.exists()

    response = c.post(
        reverse("leads:convert", args=[lead.pk]),
        {
            "with_opportunity": "on",
            "title": "星河 CRM 项目",
            "amount": "120000",
            "expected_close_date": "2026-12-20",
        },
    )
    opportunity = Opportunity.objects.get()
    assert response["Location"] == reverse("opportunities:detail", args=[opportunity.pk])
    assert (opportunity.title, opportunity.owner, opportunity.customer.name) == (
        "星河 CRM 项目",
        org.rep,
        "星河科技有限公司",
    )


def test_convert_a_duplicate_attaches_it_to_the_customer(client, org):
    customer = CustomerFactory(owner=org.rep, name="星河科技", phone="+8613912345678")
    lead = LeadFactory(owner=org.rep, name="王五", phone="13912345678")
    c = client_for(client, org.rep)
    confirm = c.get(reverse("leads:convert", args=[lead.pk])).content.decode()
    assert "attached to the existing customer <strong>星河科技</strong>" in confirm
    response = c.post(reverse("leads:convert", args=[lead.pk]))
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert Customer.objects.count() == 1
    assert customer.contacts.get().name == "王五"


def test_convert_a_pool_lead_is_refused(client, org):
    lead = LeadFactory()
    c = client_for(client, org.rep)
    assert "Claim this lead from the pool" in c.get(reverse("leads:convert", args=[lead.pk])).content.decode()
    response = c.post(reverse("leads:convert", args=[lead.pk]), follow=True)
    assert "Claim this lead from the pool" in response.content.decode()
    assert not Customer.objects.exists()


# --- assignment rules ------------------------------------------------------------------------------------


def rule_post(**overrides):
    data = {
        "name": "网站线索",
        "position": "10",
        "is_active": "on",
        "match_sources": ["website"],
        "match_provinces": "上海，浙江",
        "match_campaigns": "",
        "strategy": "round_robin",
        "fallback": "pool",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "url",
    [
        reverse("leads:rules"),
        reverse("leads:rule_create"),
        "rule_edit",
        "rule_preview",
    ],
)
def test_rule_pages_need_the_permission(client, org, ops, url):
    rule = make_rule([org.rep])
    if not url.startswith("/"):
        url = reverse(f"leads:{url}", args=[rule.pk])
    assert client_for(client, org.rep).get(url).status_code == 403
    assert client_for(client, ops).get(url).status_code == 200


def test_rule_list(client, org, ops):
    make_rule([org.rep, org.peer_rep], name="网站", match_sources=["website"], daily_cap=5, sla_hours=24)
    make_rule([], name="兜底", is_active=False, position=999, fallback="user", fallback_user=org.team_lead)
    html = client_for(client, ops).get(reverse("leads:rules")).content.decode()
    assert "Source: Website" in html
    assert "Rep1" in html
    assert "5 a day each" in html
    assert "24 hours" in html
    assert "Nobody: every lead falls back" in html
    rows = client.get(reverse("leads:rules")).context["rows"]
    assert [(r["rule"].name, r["fallback"]) for r in rows] == [("网站", "Lead pool"), ("兜底", "Lead")]


def test_rule_create_with_members_and_departments(client, org, ops):
    data = rule_post(
        strategy="weighted",
        **{"members-0-user": org.rep.pk, "members-0-weight": "2", "members-1-user": org.peer_rep.pk},
        departments=[org.south.pk],
    )
    response = client_for(client, ops).post(reverse("leads:rule_create"), data)
    rule = AssignmentRule.objects.get()
    assert response["Location"] == reverse("leads:rule_edit", args=[rule.pk])
    assert (rule.name, rule.position, rule.is_active, rule.strategy) == ("网站线索", 10, True, "weighted")
    assert (rule.match_sources, rule.match_provinces) == (["website"], ["上海", "浙江"])
    assert sorted(rule.members.values_list("user__username", "weight")) == [("rep1", 2), ("rep3", 1)]
    assert list(rule.departments.all()) == [org.south]


def test_rule_with_capacity_strategy_needs_every_capacity(client, org, ops):
    data = rule_post(
        strategy="capacity",
        **{
            "members-0-user": org.rep.pk,
            "members-0-monthly_capacity": "60",
            "members-1-user": org.peer_rep.pk,
        },
    )
    response = client_for(client, ops).post(reverse("leads:rule_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "strategy": ["With monthly capacities, give every named assignee a capacity."]
    }
    assert not AssignmentRule.objects.exists()


def test_rule_fallback_person_must_be_named(client, org, ops):
    response = client_for(client, ops).post(reverse("leads:rule_create"), rule_post(fallback="user"))
    assert list(response.context["form"].errors) == ["fallback_user"]
    assert not AssignmentRule.objects.exists()


def test_rule_edit_replaces_members(client, org, ops):
    rule = make_rule([org.rep, org.peer_rep], name="旧")
    data = rule_post(
        name="新",
        **{
            "members-TOTAL_FORMS": "2",
            "members-INITIAL_FORMS": "2",
            "members-0-user": org.rep.pk,
            "members-0-DELETE": "on",
            "members-1-user": org.east_rep.pk,
        },
    )
    client_for(client, ops).post(reverse("leads:rule_edit", args=[rule.pk]), data)
    rule.refresh_from_db()
    assert rule.name == "新"
    assert list(rule.members.values_list("user__username", flat=True)) == ["rep4"]


def test_rule_edit_without_change_permission_is_refused(client, org, ops):
    ops.role.permissions.remove(*ops.role.permissions.filter(codename="change_assignmentrule"))
    rule = make_rule([org.rep], name="旧")
    response = client_for(client, UserFactory(username="ops2", role=ops.role)).post(
        reverse("leads:rule_edit", args=[rule.pk]), rule_post(name="新")
    )
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.name == "旧"


def test_rule_preview_numbers(client, org, ops):
    rule = make_rule([org.rep, org.peer_rep], is_active=False, match_sources=["website"])
    for _ in range(4):
        LeadFactory(source="website")
    LeadFactory(source="exhibition")
    url = reverse("leads:rule_preview", args=[rule.pk])
    c = client_for(client, ops)
    response = c.get(url + "?last=100", headers={"HX-Request": "true", "HX-Target": "rule-preview"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="rule-preview"')
    assert "Of the last 5 leads, 4 match: Rep1 would get 2, Rep3 2" in html
    AssignmentRule.objects.filter(pk=rule.pk).update(daily_cap=1)
    response = c.get(url + "?last=3")
    assert response.context["preview"] == {
        "leads": 3,
        "matching": 2,
        "to_people": [("Rep1", 1), ("Rep3", 1)],
        "to_pool": 0,
    }
    assert "<html" in response.content.decode()  # a plain request gets the whole page
    assert f'action="{reverse("leads:rule_edit", args=[rule.pk])}"' in response.content.decode()
    capped = c.get(url + "?last=100").context["preview_text"]
    assert capped == "Of the last 5 leads, 4 match: Rep1 would get 1, Rep3 1, 2 to the pool"
    assert not Lead.objects.exclude(owner=None).exists()  # a dry run assigns nothing


# --- report and navigation --------------------------------------------------------------------------------


def test_report_numbers_match_the_rows(client, org):
    for _ in range(3):
        LeadFactory(owner=org.rep, source="website")
    services.lead_convert(actor=org.rep, lead=LeadFactory(owner=org.rep, source="website", company_name="甲"))
    services.lead_invalidate(
        actor=org.peer_rep, lead=LeadFactory(owner=org.peer_rep, source="exhibition"), reason="spam"
    )
    old = LeadFactory(owner=org.peer_rep, source="exhibition")
    Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=800))
    c = client_for(client, org.dept_manager)

    everything = c.get(reverse("leads:report") + "?period=all")
    by_source = [
        (r["label"], r["total"], r["converted"], r["invalid"], r["rate"])
        for r in everything.context["by_source"]
    ]
    assert by_source == [("Website", 4, 1, 0, 25.0), ("Exhibition", 2, 0, 1, 0.0)]
    by_owner = [(r["label"], r["total"], r["converted"], r["rate"]) for r in everything.context["by_owner"]]
    assert by_owner == [("Rep1", 4, 1, 25.0), ("Rep3", 2, 0, 0.0)]
    html = everything.content.decode()
    assert "25.0%" in html
    assert "echarts.min.js" in html
    assert everything.context["charts"]["by_source"]["total"] == [4, 2]

    this_year = c.get(reverse("leads:report") + "?period=year")
    assert [(r["label"], r["total"]) for r in this_year.context["by_source"]] == [
        ("Website", 4),
        ("Exhibition", 1),
    ]


def test_report_is_scoped(client, org):
    LeadFactory(owner=org.rep, source="website")
    LeadFactory(owner=org.peer_rep, source="website")
    response = client_for(client, org.rep).get(reverse("leads:report"))
    assert [(r["label"], r["total"]) for r in response.context["by_owner"]] == [("Rep1", 1)]


def test_report_needs_the_permission(client, org):
    assert client_for(client, org.outsider).get(reverse("leads:report")).status_code == 403


def test_navigation_offers_what_the_role_allows(client, org, ops):
    rep_nav = client_for(client, org.rep).get(LIST).content.decode()
    assert reverse("leads:report") in rep_nav
    assert reverse("leads:rules") not in rep_nav
    assert reverse("leads:imports") not in rep_nav
    ops_nav = client_for(client, ops).get(LIST).content.decode()
    assert reverse("leads:rules") in ops_nav
    assert reverse("leads:imports") in ops_nav


def test_pages_render_in_chinese(client, org):
    lead = LeadFactory(owner=org.rep)
    c = client_for(client, org.rep)
    c.cookies["django_language"] = "zh-hans"
    with translation.override("en"):  # the middleware leaves zh-hans active in this thread otherwise
        for url in (LIST, LIST + "?view=pool", CREATE, detail(lead), reverse("leads:report")):
            response = c.get(url)
            assert response.status_code == 200
            assert '<html lang="zh-hans">' in response.content.decode()


@pytest.mark.parametrize("tab", ["profile", "history", "assignments"])
def test_detail_query_count_is_constant(client, org, django_assert_max_num_queries, tab):
    lead = LeadFactory(owner=org.rep, name="王五")
    for i in range(12):
        services.lead_update(actor=org.dept_manager, lead=lead, data={"remark": f"第{i}次"})
        services.lead_assign(actor=org.dept_manager, lead_ids=[lead.pk], owner=[org.peer_rep, org.rep][i % 2])
    c = client_for(client, org.dept_manager)
    with django_assert_max_num_queries(12):
        assert c.get(detail(lead) + f"?tab={tab}").status_code == 200


def test_admin_pages_render(client, org, book):
    rule = make_rule([org.rep])
    c = client_for(client, org.admin)
    for model in ("assignmentrule", "webform", "lead", "leadimport", "leadassignment"):
        assert c.get(reverse(f"admin:leads_{model}_changelist")).status_code == 200
    assert c.get(reverse("admin:leads_assignmentrule_change", args=[rule.pk])).status_code == 200
    assert c.get(reverse("admin:leads_lead_change", args=[book["rep1"].pk])).status_code == 200
    assert c.get(reverse("admin:leads_lead_add")).status_code == 403
