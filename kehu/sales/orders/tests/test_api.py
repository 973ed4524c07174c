"""The orders API: create with lines (money as decimal strings), scope (404 outside it), the life-cycle
actions, filters, and clear errors."""

from decimal import Decimal as D

import pytest
from django.test import Client

from kehu.customers.tests.factories import CustomerFactory
from kehu.org.services import api_token_create
from kehu.sales.contracts import services as contracts
from kehu.sales.orders.models import Order
from kehu.sales.orders.tests.factories import make_order
from kehu.sales.products.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def api_client(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, url: str, body: dict | None = None):
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture
def customer(org):
    return CustomerFactory(owner=org.rep, name="无锡纺织")


@pytest.fixture
def product():
    return ProductFactory(code="POS", name="收银系统", unit="台", list_price=D("2000.00"), cost=D("1200.00"))


def test_create_get_update_and_the_life_cycle(org, customer, product):
    client = api_client(org.rep)
    body = {
        "customer": customer.pk,
        "order_date": "2026-05-01",
        "source_reference": "HT-2026-000001",
        "lines": [{"product": product.pk, "quantity": "2"}, {"name": "培训", "unit_price": "300.5"}],
    }
    response = post(client, "/api/v1/orders", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["total"], data["cost_total"], data["gross_profit"]) == ("4300.50", "2400.00", "1900.50")
    assert data["status"] == "draft"
    assert data["customer_name"] == "无锡纺织"
    assert [line["amount"] for line in data["lines"]] == ["4000.00", "300.50"]
    order_id = data["id"]

    response = client.patch(
        f"/api/v1/orders/{order_id}",
        {"notes": "加急", "lines": [{"product": product.pk}]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["notes"], response.json()["total"]) == ("加急", "2000.00")

    for action, status in (("confirm", "confirmed"), ("ship", "shipped"), ("complete", "completed")):
        response = post(client, f"/api/v1/orders/{order_id}/{action}")
        assert response.status_code == 200
        assert response.json()["status"] == status
    response = post(client, f"/api/v1/orders/{order_id}/cancel", {"reason": "晚了"})
    assert response.status_code == 409
    assert client.get(f"/api/v1/orders/{order_id}").json()["status"] == "completed"


def test_cancel_needs_a_reason_and_delete_only_drafts(org, customer):
    order = make_order(customer)
    client = api_client(org.rep)
    assert post(client, f"/api/v1/orders/{order.pk}/cancel", {}).status_code == 422
    assert client.delete(f"/api/v1/orders/{order.pk}").status_code == 403  # reps may not delete
    manager = api_client(org.dept_manager)
    assert manager.delete(f"/api/v1/orders/{order.pk}").status_code == 204
    assert manager.get(f"/api/v1/orders/{order.pk}").status_code == 404


def test_scope_a_rep_never_sees_or_changes_another_reps_orders(org, customer):
    order = make_order(customer)
    theirs = make_order(CustomerFactory(owner=org.other_dept_rep))
    client = api_client(org.rep)
    assert [o["id"] for o in client.get("/api/v1/orders").json()["items"]] == [order.pk]
    assert client.get(f"/api/v1/orders/{theirs.pk}").status_code == 404
    assert post(client, f"/api/v1/orders/{theirs.pk}/confirm").status_code == 404
    assert (
        client.patch(
            f"/api/v1/orders/{theirs.pk}", {"notes": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    body = {"customer": theirs.customer_id, "lines": [{"name": "x", "unit_price": "1"}]}
    response = post(client, "/api/v1/orders", body)
    assert response.status_code == 400
    assert "There is no customer" in response.content.decode()
    assert Order.objects.count() == 2


@pytest.mark.parametrize(
    ("lines", "status"),
    [
        ([], 422),
        ([{"product": 99999}], 400),
        ([{"name": "x"}], 400),
        ([{"name": "x", "unit_price": "1", "quantity": "0"}], 422),
        ([{"name": "x", "unit_price": 1.5}], 201),
        ([{"name": "x", "unit_price": "abc"}], 422),
    ],
)
def test_bad_lines_are_clear_errors_never_500(org, customer, lines, status):
    response = post(api_client(org.rep), "/api/v1/orders", {"customer": customer.pk, "lines": lines})
    assert response.status_code == status, response.content


def test_list_filters(org, customer):
    done = make_order(customer, status="completed")
    make_order(customer)
    client = api_client(org.rep)
    items = client.get("/api/v1/orders", {"status": "completed"}).json()["items"]
    assert [o["id"] for o in items] == [done.pk]
    assert client.get("/api/v1/orders", {"status": "nope"}).status_code in (400, 422)


def test_an_order_for_a_signed_contract_of_the_customer(org, customer, product):
    draft = contracts.contract_create(
        actor=org.rep, customer=customer, data={"title": "年度合同", "amount": "4000"}, lines=[]
    )
    client = api_client(org.rep)
    body = {"customer": customer.pk, "contract": draft.pk, "lines": [{"product": product.pk}]}
    response = post(client, "/api/v1/orders", body)
    assert response.status_code == 400
    assert "only a signed contract has orders" in response.content.decode()

    contract = contracts.contract_submit(actor=org.rep, contract=draft)  # no flow: approved at once
    response = post(client, "/api/v1/orders", {**body, "contract": contract.pk})
    assert response.status_code == 201, response.content
    assert (response.json()["contract"], response.json()["source_reference"]) == (
        contract.pk,
        contract.number,
    )
    order_id = response.json()["id"]
    response = client.patch(f"/api/v1/orders/{order_id}", {"contract": None}, content_type="application/json")
    assert (response.status_code, response.json()["contract"]) == (200, None)
    theirs = contracts.contract_submit(
        actor=org.peer_rep,
        contract=contracts.contract_create(
            actor=org.peer_rep,
            customer=CustomerFactory(owner=org.peer_rep),
            data={"title": "别人的", "amount": "1"},
            lines=[],
        ),
    )
    response = client.patch(
        f"/api/v1/orders/{order_id}", {"contract": theirs.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert Order.objects.get(pk=order_id).contract_id is None
