from datetime import date
from decimal import Decimal

import factory

from kehu.sales.products.models import PriceList, PriceListItem, Product, ProductCategory


class ProductCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductCategory

    name = factory.Sequence(lambda n: f"分类{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"产品{n}")
    unit = "套"
    list_price = Decimal("1000.00")
    cost = Decimal("400.00")
    tax_rate = Decimal("13.00")


class PriceListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceList

    name = factory.Sequence(lambda n: f"价格表{n}")
    valid_from = date(2026, 1, 1)
    valid_to = date(2026, 12, 31)


class PriceListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceListItem

    price_list = factory.SubFactory(PriceListFactory)
    product = factory.SubFactory(ProductFactory)
    price = Decimal("900.00")
