"""Product and price list pages: permissions, htmx partials, forms with service errors, item editing."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kehu.sales.products.models import PriceList, PriceListItem, Product
from kehu.sales.products.tests.factories import (
    PriceListFactory,
    PriceListItemFactory,
    ProductCategoryFactory,
    ProductFactory,
)

LIST = reverse("products:list")
HTMX = {"HX-Request": "true"}
FORM = {
    "code": "HW-T1",
    "name": "考勤终端",
    "unit": "台",
    "list_price": "1999",
    "cost": "800",
    "tax_rate": "13",
}


def logged_in(client, user):
    client.force_login(user)
    return client


def test_login_required(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_rep_sees_the_list_without_edit_actions(client, org):
    ProductFactory(code="A-1", name="标准版")
    response = logged_in(client, org.rep).get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert [p.code for p in response.context["page"].object_list] == ["A-1"]
    assert reverse("products:create") not in html


def test_outsider_gets_403(client, org):
    assert logged_in(client, org.outsider).get(LIST).status_code == 403


def test_filters_and_htmx_table(client, org):
    software = ProductCategoryFactory(name="软件")
    ProductFactory(code="SW-1", category=software)
    ProductFactory(code="HW-1")
    c = logged_in(client, org.rep)
    response = c.get(LIST + f"?category={software.pk}", headers=HTMX | {"HX-Target": "product-table"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="product-table">')
    assert "SW-1" in html
    assert "HW-1" not in html
    assert [p.code for p in c.get(LIST + "?q=hw").context["page"].object_list] == ["HW-1"]


def test_a_bad_filter_is_ignored_with_a_warning(client, org):
    ProductFactory()
    response = logged_in(client, org.rep).get(LIST + "?category=abc")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1


def test_rep_cannot_open_the_product_form(client, org):
    assert logged_in(client, org.rep).get(reverse("products:create")).status_code == 403


def test_create_product_from_the_form(client, org):
    response = logged_in(client, org.director).post(reverse("products:create"), FORM)
    assert response.status_code == 302
    product = Product.objects.get()
    assert (product.code, product.list_price, product.unit) == ("HW-T1", Decimal("1999.00"), "台")


def test_service_errors_come_back_on_the_form_partial(client, org):
    ProductFactory(code="HW-T1")
    response = logged_in(client, org.director).post(
        reverse("products:create"), FORM, headers=HTMX | {"HX-Target": "form-card"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="form-card"')
    assert 'data-field-error="code"' in html
    assert Product.objects.count() == 1


def test_edit_and_deactivate(client, org):
    product = ProductFactory(code="HW-T1")
    c = logged_in(client, org.director)
    response = c.post(
        reverse("products:edit", args=[product.pk]), FORM | {"name": "考勤终端 二代", "active": "on"}
    )
    assert response.status_code == 302
    c.post(reverse("products:deactivate", args=[product.pk]))
    product.refresh_from_db()
    assert (product.name, product.active) == ("考勤终端 二代", False)


def test_export(client, org):
    ProductFactory()
    response = logged_in(client, org.rep).get(reverse("products:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_price_list_pages(client, org):
    item = PriceListItemFactory(price_list__name="渠道价 2026")
    c = logged_in(client, org.rep)
    assert "渠道价 2026" in c.get(reverse("products:price_lists")).content.decode()
    detail = c.get(reverse("products:price_list", args=[item.price_list_id]))
    assert detail.status_code == 200
    assert item.product.code in detail.content.decode()
    assert reverse("products:price_list_item_set", args=[item.price_list_id]) not in detail.content.decode()


def test_create_price_list_with_overlapping_default_shows_the_reason(client, org):
    PriceListFactory(name="标准价", is_default=True)
    data = {
        "name": "新默认",
        "currency": "CNY",
        "valid_from": "2026-05-01",
        "active": "on",
        "is_default": "on",
    }
    response = logged_in(client, org.director).post(reverse("products:price_list_create"), data)
    assert response.status_code == 200
    assert "标准价" in response.content.decode()
    assert PriceList.objects.count() == 1


def test_set_and_remove_items_over_htmx(client, org):
    price_list = PriceListFactory(valid_from=date(2026, 1, 1))
    product = ProductFactory(code="SW-9")
    c = logged_in(client, org.director)
    url = reverse("products:price_list_item_set", args=[price_list.pk])
    headers = HTMX | {"HX-Target": "price-items"}

    added = c.post(url, {"product": product.pk, "price": "88.8"}, headers=headers)
    assert added.content.decode().lstrip().startswith('<div id="price-items">')
    item = PriceListItem.objects.get()
    assert item.price == Decimal("88.80")

    refused = c.post(url, {"product": product.pk, "price": "-5"}, headers=headers)
    assert "invalid-feedback" in refused.content.decode()
    item.refresh_from_db()
    assert item.price == Decimal("88.80")

    c.post(reverse("products:price_list_item_remove", args=[item.pk]), headers=headers)
    assert not PriceListItem.objects.exists()


@pytest.mark.parametrize("name", ["price_list_create", "price_list_item_set"])
def test_rep_cannot_change_price_lists(client, org, name):
    price_list = PriceListFactory()
    args = [] if name == "price_list_create" else [price_list.pk]
    assert logged_in(client, org.rep).post(reverse(f"products:{name}", args=args), {}).status_code == 403
