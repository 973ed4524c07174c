"""Demo products: about 30 products in five categories, with units, list prices and costs, and one
channel price list (渠道价 2026, valid this calendar year) pricing most of them 8–15 % below list.

Written straight to the tables (demo data, no actor): the activity log stays empty for them.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from kehu.sales.products.models import PriceList, PriceListItem, Product, ProductCategory

# category: [(code, name, unit, list price, cost share of the list price, tax rate)]
CATALOGUE: dict[str, list[tuple[str, str, str, str, float, str]]] = {
    "软件许可": [
        ("SW-CRM-STD", "客户管理系统 标准版", "套", "12800", 0.15, "13"),
        ("SW-CRM-PRO", "客户管理系统 专业版", "套", "38000", 0.15, "13"),
        ("SW-CRM-ENT", "客户管理系统 企业版", "套", "128000", 0.12, "13"),
        ("SW-CRM-USR", "客户管理系统 用户许可", "个", "1200", 0.10, "13"),
        ("SW-SUB-Y", "云端订阅 年度版（每用户）", "年", "1980", 0.25, "6"),
        ("SW-BI", "销售分析 BI 模块", "套", "26000", 0.15, "13"),
        ("SW-API", "开放接口扩展包", "套", "9800", 0.10, "13"),
        ("SW-MOB", "移动端扩展许可", "套", "6800", 0.10, "13"),
    ],
    "实施服务": [
        ("SV-IMPL", "标准实施服务", "人天", "2500", 0.55, "6"),
        ("SV-CUST", "定制开发服务", "人天", "3200", 0.60, "6"),
        ("SV-MIG", "数据迁移服务", "次", "18000", 0.50, "6"),
        ("SV-CONS", "销售流程咨询", "人天", "4800", 0.45, "6"),
        ("SV-INTEG", "系统集成服务（ERP 对接）", "项", "45000", 0.55, "6"),
        ("SV-ONSITE", "驻场服务", "人月", "36000", 0.65, "6"),
    ],
    "硬件设备": [
        ("HW-SRV-2U", "机架式服务器 2U", "台", "42000", 0.78, "13"),
        ("HW-NAS", "网络存储 NAS 8 盘位", "台", "16800", 0.75, "13"),
        ("HW-PAD", "移动销售平板", "台", "3299", 0.80, "13"),
        ("HW-SCAN", "名片扫描仪", "台", "899", 0.70, "13"),
        ("HW-CALL", "呼叫中心话机", "台", "1280", 0.72, "13"),
        ("HW-FW", "企业级防火墙", "台", "23800", 0.76, "13"),
    ],
    "培训课程": [
        ("TR-ADMIN", "系统管理员培训", "人", "3800", 0.30, "6"),
        ("TR-USER", "最终用户培训（现场）", "场", "6000", 0.35, "6"),
        ("TR-ONLINE", "在线培训课程包", "套", "1500", 0.20, "6"),
        ("TR-SALES", "顾问式销售工作坊", "场", "28000", 0.40, "6"),
        ("TR-CERT", "认证顾问课程", "人", "8800", 0.30, "6"),
    ],
    "运维支持": [
        ("SP-STD", "标准维保服务", "年", "8800", 0.30, "6"),
        ("SP-GOLD", "金牌维保服务（7×24）", "年", "26000", 0.35, "6"),
        ("SP-UPG", "版本升级服务", "次", "5000", 0.25, "6"),
        ("SP-HW", "硬件延保服务", "年", "2600", 0.40, "6"),
        ("SP-TAM", "专属客户成功经理", "年", "60000", 0.50, "6"),
    ],
}
CENT = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def demo_products(*, rng: random.Random) -> int:
    """The demo catalogue and the channel price list; returns how many products were written."""
    products = []
    for position, (category_name, rows) in enumerate(CATALOGUE.items(), start=1):
        category = ProductCategory.objects.create(name=category_name, position=position)
        for code, name, unit, price, cost_share, tax in rows:
            list_price = Decimal(price)
            share = Decimal(str(round(cost_share * rng.uniform(0.9, 1.1), 3)))
            products.append(
                Product(
                    code=code,
                    name=name,
                    category=category,
                    unit=unit,
                    list_price=list_price,
                    cost=_money(list_price * share),
                    tax_rate=Decimal(tax),
                    active=rng.random() > 0.05,
                    description="",
                )
            )
    Product.objects.bulk_create(products)
    year = timezone.localdate().year
    channel = PriceList.objects.create(
        name=f"渠道价 {year}",
        channel="渠道代理商",
        valid_from=date(year, 1, 1),
        valid_to=date(year, 12, 31),
    )
    PriceListItem.objects.bulk_create(
        PriceListItem(
            price_list=channel,
            product=p,
            price=_money(p.list_price * Decimal(str(rng.choice([0.85, 0.88, 0.9, 0.92])))),
        )
        for p in products
        if p.active and rng.random() < 0.85
    )
    return len(products)
