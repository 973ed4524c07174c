"""Product, category and price list services: rules, permissions, and what a refusal leaves unchanged."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kehu.core.activity import activity_for
from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.sales.products import services
from kehu.sales.products.models import PriceList, PriceListItem, Product, ProductCategory
from kehu.sales.products.tests.factories import (
    PriceListFactory,
    PriceListItemFactory,
    ProductCategoryFactory,
    ProductFactory,
)

PRODUCT = {
    "code": "crm-std",
    "name": "客户管理系统 标准版",
    "unit": "套",
    "list_price": "12800.00",
    "cost": Decimal("3200"),
    "tax_rate": "13",
}


def test_director_creates_a_product_with_decimal_money(org):
    product = services.product_create(actor=org.director, data=PRODUCT)

    product.refresh_from_db()
    assert (product.code, product.list_price, product.cost, product.tax_rate) == (
        "CRM-STD",
        Decimal("12800.00"),
        Decimal("3200.00"),
        Decimal("13.00"),
    )
    assert [a.verb for a in activity_for(product)] == ["product.created"]


def test_a_float_price_is_read_by_its_text_not_its_binary_value(org):
    product = services.product_create(actor=org.director, data={**PRODUCT, "list_price": 19.9})
    assert product.list_price == Decimal("19.9")  # Decimal(19.9) would be 19.899999999999998578…
    product.refresh_from_db()
    assert product.list_price == Decimal("19.90")


def test_rep_cannot_create_a_product(org):
    with pytest.raises(PermissionDeniedError):
        services.product_create(actor=org.rep, data=PRODUCT)
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"list_price": "-1"}, "list_price"),
        ({"tax_rate": "101"}, "tax_rate"),
        ({"list_price": "abc"}, "list_price"),
        ({"code": ""}, "code"),
    ],
)
def test_invalid_values_are_refused_per_field(org, change, field):
    with pytest.raises(ValidationError) as exc:
        services.product_create(actor=org.director, data={**PRODUCT, **change})
    assert field in exc.value.message_dict
    assert not Product.objects.exists()


def test_product_codes_are_unique(org):
    ProductFactory(code="CRM-STD")
    with pytest.raises(ValidationError) as exc:
        services.product_create(actor=org.director, data=PRODUCT)
    assert "code" in exc.value.message_dict


def test_update_records_the_changes(org):
    product = ProductFactory(list_price=Decimal("100.00"))
    services.product_update(actor=org.director, product=product, data={"list_price": "120.50"})
    entry = activity_for(product).get()
    assert entry.verb == "product.updated"
    assert entry.data == {"changes": {"list_price": ["100.00", "120.50"]}}


def test_update_without_changes_records_nothing(org):
    product = ProductFactory(list_price=Decimal("100.00"))
    services.product_update(actor=org.director, product=product, data={"list_price": "100"})
    assert not activity_for(product).exists()


def test_deactivate_and_not_twice(org):
    product = ProductFactory()
    services.product_deactivate(actor=org.director, product=product)
    product.refresh_from_db()
    assert product.active is False
    with pytest.raises(ConflictError):
        services.product_deactivate(actor=org.director, product=product)


def test_a_product_on_a_price_list_cannot_be_deleted(org):
    item = PriceListItemFactory()
    with pytest.raises(ConflictError, match="deactivate it instead"):
        services.product_delete(actor=org.admin, product=item.product)
    assert Product.objects.filter(pk=item.product_id).exists()


def test_an_unused_product_can_be_deleted_by_an_admin_only(org):
    product = ProductFactory()
    with pytest.raises(PermissionDeniedError):
        services.product_delete(actor=org.director, product=product)
    services.product_delete(actor=org.admin, product=product)
    assert not Product.objects.exists()


def test_categories_tree_rules(org):
    software = services.category_create(actor=org.director, data={"name": "软件许可"})
    sub = services.category_create(actor=org.director, data={"name": "订阅", "parent": software})
    with pytest.raises(ValidationError) as exc:
        services.category_create(actor=org.director, data={"name": "订阅", "parent": software})
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.category_update(actor=org.director, category=software, data={"parent": sub})
    assert "parent" in exc.value.message_dict
    software.refresh_from_db()
    assert software.parent is None


def test_only_an_empty_category_can_be_deleted(org):
    category = ProductCategoryFactory()
    ProductFactory(category=category)
    with pytest.raises(ConflictError):
        services.category_delete(actor=org.admin, category=category)
    assert ProductCategory.objects.filter(pk=category.pk).exists()


def test_price_list_with_items(org):
    a, b = ProductFactory(), ProductFactory()
    price_list = services.price_list_create(
        actor=org.director,
        data={
            "name": "渠道价 2026",
            "channel": "渠道",
            "valid_from": date(2026, 1, 1),
            "valid_to": date(2026, 12, 31),
        },
        items=[(a, "800.00"), (b, Decimal("850.5"))],
    )
    assert sorted(price_list.items.values_list("product__code", "price")) == sorted(
        [(a.code, Decimal("800.00")), (b.code, Decimal("850.50"))]
    )

    services.price_list_update(actor=org.director, price_list=price_list, data={}, items=[(b, "700")])
    assert list(price_list.items.values_list("product_id", "price")) == [(b.pk, Decimal("700.00"))]


def test_price_list_end_before_start_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        services.price_list_create(
            actor=org.director,
            data={"name": "错", "valid_from": date(2026, 6, 1), "valid_to": date(2026, 5, 31)},
        )
    assert "valid_to" in exc.value.message_dict
    assert not PriceList.objects.exists()


def test_a_price_list_may_start_and_end_on_the_same_day(org):
    day = date(2026, 6, 1)
    price_list = services.price_list_create(
        actor=org.director, data={"name": "一日价", "valid_from": day, "valid_to": day}
    )
    assert price_list.valid_to == day


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "clash"),
    [
        (date(2026, 12, 31), None, True),  # starts on the other's last day
        (date(2025, 1, 1), date(2026, 1, 1), True),  # ends on the other's first day
        (date(2027, 1, 1), None, False),  # the day after
        (date(2025, 1, 1), date(2025, 12, 31), False),  # the day before
    ],
)
def test_overlapping_default_lists_are_refused(org, valid_from, valid_to, clash):
    PriceListFactory(name="标准价 2026", is_default=True)
    data = {"name": "新默认", "is_default": True, "valid_from": valid_from, "valid_to": valid_to}
    if clash:
        with pytest.raises(DomainError, match="标准价 2026") as exc:
            services.price_list_create(actor=org.director, data=data)
        assert exc.value.field == "is_default"
        assert PriceList.objects.count() == 1
    else:
        services.price_list_create(actor=org.director, data=data)
        assert PriceList.objects.count() == 2


def test_an_inactive_default_list_does_not_clash(org):
    PriceListFactory(is_default=True, active=False)
    services.price_list_create(
        actor=org.director, data={"name": "新默认", "is_default": True, "valid_from": date(2026, 3, 1)}
    )
    assert PriceList.objects.filter(is_default=True).count() == 2


def test_item_set_and_remove(org):
    price_list, product = PriceListFactory(), ProductFactory()
    item = services.price_list_item_set(
        actor=org.director, price_list=price_list, product=product, price="88"
    )
    services.price_list_item_set(actor=org.director, price_list=price_list, product=product, price="77.7")
    item.refresh_from_db()
    assert item.price == Decimal("77.70")
    with pytest.raises(ValidationError):
        services.price_list_item_set(actor=org.director, price_list=price_list, product=product, price="-1")
    services.price_list_item_remove(actor=org.director, item=item)
    assert not PriceListItem.objects.exists()


def test_rep_cannot_change_price_lists(org):
    price_list = PriceListFactory(name="原名")
    with pytest.raises(PermissionDeniedError):
        services.price_list_update(actor=org.rep, price_list=price_list, data={"name": "新名"})
    price_list.refresh_from_db()
    assert price_list.name == "原名"
