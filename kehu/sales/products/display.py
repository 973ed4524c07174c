"""How product and price list entries read in the activity log, in the user's language."""

from functools import partial
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import verbs
from kehu.sales.products.models import PriceList, Product, ProductCategory


def field_value(model: type, field_name: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if value in (True, "True"):
        return _("Yes")
    if value in (False, "False"):
        return _("No")
    return str(value)


verbs.register_verbs(
    {
        "product.created": lambda d: _("created the product %(name)s") % {"name": d.get("name", "")},
        "product.updated": lambda d: _("changed the product"),
        "product.deactivated": lambda d: _("deactivated the product %(code)s") % {"code": d.get("code", "")},
        "product.deleted": lambda d: _("deleted the product %(name)s") % {"name": d.get("name", "")},
        "product_category.created": lambda d: (
            _("created the product category %(name)s") % {"name": d.get("name", "")}
        ),
        "product_category.updated": lambda d: _("changed the product category"),
        "product_category.deleted": lambda d: (
            _("deleted the product category %(name)s") % {"name": d.get("name", "")}
        ),
        "price_list.created": lambda d: _("created the price list %(name)s") % {"name": d.get("name", "")},
        "price_list.updated": lambda d: _("changed the price list"),
        "price_list.item_set": lambda d: (
            _("set the price of %(code)s to %(price)s")
            % {"code": d.get("code", ""), "price": d.get("price", "")}
        ),
        "price_list.item_removed": lambda d: (
            _("removed %(code)s from the price list") % {"code": d.get("code", "")}
        ),
    }
)
verbs.register_subject("product", model=Product, value=partial(field_value, Product))
verbs.register_subject("product_category", model=ProductCategory, value=partial(field_value, ProductCategory))
verbs.register_subject(
    "price_list",
    model=PriceList,
    value=partial(field_value, PriceList),
    extra_labels={"items": gettext_lazy("Prices")},
)
