"""Measure full requests (middleware, view, SQL, template) against a generated data set.

    python -m bench.run                                   # var/bench-m.sqlite3
    python -m bench.run --database-url postgres://postgres@127.0.0.1:5432/kehu_bench --requests 30
    python -m bench.run --case api_intake --profile       # where an intake request spends its time

Each case logs in as a persona of the generated organisation (manager1 sees the 华东区 subtree, rep001
works in its first team, director sees everything), warms up, then times the requests one after another
through django.test.Client. SQL queries are counted on one extra request, and the slowest statements are
timed again on their own. The intake cases (last) post new leads as the "ops" user with an API token and
delete everything they created afterwards. Reports go to bench/reports/<vendor>-<scale>.{json,md}.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import platform
import pstats
import random
import secrets
import statistics
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import analytics_cases, opportunity_cases, pool_cases, sales_cases
from bench.db import VAR_DIR, configure, describe, explain

# DESIGN.md §5, p95 in milliseconds, by scale. S and XS are held to the M budgets.
BUDGETS = {
    "list": {"M": 40, "L": 100},
    "search": {"M": 60, "L": 200},
    "detail": {"M": 30, "L": 60},
    "lead_list": {"M": 40, "L": 100},
    "lead_detail": {"M": 30, "L": 60},
    "workbench": {"M": 50, "L": 150},
    "opportunity_list": {"M": 50, "L": 100},
    **pool_cases.BUDGETS,
    **opportunity_cases.BUDGETS,
    **sales_cases.BUDGETS,
    **analytics_cases.BUDGETS,
}
# Throughput floors, leads per second on one worker (requests one after another).
INTAKE_BUDGETS = {"intake": {"M": 300, "L": 300}}
BUDGET_NAMES = {
    "list": "customer list, scoped to a department subtree, filtered, sorted, page 1",
    "search": "keyword search on name / phone substring (Chinese included)",
    "detail": "customer detail with 360° timeline",
    "lead_list": "lead list (mine + open, team, pool; page and API), page 1, held to the list budget",
    "lead_detail": "lead detail, held to the customer-detail budget",
    "workbench": "rep workbench (today, overdue, about to be reclaimed, new leads; managers: team activity)",
    "opportunity_list": "opportunity list (mine, team) and kanban board (team), page 1 / 20 cards a column",
    **pool_cases.BUDGET_NAMES,
    **opportunity_cases.BUDGET_NAMES,
    **sales_cases.BUDGET_NAMES,
    **analytics_cases.BUDGET_NAMES,
    "intake": "lead intake through the API with dedupe + assignment, ≥ leads/s on one worker",
}


@dataclass
class Case:
    key: str
    user: str
    path: str
    budget: str
    paged: bool = False  # a list: also count queries on a bigger page, to catch N+1


CASES = [
    Case("list_team_manager", "manager1", "/customers/?view=team&status=intent&sort=-updated", "list", True),
    Case("list_mine_rep", "rep001", "/customers/?view=mine&status=intent&sort=-updated", "list", True),
    Case("list_all_director", "director", "/customers/?status=intent&sort=-updated", "list", True),
    Case(
        "list_tag_manager",
        "manager1",
        "/customers/?view=team&tag=重点客户&level=A&sort=-updated",
        "list",
        paged=True,
    ),
    Case("api_list_team_manager", "manager1", "/api/v1/customers?view=team&status=intent", "list", True),
    Case("api_list_mine_rep", "rep001", "/api/v1/customers?view=mine&status=intent", "list", True),
    Case("search_zh2_manager", "manager1", "/customers/?q=科技", "search"),
    Case("search_zh3_manager", "manager1", "/customers/?q=新能源", "search"),
    Case("search_phone_manager", "manager1", "/customers/?q={phone}", "search"),
    Case("search_zh2_rep", "rep001", "/customers/?q=科技", "search"),
    Case("search_phone_rep", "rep001", "/customers/?q={phone}", "search"),
    Case("search_zh2_director", "director", "/customers/?q=科技", "search"),
    Case("api_search_zh3_manager", "manager1", "/api/v1/customers?q=新能源", "search"),
    Case("detail_rep", "rep001", "/customers/{customer}/", "detail"),
    Case("detail_timeline_rep", "rep001", "/customers/{customer}/?tab=timeline", "detail"),
    Case("detail_timeline_manager", "manager1", "/customers/{customer}/?tab=timeline", "detail"),
    Case("detail_contacts_manager", "manager1", "/customers/{customer}/?tab=contacts", "detail"),
    Case("lead_list_rep", "rep001", "/leads/?view=mine&status=open", "lead_list", True),
    Case("lead_list_manager", "manager1", "/leads/?view=team", "lead_list", True),
    Case("lead_list_pool", "rep001", "/leads/?view=pool", "lead_list", True),
    Case("api_lead_list_manager", "manager1", "/api/v1/leads?view=team", "lead_list", True),
    Case("lead_detail_rep", "rep001", "/leads/{lead}/", "lead_detail"),
    # the same lead seen by people with wider scopes (lead_get's scope check reads their whole scope)
    Case("lead_detail_manager", "manager1", "/leads/{lead}/", "lead_detail"),
    Case("lead_detail_director", "director", "/leads/{lead}/", "lead_detail"),
    # lead search: the same substring search over leads_lead.search_text (pg_trgm index, leads 0004)
    Case("lead_search_zh2_manager", "manager1", "/leads/?q=科技", "search"),
    Case("lead_search_zh3_manager", "manager1", "/leads/?q=新能源", "search"),
    Case("lead_search_phone_director", "director", "/leads/?q={lead_phone}", "search"),
    Case("workbench_rep", "rep001", "/", "workbench"),
    Case("workbench_manager", "manager1", "/", "workbench"),
    Case("workbench_director", "director", "/", "workbench"),
    Case("api_workbench_rep", "rep001", "/api/v1/workbench", "workbench"),
    Case("opportunity_list_rep", "rep001", "/opportunities/?view=mine", "opportunity_list", True),
    Case("opportunity_list_manager", "manager1", "/opportunities/?view=team", "opportunity_list", True),
    Case("opportunity_board_manager", "manager1", "/opportunities/board/?view=team", "opportunity_list"),
    # the pool's page and API list: rep001's home pool, newest in the pool first
    Case("pool_page_rep", "rep001", "/pool/{pool}/", "list", True),
    Case("pool_search_rep", "rep001", "/pool/{pool}/?q=科技", "search"),
    Case("api_pool_customers_rep", "rep001", "/api/v1/pools/{pool}/customers", "list", True),
    # quotes: the list (newest first) of the opportunities one sees, and rep001's newest quote
    Case("quote_list_rep", "rep001", "/quotes/", "list", True),
    Case("quote_list_manager", "manager1", "/quotes/", "list", True),
    Case("api_quote_list_rep", "rep001", "/api/v1/quotes", "list", True),
    Case("quote_detail_rep", "rep001", "/quotes/{quote}/", "detail"),
    # sales: receivables (page, aging API), purchase statistics, the order list (bench/sales_cases.py)
    *(Case(**case) for case in sales_cases.CASES),
    # analytics: the sales funnel, page and API (bench/analytics_cases.py)
    *(Case(**case) for case in analytics_cases.CASES),
]
# Writing cases (bench/pool_cases.py, bench/opportunity_cases.py), run after the reading ones; they leave
# the data as it was.
WRITE_CASES = ["pool_claim_rep", "pool_reclaim_job", "opportunity_move_rep"]


@dataclass
class IntakeCase:
    """POST /api/v1/leads, one request after another: `batch` leads per request (1: the lead itself)."""

    key: str
    user: str
    batch: int
    requests: int
    warmup: int


# These write: they run after every reading case, and delete what they created.
INTAKE_CASES = [
    IntakeCase("api_intake", "ops", batch=1, requests=1000, warmup=50),
    IntakeCase("api_intake_batch", "ops", batch=100, requests=20, warmup=2),
]
INTAKE_DUPLICATES = 0.05  # share of posted leads that repeat a customer's (3 %) or a lead's (2 %) phone


@dataclass
class Outcome:
    key: str
    user: str
    url: str
    budget_kind: str
    budget_ms: int | None
    status: int | None = None
    skipped: str = ""
    median_ms: float | None = None
    p95_ms: float | None = None
    min_ms: float | None = None
    max_ms: float | None = None
    requests: int = 0
    queries: int | None = None
    queries_big_page: int | None = None
    response_bytes: int | None = None
    slow_sql: list[dict[str, Any]] = field(default_factory=list)
    all_sql: list[dict[str, Any]] = field(default_factory=list)
    plans: list[dict[str, str]] = field(default_factory=list)
    load_average: float | None = None  # one-minute load average when the case started
    # intake cases
    kind: str = "read"
    batch: int | None = None
    leads: int | None = None  # created by the timed requests
    seconds: float | None = None  # wall time of the timed requests
    leads_per_second: float | None = None
    budget_leads_per_second: int | None = None
    queries_max: int | None = None
    duplicates: int | None = None
    assigned: int | None = None
    profile: str = ""
    # the reclaim job
    moved: int | None = None  # customers the timed run moved
    moved_again: int | None = None  # customers a second run right after moved (0: idempotent)
    dry_run_ms: float | None = None

    @property
    def passed(self) -> bool:
        if self.skipped:
            return False
        if self.kind == "intake":
            return (
                self.status == 201
                and self.leads_per_second is not None
                and self.leads_per_second >= (self.budget_leads_per_second or 0)
            )
        return (
            self.status == 200
            and self.p95_ms is not None
            and self.budget_ms is not None
            and self.p95_ms <= self.budget_ms
            and (self.queries_big_page is None or self.queries_big_page == self.queries)
        )


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def detect_scale() -> str:
    from bench.generate import SCALES
    from kehu.customers.models import Customer

    count = Customer.objects.count()
    if not count:
        raise SystemExit(f"{describe()} holds no customers: run python -m bench.generate first.")
    return min(SCALES, key=lambda s: abs(math.log(count / SCALES[s].customers)))


def fixtures() -> dict[str, str]:
    """Values for the URL placeholders: a busy customer of rep001 (visible to manager1), part of its phone,
    a lead of rep001, part of the phone of one of rep001's leads, rep001's pool and rep001's newest quote
    (with its lines) of one of its own opportunities."""
    from django.db.models import Count

    from kehu.customers.models import Customer
    from kehu.leads.models import Lead
    from kehu.org.models import User

    rep = User.objects.get(username="rep001")
    customer = (
        Customer.objects.alive()
        .filter(owner=rep, kind="company")
        .exclude(phone="")
        .annotate(n=Count("contacts"))
        .filter(n__gte=3)
        .order_by("-updated_at", "-id")
        .first()
    )
    if customer is None:
        raise SystemExit("rep001 owns no company with three contacts: is this a bench.generate data set?")
    digits = customer.phone.removeprefix("+86")
    # rep001's most recent lead that has been worked on (a history to show); 0 (a 404) without leads
    lead = (
        Lead.objects.alive()
        .filter(owner=rep, status__in=["contacted", "qualified"])
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    lead_phone = (
        Lead.objects.alive()
        .filter(owner=rep, phone__regex=r"^\+861[3-9][0-9]{9}$")  # a mobile (+8610…: Beijing lines)
        .order_by("-created_at", "-id")
        .values_list("phone", flat=True)
        .first()
    )
    from kehu.pool.services import pool_for_user

    pool = pool_for_user(rep)
    from kehu.sales.quotes.models import Quote

    quote = (
        Quote.objects.filter(created_by=rep, opportunity__owner=rep, opportunity__deleted_at=None)
        .exclude(lines=None)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    return {
        "quote": str(quote or 0),  # 0: a 404, reported as skipped (a data set without quotes)
        "pool": str(pool.pk if pool else 0),
        "customer": str(customer.pk),
        "phone": digits[-8:-1],  # seven digits from its middle
        "lead": str(lead or 0),
        "lead_phone": (lead_phone or "+8613900000000")[-8:-1],  # a mobile's seven middle digits
    }


def _settings_overrides() -> tuple[dict[str, Any], list[str]]:
    from django.conf import settings

    overrides: dict[str, Any] = {"ALLOWED_HOSTS": [*settings.ALLOWED_HOSTS, "testserver"]}
    notes = []
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    if "Manifest" in backend and not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        overrides["STORAGES"] = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        notes.append("no collectstatic manifest: static URLs from the plain StaticFilesStorage")
    return overrides, notes


def _timed_sql(sql: str, repeat: int = 10) -> float:
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(case: Case, client: Any, url: str, *, scale: str, requests: int, warmup: int) -> Outcome:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import Resolver404, resolve

    budget_scale = "L" if scale == "L" else "M"
    out = Outcome(case.key, case.user, url, case.budget, BUDGETS[case.budget][budget_scale])
    out.load_average = round(os.getloadavg()[0], 2)
    try:
        resolve(url.split("?")[0])
    except Resolver404:
        out.skipped = "URL not implemented yet (does not resolve)"
        return out
    for _ in range(max(warmup, 1)):
        response = client.get(url)
    out.status = response.status_code
    if response.status_code == 404:
        out.skipped = "404 Not Found (view not written yet, or the object is out of scope)"
        return out
    if response.status_code == 501:
        out.skipped = "501 Not Implemented (view not written yet)"
        return out
    out.response_bytes = len(response.content)

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = list(captured.captured_queries)  # the next request's request_started signal clears the log
    out.queries = len(queries)
    if case.paged:
        bigger = url + ("&" if "?" in url else "?") + ("limit=100" if "/api/" in url else "size=100")
        client.get(bigger)
        with CaptureQueriesContext(connection) as captured_big:
            client.get(bigger)
        out.queries_big_page = len(captured_big.captured_queries)

    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != out.status:
            out.status = response.status_code
    out.requests = len(times)
    out.median_ms = round(statistics.median(times), 2)
    out.p95_ms = round(percentile(times, 95), 2)
    out.min_ms, out.max_ms = round(min(times), 2), round(max(times), 2)

    out.all_sql = [{"sql": q["sql"], "captured_ms": round(float(q["time"]) * 1000, 2)} for q in queries]
    candidates = sorted(queries, key=lambda q: float(q["time"]), reverse=True)[:5]
    timed = [{"sql": q["sql"], "ms": round(_timed_sql(q["sql"]), 2)} for q in candidates]
    out.slow_sql = sorted(timed, key=lambda q: q["ms"], reverse=True)[:3]
    if out.p95_ms > out.budget_ms:
        for entry in out.slow_sql[:2]:
            out.plans.append({"sql": entry["sql"], "plan": explain(entry["sql"])})
    return out


# Intake: POST /api/v1/leads ------------------------------------------------------------------------------


def intake_payloads(count: int, *, seed: int) -> list[dict[str, Any]]:
    """New leads as an API client sends them: fresh phones and companies, ~5 % repeating a customer's
    phone (3 %) or an earlier lead's (2 %), so that the duplicate check finds some."""
    from bench.generate import LeadMaker, _init_cum
    from kehu.customers.models import Customer
    from kehu.leads.models import Lead

    _init_cum()
    rng = random.Random(seed)
    maker = LeadMaker(rng)
    wanted = int(count * INTAKE_DUPLICATES) + 2
    customer_phones = list(
        Customer.objects.alive().exclude(phone="").order_by("?").values_list("phone", flat=True)[:wanted]
    )
    lead_phones = list(
        Lead.objects.alive()
        .filter(duplicate_of=None)
        .exclude(phone="")
        .order_by("?")
        .values_list("phone", flat=True)[:wanted]
    )
    payloads = []
    for _ in range(count):
        data = {k: v for k, v in maker.fields().items() if v}
        r = rng.random()
        if r < INTAKE_DUPLICATES * 0.6 and customer_phones:
            data["phone"] = customer_phones.pop()
        elif r < INTAKE_DUPLICATES and lead_phones:
            data["phone"] = lead_phones.pop()
        payloads.append(data)
    return payloads


@contextmanager
def _private_task_queue() -> Any:
    """Notification e-mails are queued on commit: into a queue file of the benchmark's own, not the
    installation's (var/huey.sqlite3), and thrown away afterwards. With Redis the queue stays as is."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import SqliteStorage

    if HUEY.immediate or not isinstance(HUEY.storage, SqliteStorage):
        yield
        return
    path = VAR_DIR / "bench-huey.sqlite3"
    original = HUEY.storage
    HUEY.storage = SqliteStorage(name=original.name, filename=str(path))
    try:
        yield
    finally:
        HUEY.storage.close()
        HUEY.storage = original
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _high_water() -> dict[type, int]:
    from django.db.models import Max

    from kehu.core.activity import Activity
    from kehu.leads.models import Lead, LeadAssignment
    from kehu.notifications.models import Notification

    return {
        m: m.objects.aggregate(m=Max("pk"))["m"] or 0 for m in (Activity, Notification, LeadAssignment, Lead)
    }


def _delete_since(marks: dict[type, int]) -> dict[str, int]:
    """Delete every row written after `marks` (the benchmark database has no other writers)."""
    from django.db import connection

    deleted = {}
    for model, mark in marks.items():  # activities, notifications and assignments before their leads
        count, _by_model = model.objects.filter(pk__gt=mark).delete()
        deleted[model._meta.label] = count
    if connection.vendor == "postgresql":  # dead rows and stale statistics would slow the next run's reads
        with connection.cursor() as cursor:
            for model in marks:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return deleted


def _catch_all_rule() -> Any:
    from kehu.leads.models import AssignmentRule

    for rule in AssignmentRule.objects.filter(is_active=True).order_by("position", "id"):
        conditions = (rule.match_sources, rule.match_provinces, rule.match_industries, rule.match_campaigns)
        if not any(conditions) and not rule.match_field:
            return rule
    return None


def measure_intake(case: IntakeCase, *, scale: str, requests: int, warmup: int, profile: bool) -> Outcome:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kehu.leads.models import AssignmentRule, Lead
    from kehu.org.models import ApiToken, User

    budget_scale = "L" if scale == "L" else "M"
    url = "/api/v1/leads"
    out = Outcome(case.key, case.user, url, "intake", None, kind="intake", batch=case.batch)
    out.budget_leads_per_second = INTAKE_BUDGETS["intake"][budget_scale]
    out.load_average = round(os.getloadavg()[0], 2)
    user = User.objects.filter(username=case.user).first()
    if user is None or not user.has_perm("leads.add_lead"):
        out.skipped = f"no user {case.user!r} who may add leads: generate the data set again"
        return out
    rule = _catch_all_rule()
    if rule is None:
        out.skipped = "no active catch-all assignment rule: generate the data set again"
        return out

    capture_requests = min(20, requests)
    total = (warmup + capture_requests + requests) * case.batch
    payloads = intake_payloads(total, seed=time.time_ns())
    bodies = []
    for start in range(0, total, case.batch):
        items = payloads[start : start + case.batch]
        body = items[0] if case.batch == 1 else {"items": items}
        bodies.append(json.dumps(body, ensure_ascii=False))
    warm, captured_bodies, timed_bodies = (
        bodies[:warmup],
        bodies[warmup : warmup + capture_requests],
        bodies[warmup + capture_requests :],
    )

    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name="bench intake", key_hash=ApiToken.hash(raw), hint=raw[:9])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    states = dict(AssignmentRule.objects.values_list("pk", "state"))
    marks = _high_water()
    statuses: set[int] = set()

    def post(body: str) -> Any:
        response = client.post(url, body, content_type="application/json")
        statuses.add(response.status_code)
        return response

    try:
        with _private_task_queue():
            for body in warm:
                response = post(body)
            if response.status_code != 201:
                out.status = response.status_code
                out.skipped = f"{response.status_code} from the warm-up: {response.content[:300]!r}"
                return out
            counts, biggest = [], None
            for body in captured_bodies:
                with CaptureQueriesContext(connection) as captured:
                    post(body)
                counts.append(len(captured.captured_queries))
                if biggest is None or len(captured.captured_queries) >= len(biggest):
                    biggest = list(captured.captured_queries)
            first_timed = _high_water()[Lead]
            profiler = cProfile.Profile() if profile else None
            times = []
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            for body in timed_bodies:
                t0 = time.perf_counter()
                post(body)
                times.append((time.perf_counter() - t0) * 1000)
            if profiler:
                profiler.disable()
            out.seconds = round(time.perf_counter() - started, 3)
        created = Lead.objects.filter(pk__gt=first_timed)
        out.leads = created.count()
        out.duplicates = created.exclude(duplicate_key="").count()
        out.assigned = created.filter(owner__isnull=False).count()
    finally:
        _delete_since(marks)
        for pk, state in states.items():
            AssignmentRule.objects.filter(pk=pk).update(state=state)
        token.delete()

    out.status = 201 if statuses == {201} else max(statuses - {201})
    out.requests = len(times)
    out.median_ms = round(statistics.median(times), 2)
    out.p95_ms = round(percentile(times, 95), 2)
    out.min_ms, out.max_ms = round(min(times), 2), round(max(times), 2)
    out.leads_per_second = round(out.leads / out.seconds, 1) if out.seconds else None
    out.queries = round(statistics.median(counts))
    out.queries_max = max(counts)
    out.all_sql = [{"sql": q["sql"], "captured_ms": round(float(q["time"]) * 1000, 2)} for q in biggest or []]
    # The reads of that request, run again on their own now that the data set is back as it was.
    reads = [q["sql"] for q in biggest or [] if q["sql"].lstrip().upper().startswith("SELECT")]
    timed = [{"sql": sql, "ms": round(_timed_sql(sql), 2)} for sql in reads]
    out.slow_sql = sorted(timed, key=lambda q: q["ms"], reverse=True)[:3]
    if not out.passed:
        for entry in out.slow_sql[:2]:
            out.plans.append({"sql": entry["sql"], "plan": explain(entry["sql"])})
    if profiler:
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(40)
        out.profile = buffer.getvalue()
    return out


def run(
    *,
    requests: int,
    warmup: int,
    only: list[str] | None = None,
    intake_requests: dict[str, int] | None = None,
    profile: bool = False,
) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from kehu.customers.models import Contact, Customer
    from kehu.leads.models import Lead
    from kehu.org.models import User

    scale = detect_scale()
    sales_scale = sales_cases.budget_scale(scale)  # L sales volume on smaller customers: the L budgets
    values = fixtures()
    load_before = os.getloadavg()
    overrides, notes = _settings_overrides()
    clients: dict[str, Client] = {}
    outcomes = []
    with override_settings(**overrides):
        for case in CASES:
            if only and case.key not in only:
                continue
            if case.user not in clients:
                clients[case.user] = Client()
                clients[case.user].force_login(User.objects.get(username=case.user))
            url = case.path.format(**values)
            case_scale = sales_scale if case.key in sales_cases.KEYS else scale
            try:
                outcome = measure(
                    case, clients[case.user], url, scale=case_scale, requests=requests, warmup=warmup
                )
            except Exception as exc:  # a view that raises (e.g. a missing migration) fails its case only
                outcome = Outcome(case.key, case.user, url, case.budget, None, status=500)
                outcome.skipped = f"the request raised {type(exc).__name__}: {str(exc)[:200]}"
            outcomes.append(outcome)
            print(_progress_line(outcome), flush=True)
        for intake in INTAKE_CASES:  # last: they write (and clean up after themselves)
            if only and intake.key not in only:
                continue
            n = (intake_requests or {}).get(intake.key, intake.requests)
            outcome = measure_intake(intake, scale=scale, requests=n, warmup=intake.warmup, profile=profile)
            outcomes.append(outcome)
            print(_progress_line(outcome), flush=True)
            if outcome.profile:
                print(outcome.profile)
        for key in WRITE_CASES:
            if only and key not in only:
                continue
            if key == "pool_claim_rep":
                outcome = pool_cases.measure_claim(Outcome, scale=scale, requests=requests, warmup=warmup)
            elif key == "pool_reclaim_job":
                outcome = pool_cases.measure_reclaim(Outcome, scale=scale)
            else:
                outcome = opportunity_cases.measure_move(
                    Outcome, scale=scale, requests=requests, warmup=warmup
                )
            outcomes.append(outcome)
            print(_progress_line(outcome), flush=True)
    return {
        "vendor": connection.vendor,
        "database": describe(),
        "scale": scale,
        "counts": {
            "customers": Customer.objects.count(),
            "contacts": Contact.objects.count(),
            "leads": Lead.objects.count(),
            **sales_cases.counts(),
        },
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "requests": requests,
        "warmup": warmup,
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "notes": notes,
        "cases": [asdict(o) | {"passed": o.passed} for o in outcomes],
    }


def _progress_line(o: Outcome) -> str:
    if o.skipped:
        return f"  {o.key:<26} skipped: {o.skipped}"
    if o.kind == "intake":
        return (
            f"  {o.key:<26} {o.status}  {o.leads:,} leads in {o.seconds:.1f} s = {o.leads_per_second:,.0f} "
            f"leads/s  median {o.median_ms:.1f} ms  p95 {o.p95_ms:.1f} ms  {o.queries} queries  "
            f"budget ≥ {o.budget_leads_per_second} leads/s  {'pass' if o.passed else 'FAIL'}"
        )
    moved = (
        f"  moved {o.moved:,} (again: {o.moved_again}), dry run {o.dry_run_ms} ms"
        if o.moved is not None
        else ""
    )
    return (
        f"  {o.key:<26} {o.status}  median {o.median_ms:7.1f} ms  p95 {o.p95_ms:7.1f} ms  "
        f"{o.queries} queries  budget {o.budget_ms} ms  {'pass' if o.passed else 'FAIL'}{moved}"
    )


def _git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Benchmark: {report['vendor']}, scale {report['scale']}",
        "",
        f"{report['database']}; {report['counts']['customers']:,} customers, "
        f"{report['counts']['contacts']:,} contacts, {report['counts'].get('leads', 0):,} leads, "
        f"{report['counts'].get('orders', 0):,} orders, {report['counts'].get('contracts', 0):,} contracts; "
        f"commit {report['commit']}; {report['when']}; "
        f"Python {report['python']}, {report['machine']}, load average "
        f"{report['load_average']['before'][0]:.1f} → {report['load_average']['after'][0]:.1f}. "
        f"Warm-up {report['warmup']}, then "
        f"{report['requests']} requests per case, one at a time, through django.test.Client "
        "(middleware, view, SQL and template render; no network).",
        "",
        "| case | user | URL | status | median ms | p95 ms | queries | budget p95 ms | result | load |",
        "|---|---|---|---|---:|---:|---:|---:|---|---:|",
    ]
    reads = [c for c in report["cases"] if c.get("kind", "read") in ("read", "claim", "write")]
    jobs = [c for c in report["cases"] if c.get("kind") == "reclaim"]
    intakes = [c for c in report["cases"] if c.get("kind") == "intake"]
    for c in reads:
        url = c["url"].replace("|", "\\|")
        if c["skipped"]:
            lines.append(
                f"| {c['key']} | {c['user']} | `{url}` | — | | | | {c['budget_ms']} | "
                f"skipped: {c['skipped']} | |"
            )
            continue
        queries = str(c["queries"])
        if c["queries_big_page"] is not None:
            queries += f" ({c['queries_big_page']} at 100 rows)"
        lines.append(
            f"| {c['key']} | {c['user']} | `{url}` | {c['status']} | {c['median_ms']:.1f} | "
            f"{c['p95_ms']:.1f} | {queries} | {c['budget_ms']} | {'pass' if c['passed'] else '**FAIL**'} | "
            f"{_load(c)} |"
        )
    if intakes:
        lines += [
            "",
            "Lead intake: `POST /api/v1/leads` as `ops` with an API token, one request after another; "
            "every lead checked for duplicates and assigned by the rules (catch-all round robin active). "
            "Warm-up first; queries counted on 20 further requests (median, max); then the timed requests. "
            "What the cases created is deleted afterwards.",
            "",
            "| case | leads per request | requests | leads | leads/s | median ms | p95 ms | queries "
            "| duplicates | assigned | load | budget | result |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for c in intakes:
            if c["skipped"]:
                lines.append(f"| {c['key']} | {c['batch']} | | | | | | | | | | | skipped: {c['skipped']} |")
                continue
            lines.append(
                f"| {c['key']} | {c['batch']} | {c['requests']} | {c['leads']:,} | "
                f"{c['leads_per_second']:,.0f} | {c['median_ms']:.1f} | {c['p95_ms']:.1f} | "
                f"{c['queries']} (max {c['queries_max']}) | {c['duplicates']} | {c['assigned']} | "
                f"{_load(c)} | ≥ {c['budget_leads_per_second']} leads/s | "
                f"{'pass' if c['passed'] else '**FAIL**'} |"
            )
    for c in jobs:
        if c["skipped"]:
            lines += ["", f"Reclaim job: skipped: {c['skipped']}"]
            continue
        lines += [
            "",
            f"Reclaim job (`pool_reclaim()`, every pool, in a transaction rolled back after each of "
            f"{c['requests']} runs): moved {c['moved']:,} customers in median {c['median_ms']:,.0f} ms, "
            f"p95 {c['p95_ms']:,.0f} ms (budget {c['budget_ms']:,} ms: "
            f"{'pass' if c['passed'] else '**FAIL**'}); "
            f"a second run right after moved {c['moved_again']}; the dry run took {c['dry_run_ms']:,.0f} ms.",
        ]
    lines += ["", "Budgets (DESIGN.md §5, p95):", ""]
    lines += [f"- {kind}: {BUDGET_NAMES[kind]}" for kind in (*BUDGETS, *INTAKE_BUDGETS)]
    for note in report["notes"]:
        lines.append(f"- note: {note}")
    lines += ["", "## Slowest SQL per case (re-run alone, median of 10)", ""]
    for c in report["cases"]:
        if c["slow_sql"]:
            lines.append(
                f"- **{c['key']}**: "
                + "; ".join(f"{q['ms']:.1f} ms `{_short(q['sql'])}`" for q in c["slow_sql"])
            )
    over = [c for c in report["cases"] if c["plans"]]
    if over:
        lines += ["", "## Query plans of the cases over budget", ""]
        for c in over:
            for p in c["plans"]:
                lines += [f"### {c['key']}", "", "```sql", p["sql"], "```", "", "```", p["plan"], "```", ""]
    return "\n".join(lines) + "\n"


def _load(case: dict[str, Any]) -> str:
    """The one-minute load average when the case started (a shared machine moves p95)."""
    load = case.get("load_average")
    return "" if load is None else f"{load:.1f}"


def _short(sql: str, width: int = 160) -> str:
    sql = " ".join(sql.split()).replace("|", "\\|").replace("`", "'")
    return sql if len(sql) <= width else sql[: width - 1] + "…"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per case (at least 20)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "reports"))
    parser.add_argument("--scale", default="M", help="which var/bench-<scale>.sqlite3 to use (SQLite only)")
    parser.add_argument("--database-url")
    parser.add_argument("--sqlite-path")
    parser.add_argument("--case", action="append", help="run only this case (repeatable)")
    parser.add_argument(
        "--intake-requests", type=int, default=1000, help="timed requests of api_intake (default 1000)"
    )
    parser.add_argument(
        "--intake-batches", type=int, default=20, help="timed requests of api_intake_batch (default 20)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the timed intake requests")
    args = parser.parse_args(argv)
    if args.requests < 20:
        parser.error("--requests must be at least 20")
    # whitenoise warns once that var/static/ is missing: the benchmark serves no static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    configure(scale=args.scale, database_url=args.database_url, sqlite_path=args.sqlite_path)
    print(f"database: {describe()}")
    report = run(
        requests=args.requests,
        warmup=args.warmup,
        only=args.case,
        intake_requests={"api_intake": args.intake_requests, "api_intake_batch": args.intake_batches},
        profile=args.profile,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = f"{report['vendor']}-{report['scale'].lower()}"
    (out / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    text = markdown(report)
    (out / f"{name}.md").write_text(text)
    print()
    print(text)
    print(f"written: {out / name}.json and .md")


if __name__ == "__main__":
    main(sys.argv[1:])
