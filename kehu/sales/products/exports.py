"""Excel export of the product list the user is looking at."""

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.excel import xlsx_response
from kehu.sales.products.models import Product

HEADER_FIELDS = (
    "code",
    "name",
    "category",
    "unit",
    "list_price",
    "cost",
    "tax_rate",
    "active",
    "description",
)


def product_header() -> list[str]:
    return [str(Product._meta.get_field(f).verbose_name).capitalize() for f in HEADER_FIELDS]


def product_export(*, products: QuerySet[Product]) -> FileResponse:
    rows = products[: settings.KEHU_EXPORT_MAX_ROWS]

    def values():
        for p in rows.iterator(chunk_size=2000):
            yield [
                p.code,
                p.name,
                p.category.name if p.category_id else "",
                p.unit,
                p.list_price,
                p.cost,
                p.tax_rate,
                _("Yes") if p.active else _("No"),
                p.description,
            ]

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(
        filename=f"products-{stamp}.xlsx", sheet=_("Products"), header=product_header(), rows=values()
    )
