"""Generate a realistic data set for the benchmark with bulk inserts.

    python -m bench.generate --scale M                     # SQLite file var/bench-m.sqlite3
    python -m bench.generate --scale M --database-url postgres://postgres@127.0.0.1:5432/kehu_bench
    python -m bench.generate --scale L --reset             # wipe customers, leads and the org first
    python -m bench.generate --scale M --only sales        # add contracts, payments, orders to a data set
    python -m bench.generate --scale M --sales-scale L --only sales --reset --sqlite-path var/x.sqlite3

Rows go in through executemany (SQLite) or COPY (PostgreSQL), never through services or save(); the
few org rows (departments, roles, users, assignment rules) use the ORM. A fixed seed makes the data set
the same every run, apart from the timestamps, which are spread over the three years (leads: the year)
before today.
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import itertools
import json
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.db import configure, describe

DEFAULT_SEED = 20260101
CHUNK = 20_000  # customers generated and written per round
YEAR = 365 * 86400


@dataclass(frozen=True)
class Scale:
    name: str
    customers: int
    regions: int
    teams_per_region: int
    reps: int
    leads: int
    orders: int = 0  # sales orders; contracts are a tenth as many (bench/sales_gen.py)

    @property
    def contracts(self) -> int:
        return self.orders // 10

    @property
    def departments(self) -> int:
        return 1 + self.regions * (1 + self.teams_per_region)

    @property
    def users(self) -> int:
        # admin + director + ops + one manager per region + one team lead per team + reps
        return 3 + self.regions + self.regions * self.teams_per_region + self.reps


SCALES = {
    # smoke test
    "XS": Scale("XS", customers=200, regions=2, teams_per_region=1, reps=4, leads=100, orders=2_000),
    "S": Scale("S", customers=10_000, regions=2, teams_per_region=2, reps=10, leads=5_000, orders=10_000),
    "M": Scale("M", customers=100_000, regions=4, teams_per_region=2, reps=20, leads=50_000, orders=100_000),
    # 50 departments, 501 users
    "L": Scale(
        "L", customers=1_000_000, regions=7, teams_per_region=6, reps=449, leads=500_000, orders=1_000_000
    ),
}

# Contacts per customer: companies 0–4 (mean 2.2), persons 0–2 (mean 0.9); about 2 over all.
COMPANY_CONTACTS = [0.08, 0.22, 0.30, 0.22, 0.18]
PERSON_CONTACTS = [0.30, 0.50, 0.20]
TAGS_PER_CUSTOMER = [0.45, 0.33, 0.15, 0.07]


@dataclass
class OrgInfo:
    department_region: dict[int, int]  # department id -> region index
    owners: list[int]  # user ids that own customers
    owner_weights: list[float]
    owner_department: dict[int, int]
    owner_name: dict[int, str]
    managers: list[int]
    usernames: dict[str, int]
    rep_weights: dict[int, float]  # rep id -> how big a share of the work they take (ids in order)


@dataclass
class Result:
    scale: str
    vendor: str
    rows: dict[str, int] = field(default_factory=dict)
    insert_seconds: float = 0.0
    analyze_seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.insert_seconds if self.insert_seconds else 0.0


# Database plumbing ---------------------------------------------------------------------------------------


WIPED_APPS = {"customers", "org", "core", "leads", "notifications", "followups", "pool"}


def _wipe_models() -> list[type]:
    """Models of the customers, org, core, leads and notifications apps, and every model pointing at one."""
    from django.apps import apps

    chosen = {
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in WIPED_APPS or m._meta.label in {"admin.LogEntry"}
    }
    chosen |= {m for m in apps.get_models() if m._meta.label == "sessions.Session"}
    return [m for m in with_dependents(chosen) if m._meta.managed and not m._meta.proxy]


def with_dependents(models: set[type]) -> set[type]:
    """`models` and every (managed, concrete) model that points at one of them, transitively."""
    from django.apps import apps

    chosen = set(models)
    grew = True
    while grew:
        grew = False
        for model in apps.get_models(include_auto_created=True):
            if model in chosen or not model._meta.managed or model._meta.proxy:
                continue
            if any(f.is_relation and f.related_model in chosen for f in model._meta.concrete_fields):
                chosen.add(model)
                grew = True
    return chosen


def is_empty() -> bool:
    from kehu.customers.models import Contact, Customer
    from kehu.leads.models import Lead
    from kehu.org.models import Department, User

    return not any(m.objects.exists() for m in (Customer, Contact, Lead, Department, User))


def wipe() -> None:
    """Delete every customer, contact, lead (with rules, imports, web forms), activity, notification, tag,
    user, role and department (one transaction)."""
    from django.db import connection, transaction

    models = _wipe_models()
    tables = sorted({m._meta.db_table for m in models})
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(t) for t in tables)
        with transaction.atomic(), connection.cursor() as cursor:
            # rows written earlier in this transaction (a test's) still owe their deferred foreign-key
            # checks, which TRUNCATE refuses to skip: run them now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return
    # SQLite checks the (deferred) foreign keys at commit, when every table is empty again; the indexes
    # stay, for those checks. Without the triggers (FTS upkeep) a DELETE of every row is a quick truncate.
    with transaction.atomic(), indexes_deferred(models, keep_indexes=True), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
        placeholders = ", ".join(["%s"] * len(tables))
        cursor.execute(f"DELETE FROM sqlite_sequence WHERE name IN ({placeholders})", tables)


class Table:
    """Bulk writer for one model's table: the generator gives some columns, the others get their default."""

    def __init__(self, model: type, columns: Sequence[str]) -> None:
        from django.db import connection

        self.model = model
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{model._meta.label} has no columns {sorted(unknown)}")
        self.extra = [f for name, f in fields.items() if name not in columns]
        self.extra_values = tuple(f.get_db_prep_save(f.get_default(), connection) for f in self.extra)
        names = [fields[c].column for c in columns] + [f.column for f in self.extra]
        self.table = model._meta.db_table
        self.column_sql = ", ".join(connection.ops.quote_name(n) for n in names)
        self.width = len(names)
        self.count = 0

    def write(self, rows: list[tuple]) -> None:
        from django.db import connection

        if not rows:
            return
        if self.extra_values:
            rows = [r + self.extra_values for r in rows]
        raw = connection.connection
        if connection.vendor == "postgresql":
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {self.table} ({self.column_sql}) FROM STDIN") as cp,
            ):
                for row in rows:
                    cp.write_row(row)
        else:
            marks = ", ".join(["?"] * self.width)
            raw.executemany(f'INSERT INTO "{self.table}" ({self.column_sql}) VALUES ({marks})', rows)
        self.count += len(rows)

    def next_id(self) -> int:
        from django.db.models import Max

        return (self.model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _collation_rank(names: Iterable[str]) -> dict[str, int]:
    """Each name's position in the database's own ORDER BY name, as the search-text refresh sorts contacts."""
    from django.db import connection

    unique = sorted(set(names))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT n FROM unnest(%s::text[]) AS t(n) ORDER BY n", [unique])
            unique = [row[0] for row in cursor.fetchall()]
    # SQLite's BINARY collation compares UTF-8 bytes, which is Python's code point order.
    return {name: i for i, name in enumerate(unique)}


@contextmanager
def indexes_deferred(models: Sequence[type], *, keep_indexes: bool = False) -> Iterator[None]:
    """Drop the secondary indexes (and, on SQLite, triggers) of these tables for the load; rebuild after.

    Building an index over a full table is several times faster than growing it row by row. Indexes that
    back a constraint stay (primary keys; on Postgres also unique constraints). On SQLite the triggers
    that keep FTS5 tables in step with these tables are dropped as well, and the FTS tables rebuilt.
    With keep_indexes (SQLite) only the triggers go: a wipe needs the indexes for its foreign-key checks.
    """
    from django.db import connection

    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                  AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass
                  )
                """,
                [tables],
            )
            drops = [(f"DROP INDEX {connection.ops.quote_name(n)}", sql) for n, sql in cursor.fetchall()]
            fts: list[str] = []
        else:
            marks = ", ".join(["%s"] * len(tables))
            kinds = "'trigger'" if keep_indexes else "'index', 'trigger'"
            cursor.execute(
                f"SELECT type, name, sql FROM sqlite_master WHERE type IN ({kinds}) "
                f"AND sql IS NOT NULL AND tbl_name IN ({marks})",
                tables,
            )
            drops = [(f'DROP {kind.upper()} "{name}"', sql) for kind, name, sql in cursor.fetchall()]
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE '%%fts5%%'")
            fts = [
                name
                for name, sql in cursor.fetchall()
                if (m := re.search(r"content\s*=\s*['\"]?(\w+)", sql)) and m.group(1) in tables
            ]
        for drop, _create in drops:
            cursor.execute(drop)
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the deferred foreign keys now
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _drop, create in drops:
            cursor.execute(create)
        for name in fts:
            cursor.execute(f'INSERT INTO "{name}"("{name}") VALUES (\'rebuild\')')


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            tables = sorted({m._meta.db_table for m in _wipe_models()})
            cursor.execute("VACUUM ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        else:
            cursor.execute("ANALYZE")
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA optimize")


# The organisation ----------------------------------------------------------------------------------------


def build_org(scale: Scale, rng: random.Random) -> OrgInfo:
    """Company → regions → teams; admin, director, a sales manager per region, a team lead per team, reps."""
    from django.contrib.auth.hashers import make_password

    from bench import vocab
    from kehu.org.models import Department, User
    from kehu.org.roles import roles_ensure_standard

    roles = roles_ensure_standard()
    company = Department.objects.create(name="客户科技有限公司")
    sales = company  # the company node is the root of the sales tree
    regions, teams = [], []
    for r in range(scale.regions):
        region_name, provinces = vocab.REGIONS[r % len(vocab.REGIONS)]
        region = Department.objects.create(name=region_name, parent=sales, sort_order=r)
        regions.append(region)
        cities = [c[0] for cs in provinces.values() for c in cs]
        for t in range(scale.teams_per_region):
            city = cities[t % len(cities)]
            suffix = vocab.TEAM_SUFFIXES[(t // len(cities)) % len(vocab.TEAM_SUFFIXES)]
            team = Department.objects.create(name=f"{city}{suffix}", parent=region, sort_order=t)
            teams.append((f"{r + 1}-{t + 1}", r, team))

    password = make_password("bench-password")  # one hash for everyone: Argon2 is slow on purpose
    used: set[str] = set()

    def person() -> str:
        while True:
            name = _chinese_name(rng)
            if name not in used:
                used.add(name)
                return name

    def user(username: str, department: Any, role: str | None, **extra: Any) -> User:
        return User(
            username=username,
            password=password,
            display_name=person(),
            email=f"{username}@kehu.example",
            department=department,
            role=roles[role] if role else None,
            **extra,
        )

    users = [
        user("admin", company, None, is_superuser=True, is_staff=True),
        user("director", company, "Sales director"),
    ]
    users += [user(f"manager{r + 1}", region, "Sales manager") for r, region in enumerate(regions)]
    users += [user(f"lead{key}", team, "Team lead") for key, _r, team in teams]
    reps = [user(f"rep{n + 1:03d}", teams[n % len(teams)][2], "Sales rep") for n in range(scale.reps)]
    users += reps
    # Sales operations: captures and imports leads, keeps the assignment rules. A fixed name, so that the
    # random stream (and with it every customer) stays what it was before this user existed.
    users.append(
        User(
            username="ops",
            password=password,
            display_name="钱晓雯",
            email="ops@kehu.example",
            department=company,
            role=roles["Sales operations"],
        )
    )
    User.objects.bulk_create(users)
    by_name = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    for r, region in enumerate(regions):
        Department.objects.filter(pk=region.pk).update(manager=by_name[f"manager{r + 1}"])
    for key, _r, team in teams:
        Department.objects.filter(pk=team.pk).update(manager=by_name[f"lead{key}"])
    Department.objects.filter(pk=company.pk).update(manager=by_name["director"])

    region_of = {company.pk: 0} | {d.pk: r for r, d in enumerate(regions)} | {d.pk: r for _k, r, d in teams}
    owners, weights = [], []
    rep_weights = {}
    for u in by_name.values():
        if u.username.startswith("rep"):
            weight = rng.uniform(0.4, 1.6)  # some reps carry much bigger books than others
            rep_weights[u.pk] = weight
        elif u.username.startswith("lead"):
            weight = 0.5
        elif u.username.startswith("manager"):
            weight = 0.1
        else:
            continue
        owners.append(u.pk)
        weights.append(weight)
    return OrgInfo(
        department_region=region_of,
        owners=owners,
        owner_weights=list(itertools.accumulate(weights)),
        owner_department={u.pk: u.department_id for u in by_name.values()},
        owner_name={u.pk: str(u) for u in by_name.values()},
        managers=[by_name[f"manager{r + 1}"].pk for r in range(len(regions))],
        usernames={name: u.pk for name, u in by_name.items()},
        rep_weights=dict(sorted(rep_weights.items())),
    )


# Random values -------------------------------------------------------------------------------------------


def _weighted(rng: random.Random, cum: Sequence[float]) -> int:
    return bisect.bisect(cum, rng.random() * cum[-1])


def _cum(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _chinese_name(rng: random.Random) -> str:
    from bench import vocab

    surname = vocab.SURNAMES[_weighted(rng, _SURNAME_CUM)][0]
    return surname + rng.choice(vocab.GIVEN_NAMES)[0]


def _mobile(rng: random.Random) -> str:
    from bench import vocab

    return f"+86{rng.choice(vocab.MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def _landline(rng: random.Random, area: str) -> str:
    """A fixed-line number that phonenumbers accepts: local numbers have 7 or 8 digits, by city and range."""
    from phonenumbers import PhoneNumber, is_valid_number

    for _ in range(50):
        digits = 8 if len(area) == 2 or rng.random() < 0.6 else 7
        national = f"{area}{rng.randrange(2, 10)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
        if is_valid_number(PhoneNumber(country_code=86, national_number=int(national))):
            return f"+86{national}"
    raise ValueError(f"no valid number found for area code {area}")


def _credit_code(rng: random.Random, division: str, government: bool) -> str:
    from kehu.customers.validators import CREDIT_CODE_CHARS, credit_code_check_char

    head = ("11" if government else "91") + division
    body = "".join(rng.choice(CREDIT_CODE_CHARS) for _ in range(9))
    return head + body + credit_code_check_char(head + body)


def _init_cum() -> None:
    global _SURNAME_CUM
    from bench import vocab

    _SURNAME_CUM = _cum(w for _s, _p, w in vocab.SURNAMES)


_SURNAME_CUM: list[float] = []


# The generator -------------------------------------------------------------------------------------------


class Generator:
    """Builds customers with their contacts, tags and timeline, chunk by chunk."""

    def __init__(self, scale: Scale, org: OrgInfo, rng: random.Random, now: datetime) -> None:
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection

        from bench import vocab
        from kehu.core.activity import Activity
        from kehu.customers import choices
        from kehu.customers.models import Contact, Customer, Tag
        from kehu.customers.validators import normalize_company_name, search_key

        self.scale, self.org, self.rng, self.vocab, self.choices = scale, org, rng, vocab, choices
        self.search_key = search_key
        self.name_key = normalize_company_name
        self.now = now.timestamp()
        self.pg = connection.vendor == "postgresql"
        self.customer_type = ContentType.objects.get_for_model(Customer).pk
        self.customers = Table(
            Customer,
            [
                "id", "created_at", "updated_at", "owner_id", "department_id", "deleted_at", "kind",
                "name", "status", "intent_level", "level", "focus_points", "purchase_motivation",
                "estimated_value", "currency", "industry", "size", "source", "province", "city",
                "district", "address", "phone", "email", "website", "credit_code", "birthday", "remark",
                "search_text", "name_key", "received_at", "last_followup_at", "next_followup_at", "pool_id",
                "pooled_at",
            ],
        )  # fmt: skip
        self.contacts = Table(
            Contact,
            [
                "id", "created_at", "updated_at", "customer_id", "name", "title", "mobile", "phone",
                "email", "wechat", "birthday", "is_primary", "remark", "deleted_at",
            ],
        )  # fmt: skip
        self.tag_links = Table(Customer.tags.through, ["id", "customer_id", "tag_id"])
        self.activities = Table(
            Activity,
            ["id", "created_at", "actor_id", "verb", "subject_type_id", "subject_id", "data", "customer_id"],
        )
        Tag.objects.bulk_create([Tag(name=n, color=c) for n, c in vocab.TAGS])
        tags = dict(Tag.objects.values_list("name", "pk"))
        self.tags = [(name, tags[name]) for name, _c in vocab.TAGS]
        self.next_customer = self.customers.next_id()
        self.first_customer = self.next_customer
        self.books: dict[int, list[int]] = {}  # owner id -> ids of their living customers
        self.next_contact = self.contacts.next_id()
        self.next_link = self.tag_links.next_id()
        self.next_activity = self.activities.next_id()

        self.industries = list(vocab.INDUSTRY_WEIGHTS)
        self.industry_cum = _cum(vocab.INDUSTRY_WEIGHTS.values())
        self.statuses = [s.value for s in choices.CustomerStatus]  # potential, intent, deal, lost
        self.status_cum = _cum([40, 25, 20, 15])
        self.levels = ["A", "B", "C", "D", ""]
        self.level_cum = _cum([8, 20, 40, 20, 12])
        self.sizes = [s.value for s in choices.CompanySize]
        self.size_cum = _cum([35, 30, 20, 10, 5])
        self.sources = [s.value for s in choices.CustomerSource]
        self.source_cum = _cum([20, 15, 12, 10, 15, 8, 10, 10])
        self.company_contacts_cum = _cum(COMPANY_CONTACTS)
        self.person_contacts_cum = _cum(PERSON_CONTACTS)
        self.tags_cum = _cum(TAGS_PER_CUSTOMER)
        # Where each region's customers are: (province, city, area code, districts)
        self.places = [
            [(p, c, a, ds) for p, cities in provinces.items() for c, a, ds in cities]
            for _r, provinces in vocab.REGIONS
        ]
        self.all_places = [pl for region in self.places for pl in region]
        contact_names = {s + g for s, _p, _w in vocab.SURNAMES for g, _gp in vocab.GIVEN_NAMES}
        contact_names |= {f"{f} {la}" for f in vocab.ENGLISH_FIRST for la in vocab.ENGLISH_LAST}
        self.name_rank = _collation_rank(contact_names)

    # timestamps -----------------------------------------------------------------------------------------

    def ts(self, epoch: float) -> str:
        """A timestamp as Django stores it: naive UTC text on SQLite, ISO with offset for COPY on Postgres."""
        value = datetime.fromtimestamp(epoch, UTC)
        return value.isoformat() if self.pg else str(value.replace(tzinfo=None))

    def created_times(self) -> list[float]:
        """Creation times over three years, more of them recently (the book grows), in id order."""
        rng, n = self.rng, self.scale.customers
        span = 3 * YEAR
        return sorted(self.now - span * (rng.random() ** 1.4) - 3600 for _ in range(n))

    # one customer ---------------------------------------------------------------------------------------

    def company(self, place: tuple, industry: str) -> tuple[str, str, str, str, str]:
        """(name, email, website, credit code, phone) of a company in a city."""
        rng, v = self.rng, self.vocab
        province, city, area, _districts = place
        government = industry == self.choices.Industry.GOVERNMENT
        if rng.random() < 0.08 and not government:
            brand = rng.choice(v.ENGLISH_BRANDS)
            trade = rng.choice(v.ENGLISH_TRADES)
            name = f"{brand} {trade} {rng.choice(v.ENGLISH_SUFFIXES)}"
            domain = f"{brand.lower()}{trade.lower()}.com"
        else:
            trade, trade_en = rng.choice(v.TRADES[industry])
            if government:
                name = f"{city}市{trade}"
                domain = f"{trade_en}.{_pinyin_city(city)}.gov.cn"
            else:
                (b1, p1), (b2, p2) = rng.choice(v.BRAND_FIRST), rng.choice(v.BRAND_SECOND)
                while b2 == b1:
                    b2, p2 = rng.choice(v.BRAND_SECOND)
                brand, suffix = b1 + b2, rng.choice(v.COMPANY_SUFFIXES)
                form = rng.random()
                if form < 0.55:
                    name = f"{city}{brand}{trade}{suffix}"
                elif form < 0.80:
                    name = f"{brand}{trade}{suffix}"
                elif form < 0.90:
                    name = f"{brand}{trade}（{city}）{suffix}"
                else:
                    name = f"{province}{brand}{trade}{suffix}"
                domain = f"{p1}{p2}{trade_en}.{rng.choice(['com', 'cn', 'com.cn'])}"
        email = (
            f"{rng.choice(['info', 'sales', 'contact', 'service', 'hr'])}@{domain}"
            if rng.random() < 0.6
            else ""
        )
        website = f"https://www.{domain}" if rng.random() < 0.4 else ""
        credit = _credit_code(rng, v.DIVISION_CODES[city], government) if rng.random() < 0.8 else ""
        r = rng.random()
        phone = _landline(rng, area) if r < 0.5 else _mobile(rng) if r < 0.9 else ""
        return name, email, website, credit, phone

    def person_name(self, english: bool) -> tuple[str, str]:
        """(name, e-mail local part)"""
        rng, v = self.rng, self.vocab
        if english:
            first, last = rng.choice(v.ENGLISH_FIRST), rng.choice(v.ENGLISH_LAST)
            return f"{first} {last}", f"{first}.{last}".lower()
        surname, sp, _w = v.SURNAMES[_weighted(rng, _SURNAME_CUM)]
        given, gp = rng.choice(v.GIVEN_NAMES)
        return surname + given, f"{gp}.{sp}"

    def personal_email(self, local: str) -> str:
        rng = self.rng
        domain = rng.choice(self.vocab.PERSONAL_MAIL_DOMAINS)
        if domain == "qq.com" and rng.random() < 0.7:
            return f"{rng.randrange(10**7, 10**10)}@qq.com"
        return f"{local}{rng.randrange(100) if rng.random() < 0.5 else ''}@{domain}"

    def chunk(self, created: list[float]) -> None:
        rng, v = self.rng, self.vocab
        customers, contacts, links, activities = [], [], [], []
        person_kind, company_kind = (
            self.choices.CustomerKind.PERSON.value,
            self.choices.CustomerKind.COMPANY.value,
        )
        for created_at in created:
            cid = self.next_customer
            self.next_customer += 1
            owner = self.org.owners[_weighted(rng, self.org.owner_weights)]
            department = self.org.owner_department[owner]
            region = self.org.department_region[department] % len(self.places)
            place = rng.choice(self.places[region]) if rng.random() < 0.85 else rng.choice(self.all_places)
            province, city, area, districts = place
            updated_at = created_at + (self.now - created_at) * (rng.random() ** 0.5)
            is_person = rng.random() < 0.12
            status = self.statuses[_weighted(rng, self.status_cum)]
            english = False
            if is_person:
                english = rng.random() < 0.15
                name, local = self.person_name(english)
                phone = _mobile(rng) if rng.random() < 0.95 else ""
                email = self.personal_email(local) if rng.random() < 0.4 else ""
                website = credit = size = industry = ""
                birthday = (
                    (date(1960, 1, 1) + timedelta(days=rng.randrange(40 * 365))).isoformat()
                    if rng.random() < 0.6
                    else None
                )
                domain = ""
            else:
                industry = self.industries[_weighted(rng, self.industry_cum)]
                name, email, website, credit, phone = self.company(place, industry)
                english = name.isascii()
                size = self.sizes[_weighted(rng, self.size_cum)]
                birthday = None
                domain = email.partition("@")[2] or website.removeprefix("https://www.")
            intent = ""
            if status in ("potential", "intent"):
                intent = rng.choice(["high", "medium", "medium", "low", ""])
            elif status == "deal":
                intent = rng.choice(["high", ""])
            value = f"{int(rng.lognormvariate(11.5, 1.2)) // 1000 * 1000}.00" if rng.random() < 0.7 else None
            deleted_at = updated_at if rng.random() < 0.005 else None
            if deleted_at is None:
                self.books.setdefault(owner, []).append(cid)
            district = rng.choice(districts)
            address = f"{district}{rng.choice(v.ROADS)}{rng.randrange(1, 999)}号"
            if rng.random() < 0.5:
                address += f"{rng.randrange(1, 30)}楼"

            # contacts, in the order customer_refresh_search_text reads them: primary first, then by name
            n_contacts = _weighted(rng, self.person_contacts_cum if is_person else self.company_contacts_cum)
            mine = []
            for i in range(n_contacts):
                ct_id = self.next_contact
                self.next_contact += 1
                ct_english = english if rng.random() < 0.9 else not english
                ct_name, local = self.person_name(ct_english)
                ct_created = created_at if i == 0 else rng.uniform(created_at, updated_at)
                ct_deleted = rng.uniform(ct_created, updated_at) if rng.random() < 0.01 else None
                mobile = _mobile(rng) if rng.random() < 0.9 else ""
                landline = _landline(rng, area) if rng.random() < 0.25 else ""
                if rng.random() < 0.5:
                    ct_email = f"{local}@{domain}" if domain else self.personal_email(local)
                else:
                    ct_email = ""
                wechat = (
                    f"wxid_{rng.randrange(36**10):x}"
                    if rng.random() < 0.5
                    else f"{local}{rng.randrange(1000)}"
                )
                is_primary = i == 0 and ct_deleted is None
                ct_birthday = (
                    (date(1965, 1, 1) + timedelta(days=rng.randrange(35 * 365))).isoformat()
                    if rng.random() < 0.2
                    else None
                )
                contacts.append(
                    (
                        ct_id, self.ts(ct_created), self.ts(ct_deleted or ct_created), cid, ct_name,
                        rng.choice(v.CONTACT_TITLES), mobile, landline, ct_email,
                        wechat if rng.random() < 0.4 else "", ct_birthday, is_primary, "",
                        self.ts(ct_deleted) if ct_deleted else None,
                    )
                )  # fmt: skip
                mine.append((ct_id, ct_name, mobile, landline, ct_email, is_primary, ct_deleted, ct_created))
            alive = sorted(
                (m for m in mine if m[6] is None), key=lambda m: (not m[5], self.name_rank[m[1]], m[0])
            )
            search_text = self.search_key(
                name, phone, email, credit, *(part for m in alive for part in (m[1], m[2], m[3], m[4]))
            )

            n_tags = _weighted(rng, self.tags_cum)
            tag_names = []
            for tag_name, tag_id in rng.sample(self.tags, n_tags):
                links.append((self.next_link, cid, tag_id))
                self.next_link += 1
                tag_names.append(tag_name)

            # drawn in the order the customer row always drew them, so the data set stays the same
            level = self.levels[_weighted(rng, self.level_cum)]
            focus, motivation = rng.choice(v.FOCUS_POINTS), rng.choice(v.MOTIVATIONS)
            source, remark = self.sources[_weighted(rng, self.source_cum)], rng.choice(v.REMARKS)
            events, received_at = self.timeline(
                cid, name, owner, status, created_at, updated_at, deleted_at, mine, tag_names
            )
            pooled = self.pools.chooses(status, deleted_at)
            last, due, followed = self.followups.customer(
                cid, owner, status, received_at, deleted_at, [m[0] for m in mine if m[6] is None],
                may_plan=not pooled,
            )  # fmt: skip
            activities.extend(events)
            activities.extend(followed)
            holder, team, received, pool_id, pooled_at = owner, department, received_at, None, None
            if pooled:
                pool_id, pooled_at, entry = self.pools.place(cid, owner, level, last, received_at)
                activities.append(entry)
                holder = team = received = None
                self.books[owner].pop()  # the last one added: this customer
            elif deleted_at is None:
                activities.extend(self.opportunities.customer(cid, name, owner, department, received_at))
            customers.append(
                (
                    cid, self.ts(created_at), self.ts(updated_at), holder, team,
                    self.ts(deleted_at) if deleted_at else None, person_kind if is_person else company_kind,
                    name, status, intent, level, focus, motivation, value, "CNY", industry, size, source,
                    province, city, district, address, phone, email, website, credit, birthday, remark,
                    search_text,
                    "" if is_person else self.name_key(name), self.ts(received) if received else None,
                    self.ts(last) if last else None, self.ts(due) if due else None, pool_id,
                    self.ts(pooled_at) if pooled_at else None,
                )
            )  # fmt: skip
        self.customers.write(customers)
        self.contacts.write(contacts)
        self.tag_links.write(links)
        self.activities.write(activities)
        self.followups.flush()
        self.pools.flush()
        self.opportunities.flush()

    def timeline(
        self,
        cid: int,
        name: str,
        owner: int,
        status: str,
        created_at: float,
        updated_at: float,
        deleted_at: float | None,
        contacts: list[tuple],
        tag_names: list[str],
    ) -> tuple[list[tuple], float]:
        """What the services would have recorded: creation, contacts, a few edits, maybe a transfer; and
        when the owner received the customer."""
        rng, org = self.rng, self.org
        creator = owner
        received_at = created_at
        events: list[tuple[float, int | None, str, dict]] = []
        if rng.random() < 0.08:  # received from a colleague who left or moved
            creator = org.owners[_weighted(rng, org.owner_weights)]
            received_at = rng.uniform(created_at, updated_at)
            events.append(
                (
                    received_at,
                    rng.choice(org.managers),
                    "customer.transferred",
                    {"from": org.owner_name[creator], "to": org.owner_name[owner],
                     "reason": rng.choice(self.vocab.REASONS)},
                )
            )  # fmt: skip
        events.append(
            (created_at, creator, "customer.created", {"name": name, "owner": org.owner_name[creator]})
        )
        for ct_id, ct_name, *_rest, ct_deleted, ct_created in contacts:
            events.append((ct_created, owner, "contact.created", {"contact_id": ct_id, "name": ct_name}))
            if ct_deleted:
                events.append((ct_deleted, owner, "contact.deleted", {"contact_id": ct_id, "name": ct_name}))
        if tag_names:
            events.append(
                (
                    rng.uniform(created_at, updated_at), owner, "customer.tagged",
                    {"changes": {"tags": ["", ", ".join(sorted(tag_names))]}},
                )
            )  # fmt: skip
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            changes = (
                {"status": ["potential", status]}
                if status != "potential" and rng.random() < 0.5
                else {"level": [rng.choice("BCD"), rng.choice("ABC")]}
            )
            events.append(
                (rng.uniform(created_at, updated_at), owner, "customer.updated", {"changes": changes})
            )
        events.append((updated_at, owner, "customer.updated", {"changes": {"remark": ["", "已电话沟通"]}}))
        if deleted_at:
            events.append((deleted_at, owner, "customer.deleted", {"name": name}))
        rows = []
        for when, actor, verb, data in events:
            rows.append(
                (
                    self.next_activity,
                    self.ts(when),
                    actor,
                    verb,
                    self.customer_type,
                    cid,
                    json.dumps(data),
                    cid,
                )
            )
            self.next_activity += 1
        return rows, received_at


# Leads ---------------------------------------------------------------------------------------------------

DAY = 86400
LEAD_CHANNELS = {"web_form": 35, "api": 25, "import": 25, "manual": 15}
POOL_SHARE = 0.05  # arrived while the catch-all rule was switched off: nobody owns them, status new
CUSTOMER_DUPLICATES = 0.02  # a customer we already have (same phone, e-mail, company name or credit code)
LEAD_DUPLICATES = 0.01  # a repeated enquiry: same phone or e-mail as an earlier lead
IMPORT_ROWS = 400  # leads per import file, about


class LeadMaker:
    """The fields of a new lead as a web form, an API client or a spreadsheet sends them: a contact person,
    usually a company, a way to reach them, where they are and where they came from.

    With `unique` every phone, e-mail, credit code and company-name key differs from those made before, and
    company names have three-character brands, which the customers (two characters) never have: a lead is
    a duplicate only when the generator makes it one. The benchmark runner makes its intake requests here.
    """

    def __init__(self, rng: random.Random, *, unique: bool = True) -> None:
        from bench import vocab
        from kehu.customers.choices import Industry
        from kehu.customers.validators import normalize_company_name

        self.rng, self.v = rng, vocab
        self.normalize = normalize_company_name
        self.places = [
            (province, city, area)
            for _r, provinces in vocab.REGIONS
            for province, cities in provinces.items()
            for city, area, _districts in cities
        ]
        self.sources = list(vocab.LEAD_SOURCES)
        self.source_cum = _cum(vocab.LEAD_SOURCES.values())
        weights = {k: w for k, w in vocab.INDUSTRY_WEIGHTS.items() if k != Industry.GOVERNMENT}
        self.industries = [str(k) for k in weights]
        self.industry_cum = _cum(weights.values())
        self.taken: set[str] | None = set() if unique else None

    def fields(self) -> dict[str, str]:
        """Every field of LeadIn except `extra`, as cleaned text ("" when not given)."""
        for _ in range(50):
            data = self._fields()
            keys = [data["phone"], data["email"], data["credit_code"], self.name_key(data["company_name"])]
            keys = [k for k in keys if k]
            if self.taken is None:
                return data
            if not any(k in self.taken for k in keys):
                self.taken.update(keys)
                return data
        raise RuntimeError("no fresh lead after 50 tries")

    def name_key(self, company: str) -> str:
        return self.normalize(company) if company else ""

    def _person(self) -> tuple[str, str, str]:
        """(name, given name in pinyin, surname in pinyin)"""
        rng, v = self.rng, self.v
        if rng.random() < 0.05:
            first, last = rng.choice(v.ENGLISH_FIRST), rng.choice(v.ENGLISH_LAST)
            return f"{first} {last}", first.lower(), last.lower()
        surname, sp, _w = v.SURNAMES[_weighted(rng, _SURNAME_CUM)]
        given, gp = rng.choice(v.GIVEN_NAMES)
        return surname + given, gp, sp

    def _fields(self) -> dict[str, str]:
        rng, v = self.rng, self.v
        province, city, area = rng.choice(self.places) if rng.random() < 0.88 else ("", "", "")
        source = self.sources[_weighted(rng, self.source_cum)]
        campaign = rng.choice(v.LEAD_CAMPAIGNS.get(source, [""]))
        industry = self.industries[_weighted(rng, self.industry_cum)] if rng.random() < 0.7 else ""
        name, given, surname = self._person()
        company = domain = credit = title = ""
        if rng.random() < 0.75:
            trade, trade_en = rng.choice(v.TRADES[industry or rng.choice(self.industries)])
            (b1, p1), (b2, p2), (b3, p3) = rng.sample(v.BRAND_FIRST, 1) + rng.sample(v.BRAND_SECOND, 2)
            brand, suffix = b1 + b2 + b3, rng.choice(v.COMPANY_SUFFIXES)
            home_province, home_city, _area = (province, city, area) if city else rng.choice(self.places)
            form = rng.random()
            if form < 0.7:
                company = f"{home_city}{brand}{trade}{suffix}"
            elif form < 0.85:
                company = f"{brand}{trade}（{home_city}）{suffix}"
            else:
                company = f"{home_province}{brand}{trade}{suffix}"
            domain = f"{p1}{p2}{p3}{trade_en}.{rng.choice(['com', 'cn', 'com.cn'])}"
            if rng.random() < 0.15:
                credit = _credit_code(rng, v.DIVISION_CODES[home_city], False)
            if rng.random() < 0.6:
                title = rng.choice(v.CONTACT_TITLES)
            if rng.random() < 0.08:
                name = ""  # only the company: "please call our purchasing department"
        phone = ""
        if rng.random() < 0.93:
            phone = _landline(rng, area) if company and area and rng.random() < 0.15 else _mobile(rng)
        email = ""
        if rng.random() < 0.45:
            if domain and rng.random() < 0.6:
                email = f"{given}_{surname}@{domain}"
            elif rng.random() < 0.3:
                email = f"{rng.randrange(10**8, 10**10)}@qq.com"
            else:
                email = f"{given}_{surname}{rng.randrange(10, 10000)}@{rng.choice(v.PERSONAL_MAIL_DOMAINS)}"
        wechat = ""
        if rng.random() < 0.25 or not (phone or email):
            wechat = (
                f"wxid_{rng.randrange(36**10):x}"
                if rng.random() < 0.5
                else f"{given}{surname}{rng.randrange(1000)}"
            )
        return {
            "name": name,
            "company_name": company,
            "title": title,
            "phone": phone,
            "email": email,
            "wechat": wechat,
            "credit_code": credit,
            "province": province,
            "city": city,
            "industry": industry,
            "source": source,
            "campaign": campaign,
            "remark": rng.choice(v.LEAD_REMARKS) if rng.random() < 0.25 else "",
        }


@dataclass
class RuleInfo:
    id: int
    name: str
    strategy: str
    sla_hours: int | None
    reps: list[int]
    cum: list[float]  # cumulative weights of reps: who of them gets a lead
    sources: frozenset[str] = frozenset()
    provinces: frozenset[str] = frozenset()

    def matches(self, source: str, province: str) -> bool:
        return (not self.sources or source in self.sources) and (
            not self.provinces or province in self.provinces
        )


@dataclass
class Original:
    """A lead that duplicates nothing, as a later repeated enquiry finds it."""

    id: int
    phone: str
    email: str
    company_name: str
    owner: int | None
    open: bool


class LeadGenerator:
    """Leads, their assignment log and history as `leads_create` and the reps' work would have left them.

    Three assignment rules as a real installation has them: two narrow ones (exhibition leads of the first
    region, weighted; website and advertising leads of the second region, fewest open leads first) and a
    catch-all round robin over every rep with a 48-hour SLA. A lead goes to the first rule that matches,
    and to one of its reps (weighted by how much each rep takes on); a duplicate of a customer goes to the
    customer's owner, a repeated enquiry to the owner of the earlier lead while that one is open (reason
    "duplicate", no SLA); 5 % wait in the pool. Then the reps work them: most are contacted within hours,
    some qualified and converted (to a customer of their owner's book, or to the duplicated customer),
    many closed as invalid; a few are never contacted and sit overdue.
    """

    def __init__(self, base: Generator, seed: int) -> None:
        from django.contrib.contenttypes.models import ContentType

        from bench import vocab
        from kehu.leads.models import Lead, LeadAssignment, LeadImport

        self.base, self.org, self.now, self.ts, self.v = base, base.org, base.now, base.ts, vocab
        # A stream of its own: the customers come out the same whether leads are made or not.
        self.rng = random.Random(seed * 31 + 7)
        self.maker = LeadMaker(self.rng)
        self.leads = Table(
            Lead,
            [
                "id", "created_at", "updated_at", "owner_id", "department_id", "deleted_at", "name",
                "company_name", "title", "phone", "email", "wechat", "credit_code", "province", "city",
                "industry", "source", "campaign", "remark", "extra", "channel", "status", "invalid_reason",
                "invalid_note", "name_key", "duplicate_of_id", "duplicate_customer_id", "duplicate_key",
                "rule_id", "assigned_at", "sla_due_at", "contacted_at", "converted_at", "customer_id",
                "created_by_id", "import_job_id", "search_text",
            ],
        )  # fmt: skip
        self.assignments = Table(
            LeadAssignment,
            ["id", "lead_id", "created_at", "rule_id", "strategy", "assignee_id", "previous_owner_id",
             "reason", "actor_id"],
        )  # fmt: skip
        self.imports = Table(
            LeadImport,
            ["id", "created_by_id", "created_at", "original_name", "stored_path", "file_format", "encoding",
             "header", "preview", "mapping", "mode", "source", "campaign", "status", "total_rows",
             "processed_rows", "created_count", "duplicate_count", "error_count", "message", "started_at",
             "finished_at"],
        )  # fmt: skip
        self.lead_type = ContentType.objects.get_for_model(Lead).pk
        self.next_lead = self.leads.next_id()
        self.next_assignment = self.assignments.next_id()
        self.next_import = self.imports.next_id()
        self.ops = self.org.usernames["ops"]
        self.channels = list(LEAD_CHANNELS)
        self.channel_cum = _cum(LEAD_CHANNELS.values())
        self.invalid_reasons = list(vocab.INVALID_REASONS)
        self.invalid_cum = _cum(vocab.INVALID_REASONS.values())
        reps = list(self.org.rep_weights)
        self.all_reps_cum = _cum(self.org.rep_weights.values())
        self.all_reps = reps
        self.rules = self.create_rules()
        self.originals: list[Original] = []  # recent leads a repeated enquiry may duplicate
        self.customer_pool: list[tuple] = []
        # imports: (id, time, counts) filled as their leads are made
        self.import_times: list[float] = []
        self.import_counts: list[list[int]] = []
        self.import_ids: list[int] = []

    # set-up ---------------------------------------------------------------------------------------------

    def create_rules(self) -> list[RuleInfo]:
        from kehu.leads.choices import AssignmentStrategy, Fallback
        from kehu.leads.models import AssignmentRule, RuleMember

        org, rng, v = self.org, self.rng, self.v
        region_of = {rep: org.department_region[org.owner_department[rep]] for rep in self.all_reps}
        regions = sorted(set(org.department_region.values()))
        first, second = regions[0], regions[1] if len(regions) > 1 else regions[0]

        def reps_of(region: int) -> list[int]:
            return [rep for rep in self.all_reps if region_of[rep] == region]

        def provinces(region: int) -> list[str]:
            return list(v.REGIONS[region % len(v.REGIONS)][1])

        def region_name(region: int) -> str:
            return v.REGIONS[region % len(v.REGIONS)][0]

        infos = []
        east_reps = reps_of(first)
        east = AssignmentRule.objects.create(
            name=f"{region_name(first)}展会线索",
            position=10,
            is_active=True,
            match_sources=["exhibition"],
            match_provinces=provinces(first),
            strategy=AssignmentStrategy.WEIGHTED,
            daily_cap=30,
            sla_hours=24,
            fallback=Fallback.USER,
            fallback_user_id=org.managers[0],
        )
        weights = {rep: rng.choice([1, 1, 2, 3]) for rep in east_reps}
        RuleMember.objects.bulk_create(
            [RuleMember(rule=east, user_id=r, weight=w) for r, w in weights.items()]
        )
        if east_reps:
            infos.append(
                RuleInfo(east.pk, east.name, east.strategy, 24, east_reps, _cum(weights.values()),
                         frozenset(east.match_sources), frozenset(east.match_provinces))
            )  # fmt: skip
        south_reps = reps_of(second)
        south = AssignmentRule.objects.create(
            name=f"{region_name(second)}官网与广告线索",
            position=20,
            is_active=True,
            match_sources=["website", "advertising"],
            match_provinces=provinces(second),
            strategy=AssignmentStrategy.LEAST_OPEN,
            sla_hours=48,
            fallback=Fallback.POOL,
        )
        RuleMember.objects.bulk_create([RuleMember(rule=south, user_id=r) for r in south_reps])
        if south_reps:
            infos.append(
                RuleInfo(south.pk, south.name, south.strategy, 48, south_reps, _cum([1] * len(south_reps)),
                         frozenset(south.match_sources), frozenset(south.match_provinces))
            )  # fmt: skip
        catch_all = AssignmentRule.objects.create(
            name="全部线索（默认）",
            position=1000,
            is_active=True,
            strategy=AssignmentStrategy.ROUND_ROBIN,
            sla_hours=48,
            fallback=Fallback.POOL,
        )
        RuleMember.objects.bulk_create([RuleMember(rule=catch_all, user_id=r) for r in self.all_reps])
        # Round robin evens out what arrives; claims, hand-overs and SLA re-assignments skew what reps keep.
        infos.append(
            RuleInfo(catch_all.pk, catch_all.name, catch_all.strategy, 48, self.all_reps, self.all_reps_cum)
        )
        return infos

    def plan(self, count: int) -> list[float]:
        """Creation times over the past year (more recent ones more often), in id order; import files."""
        from kehu.customers.models import Customer

        rng = self.rng
        times = sorted(self.now - YEAR * (rng.random() ** 1.3) - 60 for _ in range(count))
        files = max(1, round(count * LEAD_CHANNELS["import"] / sum(LEAD_CHANNELS.values()) / IMPORT_ROWS))
        self.import_times = sorted(self.now - YEAR * rng.random() - 120 for _ in range(files))
        self.import_ids = list(range(self.next_import, self.next_import + files))
        self.import_counts = [[0, 0] for _ in range(files)]  # created, duplicates
        self.write_imports()
        # The customers some leads duplicate: a random sample of the living ones, read back.
        first, last = self.base.first_customer, self.base.next_customer
        wanted = round(count * CUSTOMER_DUPLICATES * 1.3) + 2
        ids = sorted(rng.sample(range(first, last), min(wanted, last - first)))
        rows = []
        for start in range(0, len(ids), 5000):
            rows += Customer.objects.filter(
                pk__in=ids[start : start + 5000], deleted_at__isnull=True
            ).values_list("pk", "owner_id", "name", "phone", "email", "credit_code", "name_key")
        rows.sort()
        rng.shuffle(rows)
        self.customer_pool = rows
        return times

    # one chunk ------------------------------------------------------------------------------------------

    def chunk(self, created: list[float]) -> None:
        from kehu.leads.choices import OPEN_STATUSES

        rng, org, ts = self.rng, self.org, self.ts
        leads, log, activities = [], [], []
        open_statuses = {str(s) for s in OPEN_STATUSES}
        for created_at in created:
            lid = self.next_lead
            self.next_lead += 1
            f = self.maker.fields()
            channel = self.channels[_weighted(rng, self.channel_cum)]
            created_by = None if channel == "web_form" else self.ops
            import_job = None
            if channel == "import":
                job = bisect.bisect(self.import_times, created_at) - 1  # the latest file before it
                if job < 0:
                    channel = "api"
                else:
                    import_job = self.import_ids[job]

            # duplicates ---------------------------------------------------------------------------------
            dup_customer = dup_lead = None
            dup_key = ""
            affinity = None
            r = rng.random()
            if r < CUSTOMER_DUPLICATES and self.customer_pool:
                cid, c_owner, c_name, c_phone, c_email, c_credit, c_key = self.customer_pool.pop()
                choice = rng.random()
                if c_phone and choice < 0.6:
                    f["phone"] = c_phone
                elif c_key and choice < 0.85:
                    f["company_name"] = c_name
                elif c_email:
                    f["email"] = c_email
                elif c_credit:
                    f["credit_code"] = c_credit
                dup_key = self.first_same_key(f, c_credit, c_phone, c_email, c_key)
                if dup_key:
                    dup_customer, affinity = cid, c_owner
            elif r < CUSTOMER_DUPLICATES + LEAD_DUPLICATES and self.originals:
                original = rng.choice(self.originals)
                if original.phone:
                    f["phone"] = original.phone
                else:
                    f["email"] = original.email
                f["company_name"] = original.company_name
                dup_key = self.first_same_key(
                    f, "", original.phone, original.email, self.maker.name_key(original.company_name)
                )
                dup_lead = original.id
                affinity = original.owner if original.open and original.owner else None

            # assignment ---------------------------------------------------------------------------------
            rule = None
            if affinity is not None:
                owner, reason = affinity, "duplicate"
            elif rng.random() < POOL_SHARE:
                owner, reason = None, "no_rule"
            else:
                rule = next(ri for ri in self.rules if ri.matches(f["source"], f["province"]))
                owner, reason = rule.reps[_weighted(rng, rule.cum)], "rule"
            department = org.owner_department[owner] if owner else None
            assigned_at = created_at + rng.uniform(0.02, 0.4) if owner else None
            sla_due = assigned_at + rule.sla_hours * 3600 if owner and rule and rule.sla_hours else None

            # the reps' work -----------------------------------------------------------------------------
            status = "new" if owner is None else "assigned"
            contacted = qualified = converted = invalid = None
            invalid_reason = invalid_note = ""
            if owner is not None:
                reply = (
                    None if rng.random() < 0.12 else assigned_at + min(20 * DAY, rng.lognormvariate(9.8, 1.1))
                )
                if reply is None or reply > self.now:
                    if self.now - assigned_at > 21 * DAY and rng.random() < 0.75:
                        invalid = assigned_at + rng.uniform(3, 21) * DAY
                        status, invalid_reason = "invalid", "unreachable"
                else:
                    contacted, status = reply, "contacted"
                    outcome = rng.random()
                    closed_after = None  # a lead left open too long is closed as invalid in the end
                    if outcome < 0.38:  # qualified a few days later; 0.16 of all go on to convert
                        qualified = contacted + rng.lognormvariate(12.5, 1.0)
                        if qualified > self.now:
                            qualified = None
                        else:
                            status = "qualified"
                            if outcome < 0.16:
                                converted = qualified + rng.lognormvariate(13.7, 0.8)  # a week or three
                                if converted > self.now:
                                    converted = None
                                else:
                                    status = "converted"
                            elif rng.random() < 0.6:
                                closed_after = qualified + rng.uniform(14, 90) * DAY
                    elif outcome < 0.78:
                        if rng.random() < 0.75:
                            closed_after = contacted + rng.uniform(7, 45) * DAY
                    else:
                        closed_after = contacted + rng.uniform(0, 5 * DAY)
                    if closed_after is not None and closed_after < self.now - 60:
                        invalid, status = closed_after, "invalid"
                        invalid_reason = self.invalid_reasons[_weighted(rng, self.invalid_cum)]
                if status == "invalid":
                    invalid_note = rng.choice(self.v.INVALID_NOTES)
            if status in ("converted", "invalid"):
                sla_due = None
            customer = None
            if converted is not None:
                book = self.base.books.get(owner) or self.base.books[rng.choice(list(self.base.books))]
                customer = dup_customer or rng.choice(book)
            updated_at = max(
                t for t in (created_at, assigned_at, contacted, qualified, converted, invalid) if t
            )
            updated_at = min(self.now, updated_at + rng.uniform(0, 120))

            name_key = self.maker.name_key(f["company_name"])
            search_text = self.base.search_key(
                f["name"], f["company_name"], f["phone"], f["email"], f["wechat"], f["credit_code"]
            )
            leads.append(
                (
                    lid, ts(created_at), ts(updated_at), owner, department, None, f["name"],
                    f["company_name"], f["title"], f["phone"], f["email"], f["wechat"], f["credit_code"],
                    f["province"], f["city"], f["industry"], f["source"], f["campaign"], f["remark"], "{}",
                    channel, status,
                    invalid_reason, invalid_note, name_key, dup_lead, dup_customer, dup_key,
                    rule.id if rule else None, ts(assigned_at) if assigned_at else None,
                    ts(sla_due) if sla_due else None, ts(contacted) if contacted else None,
                    ts(converted) if converted else None, customer, created_by, import_job, search_text,
                )
            )  # fmt: skip
            log.append(
                (
                    self.next_assignment, lid, ts(assigned_at or created_at), rule.id if rule else None,
                    rule.strategy if rule else "", owner, None, reason, created_by,
                )
            )  # fmt: skip
            self.next_assignment += 1
            if import_job is not None:
                counts = self.import_counts[import_job - self.import_ids[0]]
                counts[0] += 1
                counts[1] += bool(dup_key)

            # history ------------------------------------------------------------------------------------
            # On the timeline of the customer it duplicates (creation) or became (everything, on conversion).
            owner_name = org.owner_name[owner] if owner else ""
            events = [
                (
                    assigned_at or created_at, created_by, "lead.created",
                    {"channel": channel, "owner": owner_name, "reason": reason,
                     "rule": rule.name if rule else "", "duplicate_key": dup_key},
                    customer or dup_customer,
                )
            ]  # fmt: skip
            if contacted:
                events.append((contacted, owner, "lead.contacted", {}, customer))
            if qualified:
                events.append((qualified, owner, "lead.qualified", {}, customer))
            if converted:
                data = {"customer": f["company_name"] or f["name"]}
                events.append((converted, owner, "lead.converted", data, customer))
            if invalid:
                data = {"reason": invalid_reason, "note": invalid_note}
                events.append((invalid, owner, "lead.invalidated", data, None))
            for when, actor, verb, data, timeline in events:
                activities.append(
                    (
                        self.base.next_activity,
                        ts(when),
                        actor,
                        verb,
                        self.lead_type,
                        lid,
                        json.dumps(data),
                        timeline,
                    )
                )
                self.base.next_activity += 1

            if not dup_key:
                self.originals.append(
                    Original(lid, f["phone"], f["email"], f["company_name"], owner, status in open_statuses)
                )
                if len(self.originals) > 5000:
                    del self.originals[:1000]
        self.leads.write(leads)
        self.assignments.write(log)
        self.base.activities.write(activities)

    @staticmethod
    def first_same_key(f: dict[str, str], credit: str, phone: str, email: str, name_key: str) -> str:
        """The key by which the duplicate check finds the record: the strongest the lead shares with it."""
        from kehu.customers.validators import normalize_company_name

        lead_key = normalize_company_name(f["company_name"]) if f["company_name"] else ""
        for kind, mine, theirs in (
            ("credit_code", f["credit_code"], credit),
            ("phone", f["phone"], phone),
            ("email", f["email"], email),
            ("company", lead_key, name_key),
        ):
            if mine and mine == theirs:
                return kind
        return ""

    def write_imports(self) -> None:
        """The import files the imported leads came in, written before their leads (with counts of 0).

        On SQLite a lead pointing at a row not yet written would leave a deferred foreign-key violation
        open, and while one is open every insert into a parent table scans its (unindexed) children.
        """
        rows = []
        for job_id, when in zip(self.import_ids, self.import_times, strict=True):
            day = datetime.fromtimestamp(when, UTC).date()
            rows.append(
                (
                    job_id, self.ops, self.ts(when), f"线索名单-{day:%Y%m%d}.xlsx",
                    f"imports/{day:%Y/%m}/{job_id}.xlsx", "xlsx", "", "[]", "[]", "{}", "skip", "", "",
                    "done", 0, 0, 0, 0, 0, "", self.ts(when + 5), self.ts(when + 5),
                )
            )  # fmt: skip
        self.imports.write(rows)

    def finish(self) -> None:
        """Each import's row counts, now that its leads are made."""
        from django.db import connection

        rows = [
            (created, created, created, duplicates, self.ts(when + 5 + created / 200), job_id)
            for job_id, when, (created, duplicates) in zip(
                self.import_ids, self.import_times, self.import_counts, strict=True
            )
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {self.imports.table} SET total_rows = %s, processed_rows = %s, created_count = %s, "
                "duplicate_count = %s, finished_at = %s WHERE id = %s",
                rows,
            )


def _pinyin_city(city: str) -> str:
    return {"北京": "beijing", "上海": "shanghai", "广州": "gz", "深圳": "sz"}.get(city, "city")


# Entry points --------------------------------------------------------------------------------------------


def generate(
    scale: Scale | str,
    *,
    reset: bool = False,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    out: Callable[[str], None] = print,
    tune: bool = True,
) -> Result:
    """Fill an empty database (or a wiped one, with reset) with a data set of the given scale."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from bench.followups_gen import FollowUpGenerator
    from bench.opportunities_gen import OpportunityGenerator
    from bench.pools_gen import PoolGenerator
    from bench.quotes_gen import QuoteGenerator
    from bench.sales_gen import SalesGenerator, refresh_rollups, sales_models
    from kehu.core.activity import Activity
    from kehu.customers.models import Contact, Customer
    from kehu.followups.models import FollowUp, FollowUpPlan
    from kehu.leads.models import Lead, LeadAssignment, LeadImport
    from kehu.pool.models import PoolEvent
    from kehu.sales.opportunities.models import Opportunity, OpportunityMember, StageChange
    from kehu.sales.quotes.models import Quote, QuoteLine

    scale = SCALES[scale.upper()] if isinstance(scale, str) else scale
    if not is_empty():
        if not reset:
            raise SystemExit(
                f"{describe()} already holds customers, contacts, users or departments. "
                "Use --reset to wipe them (and their org tables) first, or choose another database."
            )
        started = time.perf_counter()
        wipe()
        out(f"wiped in {time.perf_counter() - started:.1f} s")
    _init_cum()
    rng = random.Random(seed)
    now = now or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    result = Result(scale=scale.name, vendor=connection.vendor)
    sqlite_tuned = tune and connection.vendor == "sqlite" and not connection.in_atomic_block
    if sqlite_tuned:
        with connection.cursor() as cursor:  # a lost bulk load is simply run again
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1048576")  # 1 GiB: the indexes stay in memory

    started = time.perf_counter()
    with transaction.atomic():
        org = build_org(scale, rng)
        generator = Generator(scale, org, rng, now)
        generator.followups = FollowUpGenerator(generator, seed)
        generator.pools = PoolGenerator(generator, seed)
        generator.opportunities = OpportunityGenerator(generator, seed)
        generator.opportunities.quotes = quotes = QuoteGenerator(generator, seed)
        created = generator.created_times()
        models = [
            Customer, Contact, Customer.tags.through, Activity, FollowUp, FollowUpPlan, PoolEvent, Lead,
            LeadAssignment, LeadImport, Opportunity, StageChange, OpportunityMember, Quote, QuoteLine,
            *sales_models(),
        ]  # fmt: skip
        with indexes_deferred(models):
            for start in range(0, len(created), CHUNK):
                generator.chunk(created[start : start + CHUNK])
                done = min(start + CHUNK, len(created))
                out(f"  {done:>9,} customers  {time.perf_counter() - started:6.1f} s")
            leads = LeadGenerator(generator, seed)
            lead_times = leads.plan(scale.leads)
            for start in range(0, len(lead_times), CHUNK):
                leads.chunk(lead_times[start : start + CHUNK])
                done = min(start + CHUNK, len(lead_times))
                out(f"  {done:>9,} leads      {time.perf_counter() - started:6.1f} s")
            leads.finish()
            quotes.finish()
            # contracts, payment collection and orders, from the customers now in the tables
            sales = SalesGenerator(
                orders=scale.orders, contracts=scale.contracts, seed=seed, now=now.timestamp(), out=out
            )
            sales_rows = sales.run()
            out(f"  {sales.orders.count:>9,} orders     {time.perf_counter() - started:6.1f} s")
        out(f"  indexes built   {time.perf_counter() - started:6.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
    refresh_rollups(out)  # the purchase statistics' monthly rollups, from the orders just written
    result.insert_seconds = time.perf_counter() - started
    if sqlite_tuned:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-65536")
    result.rows = {
        "departments": scale.departments,
        "users": scale.users,
        "customers": generator.customers.count,
        "contacts": generator.contacts.count,
        "customer tags": generator.tag_links.count,
        "activities": generator.activities.count,
        "follow-ups": generator.followups.followups.count,
        "follow-up plans": generator.followups.plans.count,
        "pool events": generator.pools.events.count,
        "opportunities": generator.opportunities.opportunities.count,
        "stage changes": generator.opportunities.changes.count,
        "team members": generator.opportunities.members.count,
        "quotes": quotes.quotes.count,
        "quote lines": quotes.lines.count,
        "leads": leads.leads.count,
        "lead assignments": leads.assignments.count,
        **sales_rows,
    }
    started = time.perf_counter()
    analyze()
    result.analyze_seconds = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=[s for s in SCALES if s != "XS"] + ["XS"], default="S")
    parser.add_argument("--database-url", help="default: DATABASE_URL, else var/bench-<scale>.sqlite3")
    parser.add_argument("--sqlite-path", help="a SQLite file (instead of var/bench-<scale>.sqlite3)")
    parser.add_argument("--reset", action="store_true", help="wipe customers, leads and the org first")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--only",
        choices=["sales"],
        help="add only this part to a database that holds the rest (sales: contracts, payments, orders); "
        "with --reset, only this part's tables are wiped first",
    )
    parser.add_argument(
        "--sales-scale",
        choices=list(SCALES),
        help="volume of the sales part (orders, contracts a tenth), default --scale: "
        "L gives 1,000,000 orders on the customers of a smaller data set",
    )
    args = parser.parse_args(argv)
    configure(scale=args.scale, database_url=args.database_url, sqlite_path=args.sqlite_path)

    from django.core.management import call_command

    print(f"database: {describe()}")
    call_command("migrate", verbosity=0)
    scale = SCALES[args.scale]
    if args.sales_scale:
        scale = dataclasses.replace(scale, orders=SCALES[args.sales_scale].orders)
    if args.only == "sales":
        from bench.sales_gen import generate_sales

        print(f"sales: {scale.orders:,} orders, {scale.contracts:,} contracts (seed {args.seed})")
        rows, seconds, analyze_seconds = generate_sales(
            orders=scale.orders, contracts=scale.contracts, seed=args.seed, reset=args.reset
        )
        for name, count in rows.items():
            print(f"  {name:<16} {count:>10,}")
        total = sum(rows.values())
        print(
            f"inserted {total:,} rows in {seconds:.1f} s = {total / seconds:,.0f} rows/s; "
            f"ANALYZE {analyze_seconds:.1f} s"
        )
        return
    print(
        f"scale {scale.name}: {scale.customers:,} customers, {scale.leads:,} leads, {scale.departments} "
        f"departments, {scale.users} users (seed {args.seed})"
    )
    result = generate(scale, reset=args.reset, seed=args.seed)
    for name, count in result.rows.items():
        print(f"  {name:<16} {count:>10,}")
    print(
        f"inserted {result.total_rows:,} rows in {result.insert_seconds:.1f} s = "
        f"{result.rows_per_second:,.0f} rows/s; ANALYZE {result.analyze_seconds:.1f} s"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
