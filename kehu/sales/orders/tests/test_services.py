"""Order services: lines and totals in Decimal to the cent, numbering, owner, status transitions and their
refusals, scope and permissions, clear errors for bad lines, and the customer's timeline."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from kehu.core.activity import activity_timeline
from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.core.verbs import activity_sentence
from kehu.customers.services import customer_transfer
from kehu.customers.tests.factories import CustomerFactory
from kehu.sales.contracts import services as contract_services
from kehu.sales.orders import services
from kehu.sales.orders.choices import OrderStatus
from kehu.sales.orders.models import Order, OrderLine
from kehu.sales.orders.tests.factories import make_order
from kehu.sales.products.tests.factories import PriceListFactory, PriceListItemFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(org):
    return CustomerFactory(owner=org.rep, name="苏州精密机械有限公司")


@pytest.fixture
def product():
    return ProductFactory(
        code="CRM-STD", name="CRM 标准版", unit="套", list_price=D("1000.00"), cost=D("333.33")
    )


def create(org, customer, *lines, actor=None, **data):
    return services.order_create(actor=actor or org.rep, customer=customer, data=data, lines=list(lines))


def test_create_computes_amounts_costs_and_gross_profit_to_the_cent(org, customer, product):
    order = create(
        org,
        customer,
        {"product_id": product.pk, "quantity": "3"},
        {
            "name": "安装调试",
            "unit": "次",
            "quantity": "1.5",
            "unit_price": "333.335",
            "unit_cost": "100.005",
        },
        order_date=date(2026, 3, 1),
    )

    lines = list(order.lines.all())
    assert [(x.name, x.unit, x.unit_price, x.unit_cost) for x in lines] == [
        ("CRM 标准版", "套", D("1000.00"), D("333.33")),
        ("安装调试", "次", D("333.34"), D("100.01")),  # prices are rounded to the cent half up
    ]
    assert [(x.amount, x.cost_amount) for x in lines] == [
        (D("3000.00"), D("999.99")),
        (D("500.01"), D("150.02")),  # 1.5 × 333.34 = 500.01; 1.5 × 100.01 = 150.015 → 150.02
    ]
    assert (order.total, order.cost_total, order.gross_profit) == (D("3500.01"), D("1150.01"), D("2350.00"))
    assert order.status == OrderStatus.DRAFT
    assert order.number.startswith("SO-")
    assert (order.owner, order.department, order.created_by) == (org.rep, org.rep.department, org.rep)
    assert order.order_date == date(2026, 3, 1)


def test_numbers_follow_the_sequence(org, customer):
    first, second = make_order(customer), make_order(customer)
    year = first.created_at.year
    assert (first.number, second.number) == (f"SO-{year}-000001", f"SO-{year}-000002")


def test_product_price_comes_from_the_default_price_list(org, customer, product):
    price_list = PriceListFactory(is_default=True, valid_from=date(2020, 1, 1), valid_to=date(2099, 1, 1))
    PriceListItemFactory(price_list=price_list, product=product, price=D("900.00"))
    order = create(org, customer, {"product_id": product.pk, "quantity": "2"})
    assert (order.total, order.gross_profit) == (D("1800.00"), D("1133.34"))


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"product_id": 999999, "quantity": "1"}, "There is no product with id 999999."),
        ({"product_id": "x"}, "A product id is not a valid id."),
        ({"name": "服务", "quantity": "abc", "unit_price": "1"}, "Line 1: enter a number."),
        ({"name": "服务", "quantity": "NaN", "unit_price": "1"}, "Line 1: enter a number."),
        ({"name": "服务", "quantity": "0", "unit_price": "1"}, "Line 1: the quantity must be more than 0"),
        ({"name": "服务", "quantity": "1", "unit_price": "-1"}, "Line 1: price and cost must be positive"),
        ({"name": "服务", "quantity": "1"}, "Line 1: give the unit price of “服务”."),
        ({"quantity": "1", "unit_price": "5"}, "Line 1: choose a product or describe the item."),
    ],
)
def test_bad_lines_are_refused_with_a_clear_message(org, customer, row, message):
    with pytest.raises(ValidationError) as error:
        create(org, customer, row)
    assert message in " ".join(error.value.message_dict["lines"])
    assert not Order.objects.exists()


def test_an_order_needs_a_line(org, customer):
    with pytest.raises(ValidationError, match="Add at least one line"):
        create(org, customer)


def test_products_of_all_lines_are_read_in_one_query(org, customer, django_assert_num_queries):
    products = [ProductFactory() for _ in range(5)]
    rows = [{"product_id": p.pk, "quantity": "1"} for p in products]
    services._clean_lines(Order(customer=customer, currency="CNY", order_date=date(2026, 1, 1)), rows[:1])
    # products, default price list: the same for 1 and 5 lines
    with django_assert_num_queries(2):
        services._clean_lines(Order(customer=customer, currency="CNY", order_date=date(2026, 1, 1)), rows)


def test_a_rep_cannot_write_orders_for_another_reps_customer(org):
    theirs = CustomerFactory(owner=org.other_dept_rep)
    with pytest.raises(PermissionDeniedError):
        make_order(theirs, org.rep)
    assert not Order.objects.exists()


def test_without_the_permission_nothing_is_written(org, customer):
    with pytest.raises(PermissionDeniedError):
        make_order(customer, org.outsider)


def test_owner_is_the_customers_owner_unless_someone_allowed_names_another(org, customer):
    by_manager = make_order(customer, org.dept_manager)
    assert by_manager.owner == org.rep
    other = services.order_create(
        actor=org.dept_manager,
        customer=customer,
        data={},
        lines=[{"name": "服务", "unit_price": "1"}],
        owner=org.peer_rep,
    )
    assert (other.owner, other.department) == (org.peer_rep, org.shanghai)
    with pytest.raises(PermissionDeniedError):
        services.order_create(
            actor=org.rep,
            customer=customer,
            data={},
            lines=[{"name": "服务", "unit_price": "1"}],
            owner=org.peer_rep,
        )


def test_life_cycle_draft_confirmed_shipped_completed(org, customer):
    order = make_order(customer)
    order = services.order_confirm(actor=org.rep, order=order)
    assert order.status == OrderStatus.CONFIRMED
    order = services.order_ship(actor=org.rep, order=order)
    assert order.status == OrderStatus.SHIPPED
    order = services.order_complete(actor=org.rep, order=order)
    assert order.status == OrderStatus.COMPLETED
    verbs = [a.verb for a in activity_timeline(customer.pk)]
    assert verbs == ["order.completed", "order.shipped", "order.confirmed", "order.created"]


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_a_completed_or_cancelled_order_never_changes(org, customer, status):
    order = make_order(customer, status=status)
    for run in (
        lambda: services.order_update(actor=org.rep, order=order, data={"notes": "x"}),
        lambda: services.order_confirm(actor=org.rep, order=order),
        lambda: services.order_ship(actor=org.rep, order=order),
        lambda: services.order_complete(actor=org.rep, order=order),
        lambda: services.order_cancel(actor=org.rep, order=order, reason="再取消"),
    ):
        with pytest.raises(ConflictError):
            run()
    order.refresh_from_db()
    assert (order.status, order.notes) == (status, "")


def test_shipped_orders_cannot_be_edited_and_drafts_cannot_be_shipped(org, customer):
    with pytest.raises(ConflictError):
        services.order_ship(actor=org.rep, order=make_order(customer))
    shipped = make_order(customer, status="shipped")
    with pytest.raises(ConflictError, match="cannot be changed"):
        services.order_update(actor=org.rep, order=shipped, data={"notes": "x"})


def test_update_replaces_lines_and_records_the_change(org, customer, product):
    order = make_order(customer, status="confirmed")
    order = services.order_update(
        actor=org.rep,
        order=order,
        data={"notes": "加急"},
        lines=[{"product_id": product.pk, "quantity": "2", "unit_price": "950"}],
    )
    assert (order.total, order.cost_total, order.gross_profit) == (D("1900.00"), D("666.66"), D("1233.34"))
    assert list(OrderLine.objects.filter(order=order).values_list("name", flat=True)) == ["CRM 标准版"]
    entry = activity_timeline(customer.pk).first()
    assert entry.verb == "order.updated"
    assert entry.data["changes"]["total"] == ["1000.00", "1900.00"]


def test_cancel_needs_a_reason_and_keeps_it(org, customer):
    order = make_order(customer, status="confirmed")
    with pytest.raises(DomainError, match="reason"):
        services.order_cancel(actor=org.rep, order=order, reason="  ")
    order = services.order_cancel(actor=org.rep, order=order, reason="客户预算取消")
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "客户预算取消")
    entry = activity_timeline(customer.pk).first()
    assert activity_sentence(entry) == f"cancelled the sales order {order.number} (reason: 客户预算取消)"


def test_only_drafts_are_deleted_and_only_with_the_delete_permission(org, customer):
    draft = make_order(customer)
    with pytest.raises(PermissionDeniedError):
        services.order_delete(actor=org.rep, order=draft)  # reps have no delete permission
    confirmed = make_order(customer, status="confirmed")
    with pytest.raises(ConflictError):
        services.order_delete(actor=org.dept_manager, order=confirmed)
    services.order_delete(actor=org.dept_manager, order=draft)
    draft.refresh_from_db()
    assert draft.deleted_at is not None
    assert activity_timeline(customer.pk).first().verb == "order.deleted"


def test_a_rep_cannot_change_another_reps_order(org, customer):
    order = make_order(customer)
    for actor in (org.peer_rep, org.other_dept_rep):
        with pytest.raises(PermissionDeniedError):
            services.order_confirm(actor=actor, order=order)
        with pytest.raises(PermissionDeniedError):
            services.order_update(actor=actor, order=order, data={"notes": "x"})
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


def test_created_entry_reads_on_the_timeline(org, customer):
    order = make_order(customer)
    entry = activity_timeline(customer.pk).first()
    assert entry.customer_id == customer.pk
    assert activity_sentence(entry) == f"created the sales order {order.number} (1000.00 CNY)"


def signed_contract(org, customer, *, actor=None, lines=()):
    draft = contract_services.contract_create(
        actor=actor or org.rep,
        customer=customer,
        data={"title": "年度合同", "amount": "3000"},
        lines=list(lines),
    )
    return contract_services.contract_submit(actor=actor or org.rep, contract=draft)  # no flow: approved


def test_an_order_delivers_a_signed_contract_and_takes_its_number_as_reference(org, customer, product):
    contract = signed_contract(org, customer)
    order = create(org, customer, {"product_id": product.pk}, contract_id=contract.pk)

    assert order.contract == contract
    assert order.source_reference == contract.number
    assert list(contract.orders.all()) == [order]
    given = create(
        org, customer, {"product_id": product.pk}, contract_id=contract.pk, source_reference="PO-7"
    )
    assert given.source_reference == "PO-7"


def test_a_contract_of_another_customer_unsigned_or_out_of_scope_is_refused(org, customer, product):
    other_customer = CustomerFactory(owner=org.rep)
    others = signed_contract(org, other_customer)
    draft = contract_services.contract_create(
        actor=org.rep, customer=customer, data={"title": "草稿", "amount": "10"}, lines=[]
    )
    theirs_customer = CustomerFactory(owner=org.peer_rep)
    theirs = signed_contract(org, theirs_customer, actor=org.peer_rep)
    line = {"product_id": product.pk}

    for contract_id, message in [
        (others.pk, "another customer's"),
        (draft.pk, "only a signed contract has orders"),
        (theirs.pk, "that you can see"),
        ("x", "not a valid id"),
    ]:
        with pytest.raises(ValidationError, match=message):
            create(org, customer, line, contract_id=contract_id)
    assert not Order.objects.exists()


def test_update_links_and_unlinks_a_contract(org, customer, product):
    contract = signed_contract(org, customer)
    order = create(org, customer, {"product_id": product.pk})

    order = services.order_update(actor=org.rep, order=order, data={"contract_id": contract.pk})
    assert order.contract_id == contract.pk
    order = services.order_update(actor=org.rep, order=order, data={"contract_id": None})
    assert order.contract_id is None


def test_draft_orders_follow_their_customer_to_a_new_owner_the_rest_stay_with_who_sold_them(org, customer):
    draft = make_order(customer)
    sold = make_order(customer, status="completed")

    customer_transfer(actor=org.dept_manager, customer_ids=[customer.pk], new_owner=org.east_rep)

    draft.refresh_from_db()
    sold.refresh_from_db()
    assert (draft.owner_id, draft.department_id) == (org.east_rep.pk, org.east_rep.department_id)
    assert sold.owner_id == org.rep.pk
