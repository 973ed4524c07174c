"""Excel import of products: all or nothing. A row whose code exists updates that product; others are new.

The header is the export's (in English or Chinese) or the field names (code, name, …). Every row goes
through the same services as the form; if any row fails, nothing is written and every row error is listed.
"""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from kehu.core.exceptions import DomainError
from kehu.core.permissions import ensure_perm
from kehu.org.models import User
from kehu.sales.products import services
from kehu.sales.products.exports import HEADER_FIELDS, product_header
from kehu.sales.products.models import Product, ProductCategory

MAX_ROWS = 5000
# Chinese column names people use, besides the export's own header in either language.
CHINESE = {
    "code": ["编码", "产品编码", "代码", "产品代码"],
    "name": ["名称", "产品名称", "产品"],
    "category": ["产品分类", "分类", "类别"],
    "unit": ["单位"],
    "list_price": ["标准价", "标准价格", "价格", "单价"],
    "cost": ["成本", "成本价"],
    "tax_rate": ["税率", "税率（%）", "税率(%)"],
    "active": ["启用", "状态", "有效"],
    "description": ["描述", "说明", "备注"],
}
REQUIRED = ("code", "name", "list_price")


class ProductImportError(DomainError):
    """Nothing was imported; `rows` lists (spreadsheet row, message) for every error found."""

    def __init__(self, message: str, rows: list[tuple[int, str]]) -> None:
        super().__init__(message, field="file")
        self.rows = rows


def _aliases() -> dict[str, str]:
    found = {f: f for f in HEADER_FIELDS} | {alias: f for f, aliases in CHINESE.items() for alias in aliases}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            found.update(
                {h.strip().casefold(): f for h, f in zip(product_header(), HEADER_FIELDS, strict=True)}
            )
    return {k.casefold(): v for k, v in found.items()}


def _read(file: IO[bytes]) -> tuple[list[str | None], list[tuple[int, tuple[Any, ...]]]]:
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on a damaged or foreign file
        raise DomainError(_("This file is not an Excel workbook (.xlsx)."), field="file") from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, ())
    aliases = _aliases()
    columns = [aliases.get(str(h).strip().casefold()) if h is not None else None for h in header]
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise DomainError(
            _("The first row must name the columns; missing: %(names)s.") % {"names": ", ".join(missing)},
            field="file",
        )
    data = [(n, r) for n, r in enumerate(rows, start=2) if any(v not in (None, "") for v in r)]
    workbook.close()
    if len(data) > MAX_ROWS:
        raise DomainError(_("At most %(n)d rows can be imported at once.") % {"n": MAX_ROWS}, field="file")
    return columns, data


def _row_data(
    columns: list[str | None], cells: tuple[Any, ...], categories: dict[str, ProductCategory]
) -> dict:
    data: dict[str, Any] = {}
    for name, value in zip(columns, cells, strict=False):
        if name is None:
            continue
        text = "" if value is None else str(value).strip()
        if name == "category":
            data["category"] = categories.get(text) if text else None
            if text and data["category"] is None:
                raise ValidationError({"category": _("No category is named “%(name)s”.") % {"name": text}})
        elif name == "active":
            data["active"] = text.casefold() not in ("no", "否", "false", "0", "inactive", "停用")
        elif name in ("list_price", "cost", "tax_rate") and isinstance(value, float):
            data[name] = repr(
                value
            )  # the shortest text that reads back as this float, never its binary value
        else:
            data[name] = text
    if not data.get("unit"):
        data.pop("unit", None)
    for money_field in ("cost", "tax_rate"):
        if data.get(money_field) == "":
            data.pop(money_field)
    return data


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [f"{label}: {m}" for label, messages in exc.message_dict.items() for m in messages]
    return [getattr(exc, "message", str(exc))]


@transaction.atomic
def product_import(*, actor: User, file: IO[bytes]) -> tuple[int, int]:
    """(created, updated) from an .xlsx file; ProductImportError with every row's errors, writing nothing."""
    ensure_perm(actor, "products.add_product")
    ensure_perm(actor, "products.change_product")
    columns, rows = _read(file)
    categories = {c.name: c for c in ProductCategory.objects.all()}
    existing = {p.code: p for p in Product.objects.all()}
    errors: list[tuple[int, str]] = []
    created = updated = 0
    seen: set[str] = set()
    for number, cells in rows:
        try:
            data = _row_data(columns, cells, categories)
            code = str(data.get("code", "")).strip().upper()
            if code in seen:
                raise DomainError(_("The code %(code)s appears twice in the file.") % {"code": code})
            seen.add(code)
            with transaction.atomic():
                if code in existing:
                    services.product_update(actor=actor, product=existing[code], data=data)
                    updated += 1
                else:
                    services.product_create(actor=actor, data=data)
                    created += 1
        except (ValidationError, DomainError) as exc:
            errors += [(number, m) for m in _messages(exc)]
    if errors:
        transaction.set_rollback(True)
        raise ProductImportError(
            _("%(n)d rows have errors, so nothing was imported. Correct them and try again.")
            % {"n": len({n for n, _m in errors})},
            errors,
        )
    return created, updated
