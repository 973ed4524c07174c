"""The opportunities' writing case: moving a deal to its next stage through the API, as a card dragged on
the board.

rep001 moves its own open opportunities, newest first (the top of the board's columns), one request after
another, each to the next open stage of its pipeline (the won and lost stages take a review: they are
another action). Afterwards every opportunity goes back to the stage, probability, weighted amount and
times it had, and the stage changes, timeline entries and notices the moves wrote are deleted.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import statistics
import time
from typing import Any

BUDGETS = {"stage_move": {"M": 50, "L": 100}}
BUDGET_NAMES = {
    "stage_move": "stage move (API, one opportunity to its next stage per request; no §5 row: 50 / 100 ms)",
}
RESTORED = ("stage_id", "probability", "weighted_amount", "stage_entered_at", "updated_at")


def _movable(rep: Any, count: int) -> tuple[list[Any], dict[int, int]]:
    """rep's newest open opportunities in a stage followed by another open stage; each stage's next one."""
    from kehu.sales.opportunities.models import Opportunity, Stage

    following: dict[int, int] = {}
    stages = Stage.objects.order_by("pipeline_id", "position", "id")
    by_pipeline: dict[int, list[Any]] = {}
    for stage in stages:
        by_pipeline.setdefault(stage.pipeline_id, []).append(stage)
    for pipeline_stages in by_pipeline.values():
        open_stages = [s for s in pipeline_stages if not s.is_outcome]
        for current, after in itertools.pairwise(open_stages):
            following[current.pk] = after.pk
    opportunities = list(
        Opportunity.objects.alive()
        .open()
        .filter(owner=rep, stage_id__in=list(following))
        .order_by("-updated_at", "-id")
        .only("pk", *RESTORED)[:count]
    )
    return opportunities, following


def measure_move(outcome_type: type, *, scale: str, requests: int, warmup: int) -> Any:
    from django.db import connection
    from django.db.models import Max
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.run import percentile
    from kehu.core.activity import Activity
    from kehu.notifications.models import Notification
    from kehu.org.models import ApiToken, User
    from kehu.sales.opportunities.models import Opportunity, StageChange

    budget_scale = "L" if scale == "L" else "M"
    url = "/api/v1/opportunities/{id}/move"
    out = outcome_type("opportunity_move_rep", "rep001", url, "stage_move", None, kind="write")
    out.budget_ms = BUDGETS["stage_move"][budget_scale]
    out.load_average = round(os.getloadavg()[0], 2)
    rep = User.objects.get(username="rep001")
    opportunities, following = _movable(rep, warmup + 1 + requests)
    if len(opportunities) < warmup + 1 + requests:
        out.skipped = "rep001 has too few open opportunities to move: generate the data set again"
        return out
    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=rep, name="bench move", key_hash=ApiToken.hash(raw), hint=raw[:9])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    marks = {m: m.objects.aggregate(m=Max("pk"))["m"] or 0 for m in (Activity, Notification, StageChange)}
    statuses: set[int] = set()
    times = []

    def move(opportunity: Any) -> int:
        body = json.dumps({"stage": following[opportunity.stage_id]})
        response = client.post(url.format(id=opportunity.pk), body, content_type="application/json")
        statuses.add(response.status_code)
        return response.status_code

    try:
        queue = iter(opportunities)
        for _ in range(warmup):
            move(next(queue))
        with CaptureQueriesContext(connection) as captured:
            move(next(queue))
        out.queries = len(captured.captured_queries)
        out.all_sql = [
            {"sql": q["sql"], "captured_ms": round(float(q["time"]) * 1000, 2)}
            for q in captured.captured_queries
        ]
        for opportunity in queue:
            started = time.perf_counter()
            move(opportunity)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        for model, mark in marks.items():
            model.objects.filter(pk__gt=mark).delete()
        for opportunity in opportunities:  # back where they were
            Opportunity.objects.filter(pk=opportunity.pk).update(
                **{name: getattr(opportunity, name) for name in RESTORED}
            )
        token.delete()
    out.status = 200 if statuses == {200} else max(statuses - {200}, default=0)
    if out.status != 200:
        out.skipped = f"moves answered {sorted(statuses)}"
        return out
    out.requests = len(times)
    out.median_ms = round(statistics.median(times), 2)
    out.p95_ms = round(percentile(times, 95), 2)
    out.min_ms, out.max_ms = round(min(times), 2), round(max(times), 2)
    return out
