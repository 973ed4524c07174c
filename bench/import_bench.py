"""Benchmark of the lead import: a realistic .xlsx and .csv of N rows, imported through the services.

    python -m bench.import_bench                          # 100,000 rows into var/bench-import.sqlite3
    python -m bench.import_bench --database-url postgres://postgres@127.0.0.1:5432/kehu_import_bench
    python -m bench.import_bench --rows 20000 --format csv --mode all --profile

The files (Chinese names and companies, +86 mobiles written several ways, about 3 % repeated phones,
1 % bad rows, a few empty rows) are generated once per size and seed into var/. Each import starts from
an empty lead table and goes through import_upload, then import_start with huey in immediate mode, so
the run_import task runs in this process when the start commits. Budget: 100,000 rows in 60 s.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import pstats
import random
import sys
import time
from pathlib import Path

from bench.db import VAR_DIR, configure, describe

BUDGET_SECONDS = 60
HEADER = ["姓名", "公司名称", "职位", "手机", "邮箱", "省份", "城市", "行业", "来源", "备注"]
SOURCES = ["官网", "展会", "转介绍", "Partner", "广告", "营销活动", ""]


def _rows(count: int, seed: int, bad: bool = True):
    """The file's data rows: mostly good, some repeated phones, some bad (unless not `bad`), a few empty."""
    from bench import vocab
    from kehu.customers.choices import Industry

    rng = random.Random(seed)
    places = [
        (province, city) for _region, provinces in vocab.REGIONS for province, cities in provinces.items()
        for city, _area, _districts in cities
    ]  # fmt: skip
    industries = list(vocab.TRADES)
    labels = {i: str(i.label) for i in Industry}
    phones: list[str] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.002:
            yield [None] * len(HEADER)
            continue
        surname = rng.choice(vocab.SURNAMES)[0]
        name = surname + rng.choice(vocab.GIVEN_NAMES)[0]
        province, city = rng.choice(places)
        industry = rng.choice(industries)
        trade = rng.choice(vocab.TRADES[industry])[0]
        brand = rng.choice(vocab.BRAND_FIRST)[0] + rng.choice(vocab.BRAND_SECOND)[0]
        company = f"{city}{brand}{trade}{rng.choice(vocab.COMPANY_SUFFIXES)}" if rng.random() < 0.85 else ""
        if phones and rng.random() < 0.03:
            digits = rng.choice(phones)  # the same person again, or a colleague sharing a number
        else:
            digits = f"{rng.choice(vocab.MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
            phones.append(digits)
        style = rng.random()
        phone = (
            digits
            if style < 0.6
            else f"{digits[:3]} {digits[3:7]} {digits[7:]}"
            if style < 0.8
            else f"+86 {digits[:3]}-{digits[3:7]}-{digits[7:]}"
        )
        email = f"{rng.randrange(10**6, 10**10)}@{rng.choice(vocab.PERSONAL_MAIL_DOMAINS)}"
        email = email if rng.random() < 0.5 else ""
        if not bad:
            pass
        elif 0.002 <= roll < 0.006:
            phone = phone[:-4]  # too short
        elif 0.006 <= roll < 0.009:
            email, phone = "someone@", ""
        elif 0.009 <= roll < 0.012:
            name = company = ""
        yield [
            name,
            company,
            rng.choice(vocab.CONTACT_TITLES),
            phone,
            email,
            province,
            city,
            labels[industry] if rng.random() < 0.9 else "",
            rng.choice(SOURCES),
            rng.choice(vocab.REMARKS),
        ]


def write_files(count: int, seed: int, bad: bool = True, inline: bool = False) -> tuple[Path, Path]:
    """var/bench-import-<count>-<seed>….xlsx and .csv, made once.

    The workbook is written as Excel and WPS save theirs (shared strings, the sheet's size in
    <dimension>); `inline` writes it as openpyxl's write-only mode and many exporters do (inline
    strings, no size), which reads about 40 % slower. The CSV is UTF-8 with a BOM, as Excel's “CSV UTF-8”.
    """
    from openpyxl import Workbook

    stem = f"bench-import-{count}-{seed}{'' if bad else '-clean'}"
    xlsx = VAR_DIR / f"{stem}{'-inline' if inline else ''}.xlsx"
    csv_path = VAR_DIR / f"{stem}.csv"
    if not xlsx.exists():
        started = time.perf_counter()
        workbook = Workbook(write_only=inline)
        sheet = workbook.create_sheet("线索") if inline else workbook.active
        sheet.append(HEADER)
        for values in _rows(count, seed, bad):
            sheet.append(values)
        workbook.save(xlsx)
        print(f"wrote {xlsx} in {time.perf_counter() - started:.1f} s")
    if not csv_path.exists():
        with csv_path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(HEADER)
            writer.writerows(["" if v is None else v for v in values] for values in _rows(count, seed, bad))
        print(f"wrote {csv_path}")
    return xlsx, csv_path


def setup_org():
    """An importer (Sales manager) and eight reps behind an active round-robin rule, made once."""
    from kehu.leads.models import AssignmentRule, RuleMember
    from kehu.org.models import Department, User
    from kehu.org.roles import roles_ensure_standard

    roles = roles_ensure_standard()
    department, _created = Department.objects.get_or_create(name="导入测试部")

    def user(username: str, role: str) -> User:
        found = User.objects.filter(username=username).first()
        if found is None:
            found = User.objects.create_user(username=username, password="bench-password", email="")
        found.department, found.role, found.email = department, roles[role], ""
        found.save()
        return found

    importer = user("import-manager", "Sales manager")
    reps = [user(f"import-rep{i}", "Sales rep") for i in range(1, 9)]
    rule, created = AssignmentRule.objects.get_or_create(
        name="导入测试 round robin", defaults={"is_active": True, "sla_hours": 24}
    )
    if created:
        RuleMember.objects.bulk_create([RuleMember(rule=rule, user=rep) for rep in reps])
    return importer


def wipe_leads() -> None:
    """Empty the tables an import writes, so that every run starts from the same state."""
    from django.db import connection

    tables = [
        "leads_leadimporterror",
        "leads_leadassignment",
        "notifications_notification",
        "core_activity",
        "leads_lead",
        "leads_leadimport",
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    from kehu.leads.models import AssignmentRule

    AssignmentRule.objects.update(state={})


def import_file(path: Path, importer, *, mode: str, profile: bool) -> dict:
    from django.core.files import File
    from huey.contrib.djhuey import HUEY

    from kehu.leads import imports
    from kehu.leads.models import Lead, LeadImport

    wipe_leads()
    started = time.perf_counter()
    with path.open("rb") as stream:
        job = imports.import_upload(actor=importer, file=File(stream, name=path.name), mode=mode)
    uploaded = time.perf_counter()
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    # Start as the page does; huey in immediate mode runs the task in this process as the commit happens
    # (and nothing lands in the development queue).
    HUEY.immediate = True
    try:
        imports.import_start(actor=importer, job=job, mapping=job.mapping, mode=mode)
    finally:
        HUEY.immediate = False
    if profiler:
        profiler.disable()
    finished = time.perf_counter()
    job = LeadImport.objects.get(pk=job.pk)
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    total = finished - started
    return {
        "file": path.name,
        "mode": mode,
        "status": job.status,
        "rows": job.processed_rows,
        "created": job.created_count,
        "duplicates": job.duplicate_count,
        "errors": job.error_count,
        "assigned": Lead.objects.filter(owner__isnull=False).count(),
        "upload_seconds": uploaded - started,
        "run_seconds": finished - uploaded,
        "total_seconds": total,
        "rows_per_second": job.processed_rows / total if total else 0.0,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.import_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: DATABASE_URL, else var/bench-import.sqlite3")
    parser.add_argument("--sqlite-path", help="a SQLite file (instead of var/bench-import.sqlite3)")
    parser.add_argument("--format", choices=["xlsx", "csv", "both"], default="both")
    parser.add_argument("--mode", choices=["skip", "all"], default="skip")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--no-bad-rows", action="store_true", help="a file without bad rows (for --mode all)")
    parser.add_argument(
        "--inline-strings", action="store_true", help="a workbook as write-only exporters make"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the run and print the top functions")
    args = parser.parse_args(argv)
    configure(scale="import", database_url=args.database_url, sqlite_path=args.sqlite_path)

    from django.core.management import call_command

    print(f"database: {describe()}")
    call_command("migrate", verbosity=0)
    importer = setup_org()
    xlsx, csv_path = write_files(args.rows, args.seed, bad=not args.no_bad_rows, inline=args.inline_strings)
    paths = {"xlsx": [xlsx], "csv": [csv_path], "both": [xlsx, csv_path]}[args.format]
    results = [import_file(p, importer, mode=args.mode, profile=args.profile) for p in paths]
    print()
    print("| file | mode | rows | created | duplicates | errors | upload s | run s | total s | rows/s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['file']} | {r['mode']} | {r['rows']:,} | {r['created']:,} | {r['duplicates']:,} | "
            f"{r['errors']:,} | {r['upload_seconds']:.1f} | {r['run_seconds']:.1f} | "
            f"{r['total_seconds']:.1f} | {r['rows_per_second']:,.0f} |"
        )
    slow = [r for r in results if r["total_seconds"] > BUDGET_SECONDS * args.rows / 100_000]
    if slow:
        print(f"over budget ({BUDGET_SECONDS} s per 100,000 rows): {', '.join(r['file'] for r in slow)}")
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
