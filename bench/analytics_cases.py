"""The analytics cases: the sales funnel page for a manager (the 华东区 subtree) and for a rep.

Registered in `bench.run` like the other case modules: `BUDGETS` and `BUDGET_NAMES` join its tables, `CASES`
(plain dicts, turned into `bench.run.Case`) its reading cases. DESIGN.md §5: the funnel report for a manager
p95 ≤ 30 ms at scale M, ≤ 300 ms at L. The page counts the opportunities created this year (its default
period) by their stage history.
"""

from __future__ import annotations

BUDGETS = {"funnel": {"M": 30, "L": 300}}
BUDGET_NAMES = {"funnel": "funnel report (page: stages by stage history, conversion, days, lost deals)"}
CASES = [
    {"key": "funnel_manager", "user": "manager1", "path": "/reports/funnel/", "budget": "funnel"},
    {"key": "funnel_rep", "user": "rep001", "path": "/reports/funnel/", "budget": "funnel"},
    {"key": "api_funnel_manager", "user": "manager1", "path": "/api/v1/reports/funnel", "budget": "funnel"},
]
KEYS = {c["key"] for c in CASES}
