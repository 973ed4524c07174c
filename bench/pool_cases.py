"""The pool's writing cases: claiming customers through the API, and the reclaim job.

Both leave the data set as they found it. A claim case claims customers of rep001's home pool one request
after another (customers rep001 did not lose lately, so the cooldown allows them), then puts them back
into the pool with their pool times and deletes the events, timeline entries and notices it wrote. The
reclaim job runs inside a transaction that is rolled back: each timed run is a first run, moving every
customer that is due (the job "run late"); a second run inside the same transaction shows it idempotent.
"""

from __future__ import annotations

import os
import secrets
import statistics
import time
from datetime import timedelta
from typing import Any

RECLAIM_RUNS = 5
BUDGETS = {"claim": {"M": 20, "L": 30}, "reclaim": {"M": 3000, "L": 20000}}
BUDGET_NAMES = {
    "claim": "claim from pool (API, one customer per request)",
    "reclaim": "reclaim job, all pools (every customer due moved, as on a first or late run), ms",
}


class _Rollback(Exception):
    pass


def _claimable(rep: Any, count: int) -> tuple[Any, list[Any]]:
    from django.utils import timezone

    from kehu.customers.models import Customer
    from kehu.pool.models import PoolEvent
    from kehu.pool.services import pool_for_user

    pool = pool_for_user(rep)
    cooldown = timezone.now() - timedelta(days=pool.reclaim_cooldown_days or 0) if pool else None
    lost = PoolEvent.objects.filter(from_user=rep, created_at__gte=cooldown).values("customer_id")
    customers = list(
        Customer.objects.alive()
        .filter(pool=pool, owner=None)
        .exclude(pk__in=lost)
        .order_by("-pooled_at", "-id")
        .only("pk", "pooled_at", "updated_at")[:count]
    )
    return pool, customers


def measure_claim(outcome_type: type, *, scale: str, requests: int, warmup: int) -> Any:
    from django.db import connection
    from django.db.models import Max
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.run import percentile
    from kehu.core.activity import Activity
    from kehu.customers.models import Customer
    from kehu.notifications.models import Notification
    from kehu.org.models import ApiToken, User
    from kehu.pool.models import PoolEvent

    budget_scale = "L" if scale == "L" else "M"
    out = outcome_type(
        "pool_claim_rep", "rep001", "/api/v1/customers/{id}/claim", "claim", None, kind="claim"
    )
    out.budget_ms = BUDGETS["claim"][budget_scale]
    out.load_average = round(os.getloadavg()[0], 2)
    rep = User.objects.get(username="rep001")
    pool, customers = _claimable(rep, warmup + 1 + requests)
    if pool is None or len(customers) < warmup + 1 + requests:
        out.skipped = "rep001's pool holds too few customers to claim: generate the data set again"
        return out
    if pool.claims_per_day and pool.claims_per_day < warmup + 1 + requests:
        requests = pool.claims_per_day - warmup - 1
    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=rep, name="bench claim", key_hash=ApiToken.hash(raw), hint=raw[:9])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    marks = {m: m.objects.aggregate(m=Max("pk"))["m"] or 0 for m in (Activity, Notification, PoolEvent)}
    statuses: set[int] = set()
    times = []
    try:
        queue = iter(customers)
        for _ in range(warmup):
            statuses.add(client.post(f"/api/v1/customers/{next(queue).pk}/claim").status_code)
        with CaptureQueriesContext(connection) as captured:
            statuses.add(client.post(f"/api/v1/customers/{next(queue).pk}/claim").status_code)
        out.queries = len(captured.captured_queries)
        out.all_sql = [
            {"sql": q["sql"], "captured_ms": round(float(q["time"]) * 1000, 2)}
            for q in captured.captured_queries
        ]
        for customer in queue:
            started = time.perf_counter()
            response = client.post(f"/api/v1/customers/{customer.pk}/claim")
            times.append((time.perf_counter() - started) * 1000)
            statuses.add(response.status_code)
    finally:
        for model, mark in marks.items():
            model.objects.filter(pk__gt=mark).delete()
        for customer in customers:  # back into the pool as they were
            Customer.objects.filter(pk=customer.pk).update(
                owner=None, department=None, received_at=None, pool=pool, pooled_at=customer.pooled_at,
                updated_at=customer.updated_at,
            )  # fmt: skip
        token.delete()
    out.status = 200 if statuses == {200} else max(statuses - {200}, default=0)
    if out.status != 200:
        out.skipped = f"claims answered {sorted(statuses)}"
        return out
    out.requests = len(times)
    out.median_ms = round(statistics.median(times), 2)
    out.p95_ms = round(percentile(times, 95), 2)
    out.min_ms, out.max_ms = round(min(times), 2), round(max(times), 2)
    return out


def measure_reclaim(outcome_type: type, *, scale: str) -> Any:
    from django.db import transaction

    from bench.run import percentile
    from kehu.pool.services import pool_reclaim

    budget_scale = "L" if scale == "L" else "M"
    out = outcome_type("pool_reclaim_job", "(job)", "pool_reclaim()", "reclaim", None, kind="reclaim")
    out.budget_ms = BUDGETS["reclaim"][budget_scale]
    out.load_average = round(os.getloadavg()[0], 2)
    times, moved, again = [], 0, None
    for run in range(RECLAIM_RUNS):
        try:
            with transaction.atomic():
                started = time.perf_counter()
                summary = pool_reclaim()
                times.append((time.perf_counter() - started) * 1000)
                moved = sum(s["no_followup"] + s["not_closed"] for s in summary.values())
                if run == 0:
                    second = pool_reclaim()
                    again = sum(s["no_followup"] + s["not_closed"] for s in second.values())
                raise _Rollback
        except _Rollback:
            pass
    started = time.perf_counter()
    pool_reclaim(dry_run=True)
    out.dry_run_ms = round((time.perf_counter() - started) * 1000, 1)
    out.status = 200
    out.requests = len(times)
    out.median_ms = round(statistics.median(times), 2)
    out.p95_ms = round(percentile(times, 95), 2)
    out.min_ms, out.max_ms = round(min(times), 2), round(max(times), 2)
    out.moved, out.moved_again = moved, again
    return out
