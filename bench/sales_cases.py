"""The sales cases: receivables (page and aging API), purchase statistics and the order list.

Registered in `bench.run` like the other case modules: `BUDGETS` and `BUDGET_NAMES` join its tables, `CASES`
(plain dicts, turned into `bench.run.Case`) its reading cases. The issue's target is p95 ≤ 300 ms at scale L
(1,000,000 orders) for the receivables and the purchase statistics, on both databases. A data set whose
sales part was generated at L volume on smaller customers (`bench.generate --only sales --sales-scale L`)
is held to the L budgets for these cases (`budget_scale`), whatever the number of its customers.
"""

from __future__ import annotations

L_ORDERS = 500_000  # from this many orders on, the sales cases are held to their L budgets

BUDGETS = {
    "receivables": {"M": 50, "L": 300},
    "purchase_stats": {"M": 100, "L": 300},
    "order_list": {"M": 50, "L": 300},
}
BUDGET_NAMES = {
    "receivables": "receivables (instalments owed in scope, aging), page and API; M: the list budget",
    "purchase_stats": "purchase statistics over the orders in scope (M: proportionate to the 300 ms of L)",
    "order_list": "sales order list, newest first, page 1 (M: the list budget)",
}
CASES = [
    {
        "key": "receivables_rep",
        "user": "rep001",
        "path": "/receivables/",
        "budget": "receivables",
        "paged": True,
    },
    {
        "key": "receivables_manager",
        "user": "manager1",
        "path": "/receivables/",
        "budget": "receivables",
        "paged": True,
    },
    {
        "key": "api_receivables_manager",
        "user": "manager1",
        "path": "/api/v1/reports/receivables",
        "budget": "receivables",
        "paged": True,
    },
    {
        "key": "purchase_stats_manager",
        "user": "manager1",
        "path": "/reports/purchases/",
        "budget": "purchase_stats",
    },
    {
        "key": "purchase_stats_rep",
        "user": "rep001",
        "path": "/reports/purchases/",
        "budget": "purchase_stats",
    },
    {"key": "order_list_rep", "user": "rep001", "path": "/orders/", "budget": "order_list", "paged": True},
]
KEYS = {c["key"] for c in CASES}


def budget_scale(scale: str) -> str:
    """The scale whose budgets the sales cases are held to: L once the orders are at L volume."""
    from kehu.sales.orders.models import Order

    if scale == "L" or Order.objects.count() >= L_ORDERS:
        return "L"
    return scale


def counts() -> dict[str, int]:
    from kehu.sales.contracts.models import Contract
    from kehu.sales.orders.models import Order
    from kehu.sales.payments.models import Instalment

    return {
        "orders": Order.objects.count(),
        "contracts": Contract.objects.count(),
        "instalments": Instalment.objects.count(),
    }
