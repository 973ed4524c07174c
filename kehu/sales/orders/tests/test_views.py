"""The order pages: scope (others get 404), the form with its line editor, the actions by status, the
customer's Purchases tab, and constant queries on the list and the purchases panel."""

from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from kehu.customers.tests.factories import CustomerFactory
from kehu.org.models import User
from kehu.sales.contracts import services as contracts
from kehu.sales.orders import services
from kehu.sales.orders.choices import OrderStatus
from kehu.sales.orders.models import Order
from kehu.sales.orders.tests.factories import make_order
from kehu.sales.payments import services as payments
from kehu.sales.products.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def customer(org):
    return CustomerFactory(owner=org.rep, name="常州电子")


@pytest.fixture
def product():
    return ProductFactory(
        code="ERP", name="ERP 标准版", unit="套", list_price=D("5000.00"), cost=D("2000.00")
    )


def form_data(lines: list[dict], initial: int = 0, **fields) -> dict:
    data = {
        "order_date": "2026-04-01",
        "source_reference": "",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(initial),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
        **fields,
    }
    for i, line in enumerate(lines):
        row = {
            "product": "",
            "name": "",
            "unit": "",
            "quantity": "1",
            "unit_price": "",
            "unit_cost": "",
            **line,
        }
        data |= {f"lines-{i}-{k}": v for k, v in row.items()}
    return data


def test_create_with_a_product_line_and_a_free_text_line(client, org, customer, product):
    url = reverse("orders:create") + f"?customer={customer.pk}"
    assert login(client, org.rep).get(url).status_code == 200
    response = client.post(
        url,
        form_data(
            [
                {"product": product.pk, "quantity": "2"},
                {"name": "上门安装", "unit_price": "800", "unit_cost": "300"},
            ]
        ),
    )
    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("orders:detail", args=[order.pk])
    assert (order.total, order.cost_total, order.gross_profit) == (D("10800.00"), D("4300.00"), D("6500.00"))
    page = client.get(response.url).content.decode()
    assert "10,800.00 CNY" in page
    assert 'data-testid="order-confirm"' in page


def test_a_bad_line_shows_its_error_on_the_form(client, org, customer):
    url = reverse("orders:create") + f"?customer={customer.pk}"
    response = login(client, org.rep).post(url, form_data([{"name": "服务"}]))
    assert response.status_code == 200
    assert "Line 1: give the unit price of “服务”." in response.content.decode()
    response = client.post(url, form_data([]))
    assert "Add at least one line." in response.content.decode()
    assert not Order.objects.exists()


def test_a_rep_cannot_open_another_reps_order_or_write_for_their_customer(client, org):
    theirs = make_order(CustomerFactory(owner=org.other_dept_rep))
    login(client, org.rep)
    assert client.get(reverse("orders:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("orders:edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("orders:action", args=[theirs.pk, "confirm"])).status_code == 404
    url = reverse("orders:create") + f"?customer={theirs.customer_id}"
    assert client.get(url).status_code == 404
    assert theirs.number not in client.get(reverse("orders:list")).content.decode()
    panel = client.get(reverse("orders:customer", args=[theirs.customer_id]))
    assert panel.status_code == 404


def test_actions_follow_the_status(client, org, customer):
    order = make_order(customer)
    login(client, org.rep)
    for action, status in (("confirm", "confirmed"), ("ship", "shipped"), ("complete", "completed")):
        response = client.post(reverse("orders:action", args=[order.pk, action]))
        assert response.status_code == 302
        order.refresh_from_db()
        assert order.status == status
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert 'data-testid="order-actions"' not in page
    assert client.get(reverse("orders:edit", args=[order.pk])).status_code == 302  # completed: not editable


def test_cancel_with_a_reason_and_refusal_without_one(client, org, customer):
    order = make_order(customer, status="confirmed")
    login(client, org.rep)
    client.post(reverse("orders:action", args=[order.pk, "cancel"]), {"reason": ""})
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    client.post(reverse("orders:action", args=[order.pk, "cancel"]), {"reason": "客户撤单"})
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "客户撤单")


def test_edit_a_draft(client, org, customer):
    order = make_order(customer)
    url = reverse("orders:edit", args=[order.pk])
    assert login(client, org.rep).get(url).status_code == 200
    response = client.post(
        url, form_data([{"name": "咨询", "unit_price": "100", "quantity": "3"}], initial=1)
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.total == D("300.00")


def test_purchases_tab_shows_figures_orders_and_the_new_order_button(client, org, customer, product):
    done = make_order(customer, lines=[{"product_id": product.pk, "quantity": "2"}], status="completed")
    make_order(customer, status="cancelled")
    login(client, org.rep)
    page = client.get(reverse("customers:detail", args=[customer.pk]), {"tab": "purchases"}).content.decode()
    assert reverse("orders:customer", args=[customer.pk]) in page
    panel = client.get(reverse("orders:customer", args=[customer.pk])).content.decode()
    assert 'data-testid="purchase-count">1<' in panel
    assert "10,000.00" in panel
    assert "6,000.00" in panel
    assert "ERP 标准版" in panel
    assert done.number in panel
    assert 'data-testid="new-order"' in panel
    outsider_view = login(client, org.dept_manager).get(reverse("orders:customer", args=[customer.pk]))
    assert 'data-testid="new-order"' in outsider_view.content.decode()


def test_nav_has_the_orders_entry_for_users_with_the_permission(client, org):
    assert 'data-testid="nav-orders"' in login(client, org.rep).get(reverse("orders:list")).content.decode()
    assert 'data-testid="nav-orders"' not in login(client, org.outsider).get("/").content.decode()
    assert client.get(reverse("orders:list")).status_code == 403


@pytest.mark.parametrize("rows", [1, 20])
def test_list_and_purchases_panel_take_constant_queries(
    client, org, customer, product, rows, django_assert_num_queries
):
    lines = [{"product_id": product.pk, "quantity": "1"}, {"name": "运费", "unit_price": "10"}]
    for _ in range(rows):
        make_order(customer, lines=lines, status="completed")
    login(client, org.rep)
    client.get(reverse("orders:list"))  # warm the session and content type caches
    # the same number for 1 and 20 orders, the site's chrome (session, user, nav, notifications) included
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(reverse("orders:list")).status_code == 200
    with django_assert_num_queries(PANEL_QUERIES):
        assert client.get(reverse("orders:customer", args=[customer.pk])).status_code == 200


LIST_QUERIES = 8
PANEL_QUERIES = 11  # with the two aggregates of the amount outstanding


def test_purchases_panel_leaves_out_orders_the_viewer_does_not_see(client, org, customer):
    mine = make_order(customer, status="completed")
    theirs = services.order_create(
        actor=org.dept_manager,
        customer=customer,
        data={},
        lines=[{"name": "维保", "unit_price": "777"}],
        owner=org.peer_rep,
    )
    services.order_confirm(actor=org.dept_manager, order=theirs)
    panel = login(client, org.rep).get(reverse("orders:customer", args=[customer.pk])).content.decode()
    assert 'data-testid="purchase-count">1<' in panel
    assert mine.number in panel
    assert theirs.number not in panel
    assert "777" not in panel
    manager_panel = login(client, org.dept_manager).get(reverse("orders:customer", args=[customer.pk]))
    assert 'data-testid="purchase-count">2<' in manager_panel.content.decode()


def test_the_filter_bar_swaps_only_the_table(client, org, customer):
    done = make_order(customer, status="completed")
    draft = make_order(customer)
    headers = {"HX-Request": "true", "HX-Target": "order-table"}
    response = login(client, org.rep).get(reverse("orders:list"), {"status": "completed"}, headers=headers)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="order-table">')
    assert done.number in html
    assert draft.number not in html


def test_purchases_panel_shows_what_signed_contracts_still_owe(client, org, customer):
    contract = contracts.contract_submit(
        actor=org.rep,
        contract=contracts.contract_create(
            actor=org.rep, customer=customer, data={"amount": "5000"}, lines=[]
        ),
    )
    payments.receipt_record(actor=org.rep, contract=contract, data={"amount": "1200"})
    contracts.contract_create(actor=org.rep, customer=customer, data={"amount": "9999"}, lines=[])  # a draft

    panel = login(client, org.rep).get(reverse("orders:customer", args=[customer.pk])).content.decode()

    assert 'data-testid="purchase-outstanding">3,800.00<' in panel


def test_a_new_order_from_a_contract_starts_with_its_lines_and_is_linked(client, org, customer, product):
    draft = contracts.contract_create(
        actor=org.rep,
        customer=customer,
        data={"title": "年度合同", "amount": "10000"},
        lines=[{"product_id": product.pk, "quantity": "2", "unit_price": "5000"}],
    )
    contract = contracts.contract_submit(actor=org.rep, contract=draft)
    url = reverse("orders:create") + f"?contract={contract.pk}"
    page = login(client, org.rep).get(url).content.decode()
    assert f'<option value="{contract.pk}" selected>{contract.number}' in page
    assert 'name="lines-0-product"' in page
    assert f'<option value="{product.pk}" selected' in page

    response = client.post(url, form_data([{"product": product.pk, "quantity": "2"}], contract=contract.pk))
    order = Order.objects.get()
    assert response.status_code == 302
    assert (order.contract_id, order.source_reference, order.total) == (
        contract.pk,
        contract.number,
        D("10000.00"),
    )
    detail = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert reverse("contracts:detail", args=[contract.pk]) in detail

    login(client, org.peer_rep)
    assert client.get(url).status_code == 404


def test_editing_an_order_without_the_contract_permission_keeps_its_contract(client, org, customer, product):
    contract = contracts.contract_submit(
        actor=org.rep,
        contract=contracts.contract_create(actor=org.rep, customer=customer, data={"amount": "1"}, lines=[]),
    )
    order = make_order(customer, contract_id=contract.pk, lines=[{"product_id": product.pk}])
    org.rep.role.permissions.remove(Permission.objects.get(codename="view_contract"))
    rep = User.objects.get(pk=org.rep.pk)  # a fresh permission cache
    url = reverse("orders:edit", args=[order.pk])

    page = login(client, rep).get(url).content.decode()
    assert 'name="contract"' not in page
    detail = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert 'data-testid="contract-link"' not in detail
    response = client.post(url, form_data([{"product": product.pk}], initial=1, notes="改了备注"))

    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.notes, order.contract_id) == ("改了备注", contract.pk)


def test_moving_an_order_to_another_contract_moves_the_reference_it_took_from_the_first(
    org, customer, product
):
    first, second = (
        contracts.contract_submit(
            actor=org.rep,
            contract=contracts.contract_create(
                actor=org.rep, customer=customer, data={"amount": "1"}, lines=[]
            ),
        )
        for _ in range(2)
    )
    order = make_order(customer, contract_id=first.pk, lines=[{"product_id": product.pk}])
    order = services.order_update(actor=org.rep, order=order, data={"contract_id": second.pk})
    assert order.source_reference == second.number
    kept = make_order(
        customer, contract_id=first.pk, source_reference="PO-1", lines=[{"product_id": product.pk}]
    )
    kept = services.order_update(actor=org.rep, order=kept, data={"contract_id": second.pk})
    assert kept.source_reference == "PO-1"
