"""The products API: permissions (a rep reads, cannot write), Decimal strings, validation, price lookup."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from kehu.org.services import api_token_create
from kehu.sales.products.models import PriceList, Product
from kehu.sales.products.tests.factories import (
    PriceListFactory,
    PriceListItemFactory,
    ProductCategoryFactory,
    ProductFactory,
)

pytestmark = pytest.mark.urls("kehu.sales.products.tests.api_urls")

NO_PERMISSION = {"detail": "You do not have permission to do this.", "field": None, "errors": {}}
NEW = {"code": "SVC-IMPL", "name": "实施服务", "unit": "人天", "list_price": "2500.00", "cost": "1200"}


def api_client(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_rep_can_read_products(org):
    product = ProductFactory(code="A-1", list_price=Decimal("1280"))
    client = api_client(org.rep)

    listed = client.get("/api/v1/products")
    detail = client.get(f"/api/v1/products/{product.pk}")

    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert detail.json()["list_price"] == "1280.00"
    assert detail.json()["tax_rate"] == "13.00"


def test_rep_cannot_create_or_change_products(org):
    product = ProductFactory(name="原名")
    client = api_client(org.rep)

    created = client.post("/api/v1/products", NEW, content_type="application/json")
    patched = client.patch(
        f"/api/v1/products/{product.pk}", {"name": "新名"}, content_type="application/json"
    )

    assert (created.status_code, created.json()) == (403, NO_PERMISSION)
    assert (patched.status_code, patched.json()) == (403, NO_PERMISSION)
    assert list(Product.objects.values_list("name", flat=True)) == ["原名"]


def test_a_user_without_a_role_cannot_read(org):
    assert api_client(org.outsider).get("/api/v1/products").status_code == 403


def test_director_creates_and_patches_a_product(org):
    category = ProductCategoryFactory(name="服务")
    client = api_client(org.director)

    created = client.post(
        "/api/v1/products", NEW | {"category": category.pk}, content_type="application/json"
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["code"], body["list_price"], body["cost"], body["category_name"]) == (
        "SVC-IMPL",
        "2500.00",
        "1200.00",
        "服务",
    )

    patched = client.patch(
        f"/api/v1/products/{body['id']}",
        {"list_price": "2600.5", "active": False},
        content_type="application/json",
    )
    assert patched.status_code == 200
    assert (patched.json()["list_price"], patched.json()["active"]) == ("2600.50", False)


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        (NEW | {"list_price": "-1"}, 422, "list_price"),
        (NEW | {"list_price": "1.234"}, 422, "list_price"),
        (NEW | {"category": 999999}, 400, "category"),
        (NEW | {"colour": "red"}, 422, "colour"),
    ],
)
def test_invalid_product_input(org, payload, status, field):
    response = api_client(org.director).post("/api/v1/products", payload, content_type="application/json")
    assert (response.status_code, response.json()["field"]) == (status, field)
    assert not Product.objects.exists()


def test_duplicate_code_is_a_field_error(org):
    ProductFactory(code="SVC-IMPL")
    response = api_client(org.director).post("/api/v1/products", NEW, content_type="application/json")
    assert (response.status_code, response.json()["field"]) == (400, "code")


def test_list_filters_and_query_count(org, django_assert_max_num_queries):
    software = ProductCategoryFactory(name="软件")
    ProductFactory(code="SW-1", category=software)
    ProductFactory(code="HW-1")
    client = api_client(org.rep)
    response = client.get(f"/api/v1/products?category={software.pk}")
    assert [p["code"] for p in response.json()["items"]] == ["SW-1"]
    assert [p["code"] for p in client.get("/api/v1/products?q=hw").json()["items"]] == ["HW-1"]
    for _ in range(10):
        ProductFactory(category=software)
    with django_assert_max_num_queries(12):  # auth, permissions, count, rows; not one per product
        assert client.get("/api/v1/products?limit=200").json()["count"] == 12


def test_categories(org):
    director, rep = api_client(org.director), api_client(org.rep)
    parent = director.post(
        "/api/v1/product-categories", {"name": "软件许可"}, content_type="application/json"
    )
    child = director.post(
        "/api/v1/product-categories",
        {"name": "订阅", "parent": parent.json()["id"]},
        content_type="application/json",
    )
    assert (parent.status_code, child.status_code) == (201, 201)
    assert (
        rep.post("/api/v1/product-categories", {"name": "x"}, content_type="application/json").status_code
        == 403
    )
    assert [c["name"] for c in rep.get("/api/v1/product-categories").json()["items"]] == ["订阅", "软件许可"]


def test_price_list_create_get_and_patch_items(org):
    a, b = ProductFactory(code="A"), ProductFactory(code="B")
    client = api_client(org.director)
    created = client.post(
        "/api/v1/price-lists",
        {
            "name": "渠道价 2026",
            "channel": "代理商",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "items": [{"product": a.pk, "price": "900"}, {"product": b.pk, "price": "80.5"}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert [(i["product_code"], i["price"]) for i in created.json()["items"]] == [
        ("A", "900.00"),
        ("B", "80.50"),
    ]

    patched = client.patch(
        f"/api/v1/price-lists/{pk}",
        {"items": [{"product": b.pk, "price": "70"}]},
        content_type="application/json",
    )
    assert [(i["product_code"], i["price"]) for i in patched.json()["items"]] == [("B", "70.00")]
    got = api_client(org.rep).get(f"/api/v1/price-lists/{pk}")
    assert (got.status_code, got.json()["name"], len(got.json()["items"])) == (200, "渠道价 2026", 1)
    assert api_client(org.rep).get("/api/v1/price-lists").json()["count"] == 1


def test_price_list_validity_errors(org):
    client = api_client(org.director)
    bad_range = client.post(
        "/api/v1/price-lists",
        {"name": "错", "valid_from": "2026-06-01", "valid_to": "2026-05-01"},
        content_type="application/json",
    )
    assert (bad_range.status_code, bad_range.json()["field"]) == (400, "valid_to")
    PriceListFactory(name="标准价", is_default=True)
    overlap = client.post(
        "/api/v1/price-lists",
        {"name": "又一个默认", "valid_from": "2026-06-01", "is_default": True},
        content_type="application/json",
    )
    assert (overlap.status_code, overlap.json()["field"]) == (400, "is_default")
    assert "标准价" in overlap.json()["detail"]
    assert PriceList.objects.count() == 1


def test_rep_cannot_create_price_lists(org):
    response = api_client(org.rep).post(
        "/api/v1/price-lists", {"name": "x", "valid_from": "2026-01-01"}, content_type="application/json"
    )
    assert (response.status_code, response.json()) == (403, NO_PERMISSION)


def test_price_lookup(org):
    product = ProductFactory(list_price=Decimal("1000"))
    channel = PriceListFactory(valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    PriceListItemFactory(price_list=channel, product=product, price=Decimal("850"))
    client = api_client(org.rep)
    url = f"/api/v1/products/{product.pk}/price"

    inside = client.get(f"{url}?price_list={channel.pk}&on=2026-12-31").json()
    after = client.get(f"{url}?price_list={channel.pk}&on=2027-01-01").json()

    assert inside == {
        "product": product.pk,
        "price": "850.00",
        "currency": "CNY",
        "on": "2026-12-31",
        "price_list": channel.pk,
    }
    assert (after["price"], after["price_list"]) == ("1000.00", None)
    assert client.get(f"{url}?price_list=999999").status_code == 400
