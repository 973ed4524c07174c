"""The pipelines and opportunities API: scope (team members see, others get 404), create, the actions,
history, board, pipelines, errors."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from kehu.customers.tests.factories import CustomerFactory
from kehu.org.services import api_token_create
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import Opportunity, OpportunityMember, Pipeline, StageChange
from kehu.sales.opportunities.tests.factories import OpportunityFactory, default_stages
from kehu.sales.products.tests.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kehu.sales.opportunities.tests.urls")]

NOT_FOUND = {"detail": "Not found.", "field": None, "errors": {}}


def api_client(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, url: str, body: dict | None = None):
    return client.post(url, body or {}, content_type="application/json")


# Scope -----------------------------------------------------------------------------------------------------


def test_team_members_see_the_opportunity_others_get_404(org):
    opportunity = OpportunityFactory(owner=org.rep, title="ERP")
    OpportunityMember.objects.create(opportunity=opportunity, user=org.other_dept_rep, role="presales")
    url = f"/api/v1/opportunities/{opportunity.pk}"

    member = api_client(org.other_dept_rep)
    assert member.get(url).json()["members"] == [
        {
            "user": org.other_dept_rep.pk,
            "user_name": str(org.other_dept_rep),
            "role": "presales",
            "can_edit": False,
        }
    ]
    assert [i["title"] for i in member.get("/api/v1/opportunities").json()["items"]] == ["ERP"]

    stranger = api_client(org.peer_rep)
    response = stranger.get(url)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert stranger.get("/api/v1/opportunities").json() == {"items": [], "count": 0}
    moved = post(stranger, f"{url}/move", {"stage": default_stages()["机会建立"].pk})
    assert moved.status_code == 404
    assert Opportunity.objects.get().stage.name == "销售线索"


def test_a_member_without_edit_rights_gets_403_on_a_move(org):
    opportunity = OpportunityFactory(owner=org.rep)
    OpportunityMember.objects.create(opportunity=opportunity, user=org.peer_rep)
    response = post(
        api_client(org.peer_rep),
        f"/api/v1/opportunities/{opportunity.pk}/move",
        {"stage": default_stages()["机会建立"].pk},
    )
    assert (response.status_code, response.json()["detail"]) == (
        403,
        "You may see this opportunity but not edit it.",
    )


# Create and read -------------------------------------------------------------------------------------------


def test_create_returns_decimal_strings_and_defaults(org):
    customer = CustomerFactory(owner=org.rep, name="华为")
    response = post(
        api_client(org.rep),
        "/api/v1/opportunities",
        {"customer": customer.pk, "title": "ERP", "amount": "123456.78", "expected_close_date": "2026-12-31"},
    )
    assert response.status_code == 201
    body = response.json()
    opportunity = Opportunity.objects.get()
    assert {k: body[k] for k in ("id", "customer_name", "stage_name", "status", "amount", "probability")} == {
        "id": opportunity.pk,
        "customer_name": "华为",
        "stage_name": "销售线索",
        "status": "open",
        "amount": "123456.78",
        "probability": "10.00",
    }
    assert (body["weighted_amount"], body["probability_overridden"], body["owner"]) == (
        "12345.68",
        False,
        org.rep.pk,
    )


def test_create_for_a_customer_out_of_scope_is_a_bad_field(org):
    customer = CustomerFactory(owner=org.other_dept_rep)
    response = post(api_client(org.rep), "/api/v1/opportunities", {"customer": customer.pk, "title": "x"})
    assert (response.status_code, response.json()["field"]) == (400, "customer")
    assert Opportunity.objects.count() == 0


def test_patch_changes_fields_and_lines(org):
    opportunity = OpportunityFactory(owner=org.rep)
    response = api_client(org.rep).patch(
        f"/api/v1/opportunities/{opportunity.pk}",
        {
            "title": "新标题",
            "probability": "25",
            "lines": [{"product_name": "软件", "quantity": "2", "unit_price": "10.05"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["amount"], body["probability"], body["weighted_amount"]) == (
        "新标题",
        "20.10",
        "25.00",
        "5.03",  # 5.025 half up
    )
    assert body["lines"][0] | {"id": 0} == {
        "id": 0,
        "product_id": None,
        "product_name": "软件",
        "quantity": "2.00",
        "unit_price": "10.05",
        "amount": "20.10",
    }


def test_delete_moves_to_the_recycle_bin_for_managers_only(org):
    opportunity = OpportunityFactory(owner=org.rep)
    assert api_client(org.rep).delete(f"/api/v1/opportunities/{opportunity.pk}").status_code == 403
    assert api_client(org.team_lead).delete(f"/api/v1/opportunities/{opportunity.pk}").status_code == 404
    assert api_client(org.dept_manager).delete(f"/api/v1/opportunities/{opportunity.pk}").status_code == 204
    assert Opportunity.objects.get().deleted_at is not None


# Actions ---------------------------------------------------------------------------------------------------


def test_move_then_history_shows_the_durations(org):
    stages = default_stages()
    client = api_client(org.rep)
    customer = CustomerFactory(owner=org.rep)
    created = post(client, "/api/v1/opportunities", {"customer": customer.pk, "title": "ERP"}).json()
    Opportunity.objects.filter(pk=created["id"]).update(stage_entered_at=timezone.now() - timedelta(days=5))
    StageChange.objects.filter(opportunity_id=created["id"]).update(
        moved_at=timezone.now() - timedelta(days=5)
    )

    moved = post(client, f"/api/v1/opportunities/{created['id']}/move", {"stage": stages["方案提供"].pk})

    assert (moved.status_code, moved.json()["stage_name"], moved.json()["probability"]) == (
        200,
        "方案提供",
        "40.00",
    )
    history = client.get(f"/api/v1/opportunities/{created['id']}/history").json()
    assert [(h["from_stage_name"], h["to_stage_name"], h["days_in_from_stage"]) for h in history] == [
        ("", "销售线索", None),
        ("销售线索", "方案提供", "5.00"),
    ]


def test_win_without_a_review_is_refused_with_the_field(org):
    opportunity = OpportunityFactory(owner=org.rep)
    client = api_client(org.rep)
    url = f"/api/v1/opportunities/{opportunity.pk}"

    refused = post(client, f"{url}/win", {"reason": "", "summary": "好"})
    assert (refused.status_code, refused.json()["field"]) == (400, "reason")
    moved = post(client, f"{url}/move", {"stage": default_stages()["合同签定"].pk})
    assert (moved.status_code, moved.json()["field"]) == (400, "stage")
    assert Opportunity.objects.get().status == OpportunityStatus.OPEN

    won = post(client, f"{url}/win", {"reason": "价格", "summary": "顺利", "competitor": "金蝶"})
    assert (won.status_code, won.json()["status"], won.json()["stage_name"]) == (200, "won", "合同签定")


def test_suspend_reactivate_terminate_and_conflicts(org):
    opportunity = OpportunityFactory(owner=org.rep)
    client = api_client(org.rep)
    url = f"/api/v1/opportunities/{opportunity.pk}"

    assert post(client, f"{url}/suspend", {"reason": "预算"}).json()["status"] == "suspended"
    assert post(client, f"{url}/reactivate").json()["status"] == "open"
    assert post(client, f"{url}/terminate", {"reason": "取消"}).json()["status"] == "terminated"
    response = post(client, f"{url}/move", {"stage": default_stages()["机会建立"].pk})
    assert (response.status_code, response.json()["detail"]) == (
        409,
        "This opportunity was terminated: it is closed for good.",
    )


def test_transfer_and_members(org):
    opportunity = OpportunityFactory(owner=org.rep)
    url = f"/api/v1/opportunities/{opportunity.pk}"
    assert post(api_client(org.rep), f"{url}/transfer", {"owner": org.peer_rep.pk}).status_code == 403

    manager = api_client(org.dept_manager)
    response = post(manager, f"{url}/transfer", {"owner": org.peer_rep.pk, "reason": "调整"})
    assert (response.status_code, response.json()["owner"]) == (200, org.peer_rep.pk)

    added = post(manager, f"{url}/members", {"user": org.rep.pk, "role": "presales", "can_edit": True})
    assert (added.status_code, added.json()) == (
        201,
        {"user": org.rep.pk, "user_name": str(org.rep), "role": "presales", "can_edit": True},
    )
    assert api_client(org.rep).get(url).status_code == 200
    assert manager.delete(f"{url}/members/{org.rep.pk}").status_code == 204
    assert api_client(org.rep).get(url).status_code == 404


# Board -----------------------------------------------------------------------------------------------------


def test_board_returns_columns_with_totals(org):
    stages = default_stages()
    OpportunityFactory(owner=org.rep, amount=Decimal("1000.00"))
    OpportunityFactory(owner=org.rep, amount=Decimal("0.05"), stage=stages["商务谈判"])
    OpportunityFactory(owner=org.peer_rep, amount=Decimal("99"))

    body = api_client(org.rep).get("/api/v1/opportunities/board").json()

    assert (body["count"], body["amount"], body["weighted_amount"]) == (2, "1000.05", "100.04")
    columns = {
        c["stage"]["name"]: (c["count"], c["amount"], c["weighted_amount"], len(c["cards"]))
        for c in body["columns"]
    }
    assert columns["销售线索"] == (1, "1000.00", "100.00", 1)
    assert columns["商务谈判"] == (1, "0.05", "0.04", 1)
    assert columns["输单"] == (0, "0.00", "0.00", 0)
    assert body["columns"][0]["cards"][0]["is_idle"] is False


# Pipelines -------------------------------------------------------------------------------------------------


def test_a_product_line_takes_the_products_name_and_price(org):
    product = ProductFactory(name="CRM 企业版", list_price=Decimal("128000.00"))
    opportunity = OpportunityFactory(owner=org.rep)
    client = api_client(org.rep)
    url = f"/api/v1/opportunities/{opportunity.pk}"

    body = client.patch(url, {"lines": [{"product_id": product.pk}]}, content_type="application/json").json()

    assert (body["lines"][0]["product_name"], body["lines"][0]["unit_price"]) == ("CRM 企业版", "128000.00")
    assert body["amount"] == "128000.00"
    free = client.patch(url, {"lines": [{"quantity": "1"}]}, content_type="application/json")
    assert (free.status_code, free.json()["field"]) == (400, "lines")


def test_pipelines_list_and_admin_changes(org):
    pipeline = Pipeline.objects.get(is_default=True)
    listed = api_client(org.rep).get("/api/v1/pipelines").json()
    assert [(p["name"], len(p["stages"])) for p in listed] == [("标准销售流程", 8)]
    assert listed[0]["stages"][5] | {"id": 0} == {
        "id": 0,
        "name": "合同签定",
        "position": 6,
        "probability": "100.00",
        "is_won": True,
        "is_lost": False,
        "usual_days": None,
    }

    rep_patch = api_client(org.rep).patch(
        f"/api/v1/pipelines/{pipeline.pk}", {"name": "x"}, content_type="application/json"
    )
    assert rep_patch.status_code == 403

    created = post(
        api_client(org.admin),
        "/api/v1/pipelines",
        {
            "name": "渠道",
            "stages": [
                {"name": "接触", "probability": "5"},
                {"name": "成交", "probability": "100", "is_won": True},
            ],
        },
    )
    assert created.status_code == 201
    stages = created.json()["stages"]
    renamed = api_client(org.admin).patch(
        f"/api/v1/pipelines/{created.json()['id']}",
        {
            "stages": [
                {"id": stages[1]["id"], "name": "签约", "probability": "100", "is_won": True},
                {"id": stages[0]["id"], "name": "接触"},
            ]
        },
        content_type="application/json",
    )
    assert renamed.status_code == 200
    assert [(s["name"], s["position"]) for s in renamed.json()["stages"]] == [("签约", 1), ("接触", 2)]


def test_list_and_board_endpoints_run_constant_queries(org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client(org.rep)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    OpportunityFactory(owner=org.rep)
    queries("/api/v1/pipelines")  # the token's first use is stamped once
    few = (queries("/api/v1/opportunities"), queries("/api/v1/opportunities/board"))
    for _ in range(20):
        OpportunityFactory(owner=org.rep)
    assert (queries("/api/v1/opportunities"), queries("/api/v1/opportunities/board")) == few
