"""The workbench page: sections and their counts, scoping, recording a follow-up from a plan, query counts."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kehu.core.activity import activity_record
from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.choices import PlanStatus
from kehu.followups.models import FollowUp, FollowUpPlan
from kehu.followups.tests.factories import PlanFactory
from kehu.leads.tests.factories import LeadFactory
from kehu.pool.models import PoolRule
from kehu.workbench.tests.fakes import FakeWarning, install_pool_warnings


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def today_at(hour: int, minute: int = 0):
    return timezone.localtime().replace(hour=hour, minute=minute, second=0, microsecond=0)


def later_today():
    """A time later today that stays in today when the test runs close to midnight."""
    now = timezone.localtime()
    return min(now + timedelta(minutes=5), now.replace(hour=23, minute=59, second=0, microsecond=0))


def test_home_is_the_workbench_and_asks_for_a_login(org):
    assert Client().get("/").url.startswith("/login/")
    page = client_for(org.rep).get("/")
    assert page.status_code == 200
    assert page.templates[0].name == "workbench/workbench.html"
    html = page.content.decode()
    assert 'data-testid="wb-today"' in html
    assert "No contacts planned for today." in html
    assert "Nothing overdue. Well done." in html
    assert "No new leads waiting for you." in html
    assert "None of your customers is about to return to the pool." in html
    assert 'data-testid="wb-team"' not in html  # a rep has no team section
    assert 'class="nav-link active" href="/"' in html.replace(' aria-current="page"', "")


def test_sections_show_the_reps_own_rows_with_counts(org, monkeypatch):
    mine = CustomerFactory(owner=org.rep, name="我的客户")
    PlanFactory(customer=mine, due_at=later_today(), action="今天回访")
    PlanFactory(customer=mine, due_at=timezone.now() - timedelta(days=3), action="逾期回访")
    PlanFactory(customer=CustomerFactory(owner=org.peer_rep, name="同事的客户"), due_at=later_today())
    lead = LeadFactory(owner=org.rep, company_name="新线索公司")
    LeadFactory(owner=org.peer_rep, company_name="同事线索")
    install_pool_warnings(
        monkeypatch,
        {org.rep.pk: [FakeWarning(mine, "公海", PoolRule.NO_FOLLOWUP, timezone.now() + timedelta(days=2))]},
    )

    html = client_for(org.rep).get("/").content.decode()

    assert "今天回访" in html
    assert "逾期回访" in html
    assert "同事的客户" not in html
    assert "同事线索" not in html
    assert 'data-testid="wb-today-count">1<' in html
    assert 'data-testid="wb-overdue-count">1<' in html
    assert 'data-testid="wb-leads-count">1<' in html
    assert 'data-testid="wb-pool-count">1<' in html
    assert f'href="/leads/{lead.pk}/"' in html
    assert "Returns to the pool in 2 days (No follow-up)" in html


def test_a_manager_sees_the_teams_recent_activity(org):
    customer = CustomerFactory(owner=org.east_rep, name="华东客户")
    activity_record(actor=org.east_rep, subject=customer, verb="customer.created")

    html = client_for(org.team_lead).get("/").content.decode()

    assert 'data-testid="wb-team"' in html
    assert 'data-testid="wb-team-count">1<' in html
    assert f'href="/customers/{customer.pk}/">华东客户</a>' in html


# Recording a follow-up from a plan ----------------------------------------------------------------------


def htmx(pk: int) -> dict:
    return {"HX-Request": "true", "HX-Target": f"plan-{pk}-form"}


def test_the_quick_form_loads_under_its_plan(org):
    plan = PlanFactory(customer=CustomerFactory(owner=org.rep), due_at=later_today())
    client = client_for(org.rep)

    fragment = client.get(f"/workbench/plans/{plan.pk}/record/", headers=htmx(plan.pk)).content.decode()
    page = client.get(f"/workbench/plans/{plan.pk}/record/").content.decode()

    assert fragment.lstrip().startswith(f'<div id="plan-{plan.pk}-form"')
    assert f'id="id_plan{plan.pk}_content"' in fragment
    assert "<html" in page
    assert f'id="plan-{plan.pk}-form"' in page


def test_recording_fulfils_the_plan_and_refreshes_the_lists(org):
    customer = CustomerFactory(owner=org.rep)
    plan = PlanFactory(customer=customer, due_at=timezone.now() - timedelta(days=1), action="逾期回访")
    client = client_for(org.rep)

    response = client.post(
        f"/workbench/plans/{plan.pk}/record/",
        {"method": "phone", "content": "电话确认需求"},
        headers=htmx(plan.pk),
    )

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#workbench-plans"
    assert response["HX-Reswap"] == "outerHTML"
    assert json.loads(response["HX-Trigger"])["toast"]["message"] == "Follow-up recorded."
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="workbench-plans"')
    assert "逾期回访" not in html
    assert 'data-testid="wb-overdue-count">0<' in html
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DONE
    assert plan.done_by_followup == FollowUp.objects.get(customer=customer)


def test_a_bad_form_comes_back_with_its_errors(org):
    plan = PlanFactory(customer=CustomerFactory(owner=org.rep), due_at=later_today())

    response = client_for(org.rep).post(
        f"/workbench/plans/{plan.pk}/record/", {"method": "phone", "content": ""}, headers=htmx(plan.pk)
    )

    assert response.status_code == 200
    assert "HX-Retarget" not in response
    assert 'data-field-error="content"' in response.content.decode()
    assert FollowUpPlan.objects.get(pk=plan.pk).status == PlanStatus.OPEN


def test_plain_post_records_and_goes_back_to_the_workbench(org):
    plan = PlanFactory(customer=CustomerFactory(owner=org.rep), due_at=later_today())

    response = client_for(org.rep).post(
        f"/workbench/plans/{plan.pk}/record/", {"method": "visit", "content": "上门拜访"}
    )

    assert (response.status_code, response.url) == (302, "/")
    assert FollowUpPlan.objects.get(pk=plan.pk).status == PlanStatus.DONE


def test_nobody_records_on_someone_elses_plan(org):
    plan = PlanFactory(customer=CustomerFactory(owner=org.peer_rep), due_at=later_today())
    client = client_for(org.rep)

    assert client.get(f"/workbench/plans/{plan.pk}/record/").status_code == 404
    assert (
        client.post(f"/workbench/plans/{plan.pk}/record/", {"method": "phone", "content": "x"}).status_code
        == 404
    )
    assert not FollowUp.objects.exists()


def test_a_plan_done_meanwhile_refreshes_the_lists_with_a_warning(org):
    plan = PlanFactory(customer=CustomerFactory(owner=org.rep), due_at=later_today(), status=PlanStatus.DONE)

    response = client_for(org.rep).post(
        f"/workbench/plans/{plan.pk}/record/", {"method": "phone", "content": "x"}, headers=htmx(plan.pk)
    )

    assert response["HX-Retarget"] == "#workbench-plans"
    assert json.loads(response["HX-Trigger"])["toast"]["level"] == "warning"
    assert not FollowUp.objects.exists()


# Query counts -------------------------------------------------------------------------------------------


def fill(org, n: int) -> None:
    for i in range(n):
        customer = CustomerFactory(owner=org.rep)
        PlanFactory(customer=customer, due_at=later_today())
        PlanFactory(customer=customer, due_at=timezone.now() - timedelta(days=i + 1))
        activity_record(actor=org.rep, subject=customer, verb="customer.created")
    for _ in range(3):
        LeadFactory(owner=org.rep)


@pytest.mark.parametrize("persona", ["rep", "dept_manager"])
def test_the_page_takes_a_constant_number_of_queries(
    org, persona, monkeypatch, django_assert_max_num_queries
):
    install_pool_warnings(monkeypatch, {})
    client = client_for(getattr(org, persona))
    fill(org, 31)  # more plans than a section shows: rows and count, each
    with django_assert_max_num_queries(15) as few:
        client.get("/")
    fill(org, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/")
    assert response.status_code == 200
