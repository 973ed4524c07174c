"""Product and price list reads: filters, permissions, and the price that applies at validity edges."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kehu.sales.products.selectors import (
    category_tree,
    price_for,
    price_list_get,
    price_quote,
    product_list,
)
from kehu.sales.products.tests.factories import (
    PriceListFactory,
    PriceListItemFactory,
    ProductCategoryFactory,
    ProductFactory,
)


def codes(qs) -> list[str]:
    return [p.code for p in qs]


@pytest.fixture
def catalogue():
    software = ProductCategoryFactory(name="软件许可", position=1)
    subscriptions = ProductCategoryFactory(name="年度订阅", parent=software)
    hardware = ProductCategoryFactory(name="硬件", position=2)
    ProductFactory(code="SW-1", name="客户管理系统 标准版", category=software)
    ProductFactory(code="SW-2", name="客户管理系统 年度订阅", category=subscriptions)
    ProductFactory(code="HW-1", name="考勤终端", category=hardware, active=False)
    return {"software": software, "subscriptions": subscriptions, "hardware": hardware}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["HW-1", "SW-1", "SW-2"]),
        ({"q": "sw-"}, ["SW-1", "SW-2"]),
        ({"q": "考勤"}, ["HW-1"]),
        ({"active": "true"}, ["SW-1", "SW-2"]),
        ({"active": "false"}, ["HW-1"]),
    ],
)
def test_product_list_filters(org, catalogue, filters, expected):
    assert codes(product_list(user=org.rep, filters=filters)) == expected


def test_category_filter_includes_the_subtree(org, catalogue):
    assert codes(product_list(user=org.rep, filters={"category": catalogue["software"].pk})) == [
        "SW-1",
        "SW-2",
    ]
    assert codes(product_list(user=org.rep, filters={"category": catalogue["subscriptions"].pk})) == ["SW-2"]


def test_category_tree_order_and_depth(org, catalogue):
    assert [(c.name, depth) for c, depth in category_tree(user=org.rep)] == [
        ("软件许可", 0),
        ("年度订阅", 1),
        ("硬件", 0),
    ]


@pytest.mark.parametrize("persona", ["rep", "team_lead", "dept_manager", "director", "admin"])
def test_every_standard_role_may_read_products(org, catalogue, persona):
    assert len(product_list(user=getattr(org, persona))) == 3


def test_a_user_without_a_role_may_not_read_products(org, catalogue):
    with pytest.raises(PermissionDenied):
        product_list(user=org.outsider)


def test_product_list_query_count(org, catalogue, django_assert_num_queries):
    list(product_list(user=org.director))  # warm the permission cache
    with django_assert_num_queries(1):
        [p.category for p in product_list(user=org.director)]


def test_price_list_get_with_items(org, django_assert_num_queries):
    item = PriceListItemFactory()
    price_list_get(user=org.director, pk=item.price_list_id)  # warm the permission cache
    with django_assert_num_queries(2):
        price_list = price_list_get(user=org.director, pk=item.price_list_id)
        assert [(i.product.code, i.price) for i in price_list.items.all()] == [
            (item.product.code, item.price)
        ]


# price_for -----------------------------------------------------------------------------------------------


@pytest.fixture
def priced(db):
    product = ProductFactory(list_price=Decimal("1000.00"))
    channel = PriceListFactory(name="渠道价 2026", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    PriceListItemFactory(price_list=channel, product=product, price=Decimal("850.00"))
    return product, channel


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 12, 31), Decimal("1000.00")),  # the day before it starts
        (date(2026, 1, 1), Decimal("850.00")),  # its first day
        (date(2026, 12, 31), Decimal("850.00")),  # its last day
        (date(2027, 1, 1), Decimal("1000.00")),  # the day after it ends
    ],
)
def test_price_from_a_chosen_list_at_the_validity_edges(priced, day, expected):
    product, channel = priced
    assert price_for(product, price_list=channel, on=day) == expected


def test_an_inactive_list_gives_the_list_price(priced):
    product, channel = priced
    channel.active = False
    channel.save()
    assert price_for(product, price_list=channel, on=date(2026, 6, 1)) == Decimal("1000.00")


def test_a_product_not_on_the_list_gets_its_list_price(priced):
    _product, channel = priced
    other = ProductFactory(list_price=Decimal("55.50"))
    assert price_quote(other, price_list=channel, on=date(2026, 6, 1)) == (Decimal("55.50"), None)


def test_without_a_list_the_default_valid_list_applies(priced):
    product, _channel = priced
    assert price_for(product, on=date(2026, 6, 1)) == Decimal("1000.00")  # not a default list
    default = PriceListFactory(name="默认价", is_default=True, valid_from=date(2026, 3, 1), valid_to=None)
    PriceListItemFactory(price_list=default, product=product, price=Decimal("920.00"))
    assert price_quote(product, on=date(2026, 2, 28)) == (Decimal("1000.00"), None)
    assert price_quote(product, on=date(2026, 3, 1)) == (Decimal("920.00"), default)
    assert price_for(product, on=date(2099, 1, 1)) == Decimal("920.00")  # open-ended


def test_price_for_defaults_to_today(priced, settings):
    product, channel = priced
    channel.valid_from, channel.valid_to = date(2000, 1, 1), None
    channel.save()
    assert price_for(product, price_list=channel) == Decimal("850.00")
