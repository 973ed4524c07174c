"""Measure full requests (middleware, view, SQL, template) against a generated data set.

    python -m bench.run                                   # var/bench-m.sqlite3
    python -m bench.run --database-url postgres://postgres@127.0.0.1:5432/kehu_bench --requests 30

Each case logs in as a persona of the generated organisation (manager1 sees the 华东区 subtree, rep001
works in its first team, director sees everything), warms up, then times the requests one after another
through django.test.Client. SQL queries are counted on one extra request, and the slowest statements are
timed again on their own. Reports go to bench/reports/<vendor>-<scale>.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.db import configure, describe, explain

# DESIGN.md §5, p95 in milliseconds, by scale. S and XS are held to the M budgets.
BUDGETS = {
    "list": {"M": 40, "L": 100},
    "search": {"M": 60, "L": 200},
    "detail": {"M": 30, "L": 60},
}
BUDGET_NAMES = {
    "list": "customer list, scoped to a department subtree, filtered, sorted, page 1",
    "search": "keyword search on name / phone substring (Chinese included)",
    "detail": "customer detail with 360° timeline",
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
]


@dataclass
class Outcome:
    key: str
    user: str
    url: str
    budget_kind: str
    budget_ms: int
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

    @property
    def passed(self) -> bool:
        return (
            not self.skipped
            and self.status == 200
            and self.p95_ms is not None
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
    """Values for the URL placeholders: a busy customer of rep001 (visible to manager1), part of its phone."""
    from django.db.models import Count

    from kehu.customers.models import Customer
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
    return {"customer": str(customer.pk), "phone": digits[-8:-1]}  # seven digits from its middle


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


def run(*, requests: int, warmup: int, only: list[str] | None = None) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from kehu.customers.models import Contact, Customer
    from kehu.org.models import User

    scale = detect_scale()
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
            outcome = measure(case, clients[case.user], url, scale=scale, requests=requests, warmup=warmup)
            outcomes.append(outcome)
            print(_progress_line(outcome), flush=True)
    return {
        "vendor": connection.vendor,
        "database": describe(),
        "scale": scale,
        "counts": {"customers": Customer.objects.count(), "contacts": Contact.objects.count()},
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
    return (
        f"  {o.key:<26} {o.status}  median {o.median_ms:7.1f} ms  p95 {o.p95_ms:7.1f} ms  "
        f"{o.queries} queries  budget {o.budget_ms} ms  {'pass' if o.passed else 'FAIL'}"
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
        f"{report['counts']['contacts']:,} contacts; commit {report['commit']}; {report['when']}; "
        f"Python {report['python']}, {report['machine']}, load average "
        f"{report['load_average']['before'][0]:.1f} → {report['load_average']['after'][0]:.1f}. "
        f"Warm-up {report['warmup']}, then "
        f"{report['requests']} requests per case, one at a time, through django.test.Client "
        "(middleware, view, SQL and template render; no network).",
        "",
        "| case | user | URL | status | median ms | p95 ms | queries | budget p95 ms | result |",
        "|---|---|---|---|---:|---:|---:|---:|---|",
    ]
    for c in report["cases"]:
        url = c["url"].replace("|", "\\|")
        if c["skipped"]:
            lines.append(
                f"| {c['key']} | {c['user']} | `{url}` | — | | | | {c['budget_ms']} | "
                f"skipped: {c['skipped']} |"
            )
            continue
        queries = str(c["queries"])
        if c["queries_big_page"] is not None:
            queries += f" ({c['queries_big_page']} at 100 rows)"
        lines.append(
            f"| {c['key']} | {c['user']} | `{url}` | {c['status']} | {c['median_ms']:.1f} | "
            f"{c['p95_ms']:.1f} | {queries} | {c['budget_ms']} | {'pass' if c['passed'] else '**FAIL**'} |"
        )
    lines += ["", "Budgets (DESIGN.md §5, p95):", ""]
    lines += [f"- {kind}: {BUDGET_NAMES[kind]}" for kind in BUDGETS]
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
    args = parser.parse_args(argv)
    if args.requests < 20:
        parser.error("--requests must be at least 20")
    # whitenoise warns once that var/static/ is missing: the benchmark serves no static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    configure(scale=args.scale, database_url=args.database_url, sqlite_path=args.sqlite_path)
    print(f"database: {describe()}")
    report = run(requests=args.requests, warmup=args.warmup, only=args.case)
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
