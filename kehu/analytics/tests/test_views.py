"""The funnel page, a stage's opportunities (htmx panel), the Excel export and the API."""

import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kehu.analytics.tests.book import build_book
from kehu.sales.opportunities.models import Pipeline

pytestmark = pytest.mark.django_db
YEAR = {"date_from": "2026-01-01", "date_to": "2026-12-31"}
STAGE_FIELDS = {"stage", "reached", "amount", "conversion_rate", "avg_days"}


@pytest.fixture
def book(org, default_pipeline):
    return build_book(org)


def stage_named(name):
    return Pipeline.objects.get(is_default=True).stages.get(name=name)


def test_the_page_shows_the_stages_and_the_lost_deals(client, org, book):
    client.force_login(org.dept_manager)
    response = client.get(reverse("analytics:funnel"), YEAR)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="total-created">6<' in html
    assert html.count('<tr data-testid="stage-row"') == 7
    assert "价格太高" in html
    assert "金蝶" in html
    assert 'id="chart-funnel"' in html
    assert 'data-testid="nav-funnel"' in html


def test_the_filter_bar_gets_only_the_report_over_htmx(client, org, book):
    client.force_login(org.dept_manager)
    response = client.get(
        reverse("analytics:funnel"),
        {**YEAR, "department": org.south.pk},
        headers={"HX-Request": "true", "HX-Target": "funnel-report"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="funnel-report">')
    assert 'data-testid="total-created">1<' in html


def test_bad_filters_are_named(client, org, book):
    client.force_login(org.dept_manager)
    response = client.get(reverse("analytics:funnel"), {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert response.status_code == 400
    assert 'data-testid="filter-errors"' in response.content.decode()


def test_a_stages_opportunities_in_scope_and_paged(client, org, book):
    client.force_login(org.rep)
    url = reverse("analytics:funnel_stage", args=[stage_named("机会建立").pk])
    response = client.get(url, YEAR, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="stage-opportunity"') == 2  # o1 and o2, not peer_rep's o3
    assert "o3 项目" not in html
    lost = Pipeline.objects.get(is_default=True).stages.get(is_lost=True)
    assert client.get(reverse("analytics:funnel_stage", args=[lost.pk]), YEAR).status_code == 400


def test_without_the_permission_the_page_is_refused(client, org, book):
    client.force_login(org.outsider)
    assert client.get(reverse("analytics:funnel")).status_code == 403
    assert client.get(reverse("analytics:funnel_export")).status_code == 403
    assert client.get("/api/v1/reports/funnel").status_code == 403


def test_the_export_holds_the_figures_on_the_page(client, org, book):
    client.force_login(org.dept_manager)
    response = client.get(reverse("analytics:funnel_export"), YEAR)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)}
    assert summary["Created in the period"] == 6
    assert summary["Lost"] == 3
    stages = list(workbook["Stages"].iter_rows(values_only=True))
    assert stages[0][:4] == ("Stage", "Reached", "Amount", "Conversion to next %")
    assert [row[1] for row in stages[1:]] == [6, 5, 3, 3, 2, 1, 0]
    assert D(str(stages[1][2])) == D("5700.00")
    assert D(str(stages[1][3])) == D("83.33")
    reasons = list(workbook["Lost by reason"].iter_rows(values_only=True))
    assert reasons[1][:2] == ("价格太高", 2)


def test_the_api_returns_the_stages_in_order_with_their_fields(client, org, book):
    client.force_login(org.dept_manager)
    response = client.get("/api/v1/reports/funnel", YEAR)
    assert response.status_code == 200
    data = response.json()
    assert data["created"] == 6
    assert [row["stage"] for row in data["stages"]] == [
        "销售线索",
        "机会建立",
        "方案提供",
        "方案评估",
        "商务谈判",
        "合同签定",
        "项目实施",
    ]
    assert all(set(row) == STAGE_FIELDS for row in data["stages"])
    first, last = data["stages"][0], data["stages"][-1]
    assert first == {**first, "reached": 6, "amount": "5700.00", "conversion_rate": "83.33"}
    assert last["conversion_rate"] is None
    assert last["avg_days"] is None
    assert isinstance(data["stages"][1]["avg_days"], str)
    assert data["lost"]["count"] == 3
    assert data["lost"]["amount"] == "2000.00"
    assert data["lost"]["by_reason"][0] == {"name": "价格太高", "count": 2, "amount": "800.00"}
    assert {g["name"] for g in data["lost"]["by_competitor"]} == {"用友", "金蝶"}


def test_the_api_scopes_and_filters_like_the_page(client, org, book):
    client.force_login(org.rep)
    assert client.get("/api/v1/reports/funnel", YEAR).json()["created"] == 2
    client.force_login(org.dept_manager)
    data = client.get("/api/v1/reports/funnel", {**YEAR, "department": org.east.pk}).json()
    assert data["created"] == 5


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"date_from": "not-a-date"}, 422),
        ({"view": "everything"}, 422),
        ({"department": "0"}, 422),
        ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, 400),
        ({"pipeline": "999999"}, 400),
        ({"department": "999999"}, 400),
    ],
)
def test_the_api_refuses_bad_input(client, org, book, params, status):
    client.force_login(org.dept_manager)
    response = client.get("/api/v1/reports/funnel", params)
    assert response.status_code == status, response.content
