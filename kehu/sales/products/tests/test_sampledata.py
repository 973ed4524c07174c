"""The demo catalogue: five categories, about thirty products, and this year's channel price list."""

import random
from decimal import Decimal

from django.utils import timezone

from kehu.sales.products.models import PriceList, Product, ProductCategory
from kehu.sales.products.selectors import price_for
from kehu.sampledata.products import demo_products


def test_demo_products(db):
    assert demo_products(rng=random.Random(7)) == 30

    assert ProductCategory.objects.count() == 5
    assert all(p.cost < p.list_price for p in Product.objects.all())
    price_list = PriceList.objects.get()
    year = timezone.localdate().year
    assert (price_list.name, price_list.valid_from.year, price_list.valid_to.year) == (
        f"渠道价 {year}",
        year,
        year,
    )
    item = price_list.items.select_related("product").first()
    assert item.price < item.product.list_price
    assert price_for(item.product, price_list=price_list) == item.price
    assert isinstance(item.price, Decimal)
