"""Excel import of products: all or nothing, with every row's errors; the export reads back in."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from kehu.core.exceptions import DomainError, PermissionDeniedError
from kehu.sales.products.imports import ProductImportError, product_import
from kehu.sales.products.models import Product
from kehu.sales.products.tests.factories import ProductCategoryFactory, ProductFactory


def workbook(*rows) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_creates_and_updates_by_code(org):
    ProductCategoryFactory(name="硬件")
    ProductFactory(code="HW-1", name="旧名")
    file = workbook(
        ["code", "name", "category", "unit", "list_price", "cost"],
        ["hw-1", "考勤终端", "硬件", "台", 1999, 800.5],
        ["HW-2", "名片扫描仪", "", "", "899.00", None],
        [None, None, None],
    )
    assert product_import(actor=org.director, file=file) == (1, 1)
    rows = Product.objects.order_by("code").values_list(
        "code", "name", "category__name", "unit", "list_price", "cost"
    )
    assert list(rows) == [
        ("HW-1", "考勤终端", "硬件", "台", Decimal("1999.00"), Decimal("800.50")),
        ("HW-2", "名片扫描仪", None, "个", Decimal("899.00"), Decimal("0.00")),
    ]


def test_chinese_header_is_understood(org):
    with translation.override("zh-hans"):
        file = workbook(["编码", "名称", "标准价"], ["A-1", "产品甲", 10])
        assert product_import(actor=org.director, file=file) == (1, 0)


def test_all_or_nothing_with_every_row_error(org):
    file = workbook(
        ["code", "name", "category", "list_price"],
        ["OK-1", "好的", "", 10],
        ["BAD-1", "负价", "", -1],
        ["BAD-2", "没有分类", "不存在", 10],
        ["OK-1", "重复", "", 10],
    )
    with pytest.raises(ProductImportError) as exc:
        product_import(actor=org.director, file=file)
    assert [row for row, _message in exc.value.rows] == [3, 4, 5]
    assert "3 rows have errors" in exc.value.message
    assert not Product.objects.exists()


def test_missing_columns_and_not_a_workbook(org):
    with pytest.raises(DomainError, match="missing: list_price"):
        product_import(actor=org.director, file=workbook(["code", "name"], ["A", "B"]))
    with pytest.raises(DomainError, match="not an Excel workbook"):
        product_import(actor=org.director, file=io.BytesIO(b"code,name\n"))


def test_rep_cannot_import(org):
    with pytest.raises(PermissionDeniedError):
        product_import(actor=org.rep, file=workbook(["code", "name", "list_price"], ["A", "B", 1]))


def test_the_export_reads_back_in(client, org):
    ProductFactory(
        code="RT-1", name="往返", list_price=Decimal("12.34"), category=ProductCategoryFactory(name="服务")
    )
    client.force_login(org.director)
    exported = client.get(reverse("products:export"))
    data = io.BytesIO(b"".join(exported.streaming_content))
    assert load_workbook(data).active["A2"].value == "RT-1"
    data.seek(0)
    assert product_import(actor=org.director, file=data) == (0, 1)
    assert Product.objects.get().list_price == Decimal("12.34")


def test_import_page(client, org):
    client.force_login(org.director)
    file = workbook(["code", "name", "list_price"], ["A-1", "产品甲", 10])
    file.name = "products.xlsx"
    response = client.post(reverse("products:import"), {"file": file}, follow=True)
    assert "1 products created" in response.content.decode()
    bad = workbook(["code", "name", "list_price"], ["A-2", "产品乙", -3])
    bad.name = "bad.xlsx"
    response = client.post(reverse("products:import"), {"file": bad}, follow=True)
    assert "Row 2:" in response.content.decode()
    assert Product.objects.count() == 1
