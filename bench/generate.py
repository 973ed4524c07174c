"""Generate a realistic data set for the benchmark with bulk inserts.

    python -m bench.generate --scale M                     # SQLite file var/bench-m.sqlite3
    python -m bench.generate --scale M --database-url postgres://postgres@127.0.0.1:5432/kehu_bench
    python -m bench.generate --scale L --reset             # wipe customers, contacts and the org first

Rows go in through executemany (SQLite) or COPY (PostgreSQL), never through services or save(); the
few org rows (departments, roles, users) use the ORM. A fixed seed makes the data set the same every run,
apart from the timestamps, which are spread over the three years before today.
"""

from __future__ import annotations

import argparse
import bisect
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

    @property
    def departments(self) -> int:
        return 1 + self.regions * (1 + self.teams_per_region)

    @property
    def users(self) -> int:
        # admin + director + one manager per region + one team lead per team + reps
        return 2 + self.regions + self.regions * self.teams_per_region + self.reps


SCALES = {
    "XS": Scale("XS", customers=200, regions=2, teams_per_region=1, reps=4),  # for the smoke test
    "S": Scale("S", customers=10_000, regions=2, teams_per_region=2, reps=10),
    "M": Scale("M", customers=100_000, regions=4, teams_per_region=2, reps=20),
    "L": Scale("L", customers=1_000_000, regions=7, teams_per_region=6, reps=449),  # 50 depts, 500 users
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


def _wipe_models() -> list[type]:
    """Models of the customers, org and core apps, plus every model that points at one of them."""
    from django.apps import apps

    chosen = {
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in {"customers", "org", "core"} or m._meta.label in {"admin.LogEntry"}
    }
    chosen |= {m for m in apps.get_models() if m._meta.label == "sessions.Session"}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models(include_auto_created=True):
            if model in chosen or not model._meta.managed or model._meta.proxy:
                continue
            if any(f.is_relation and f.related_model in chosen for f in model._meta.concrete_fields):
                chosen.add(model)
                grew = True
    return [m for m in chosen if m._meta.managed and not m._meta.proxy]


def is_empty() -> bool:
    from kehu.customers.models import Contact, Customer
    from kehu.org.models import Department, User

    return not any(m.objects.exists() for m in (Customer, Contact, Department, User))


def wipe() -> None:
    """Delete every customer, contact, activity, tag, user, role and department (one transaction)."""
    from django.db import connection, transaction

    models = _wipe_models()
    tables = sorted({m._meta.db_table for m in models})
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(t) for t in tables)
        with transaction.atomic(), connection.cursor() as cursor:
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
    User.objects.bulk_create(users)
    by_name = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    for r, region in enumerate(regions):
        Department.objects.filter(pk=region.pk).update(manager=by_name[f"manager{r + 1}"])
    for key, _r, team in teams:
        Department.objects.filter(pk=team.pk).update(manager=by_name[f"lead{key}"])
    Department.objects.filter(pk=company.pk).update(manager=by_name["director"])

    region_of = {company.pk: 0} | {d.pk: r for r, d in enumerate(regions)} | {d.pk: r for _k, r, d in teams}
    owners, weights = [], []
    for u in by_name.values():
        if u.username.startswith("rep"):
            weight = rng.uniform(0.4, 1.6)  # some reps carry much bigger books than others
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
                "search_text", "name_key",
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

            customers.append(
                (
                    cid, self.ts(created_at), self.ts(updated_at), owner, department,
                    self.ts(deleted_at) if deleted_at else None, person_kind if is_person else company_kind,
                    name, status, intent, self.levels[_weighted(rng, self.level_cum)],
                    rng.choice(v.FOCUS_POINTS), rng.choice(v.MOTIVATIONS), value, "CNY", industry, size,
                    self.sources[_weighted(rng, self.source_cum)], province, city, district, address, phone,
                    email, website, credit, birthday, rng.choice(v.REMARKS), search_text,
                    "" if is_person else self.name_key(name),
                )
            )  # fmt: skip
            activities.extend(
                self.timeline(cid, name, owner, status, created_at, updated_at, deleted_at, mine, tag_names)
            )
        self.customers.write(customers)
        self.contacts.write(contacts)
        self.tag_links.write(links)
        self.activities.write(activities)

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
    ) -> list[tuple]:
        """What the services would have recorded: creation, contacts, a few edits, maybe a transfer."""
        rng, org = self.rng, self.org
        creator = owner
        events: list[tuple[float, int | None, str, dict]] = []
        if rng.random() < 0.08:  # received from a colleague who left or moved
            creator = org.owners[_weighted(rng, org.owner_weights)]
            events.append(
                (
                    rng.uniform(created_at, updated_at),
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
        return rows


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

    from kehu.core.activity import Activity
    from kehu.customers.models import Contact, Customer

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
        created = generator.created_times()
        models = [Customer, Contact, Customer.tags.through, Activity]
        with indexes_deferred(models):
            for start in range(0, len(created), CHUNK):
                generator.chunk(created[start : start + CHUNK])
                done = min(start + CHUNK, len(created))
                out(f"  {done:>9,} customers  {time.perf_counter() - started:6.1f} s")
        out(f"  indexes built   {time.perf_counter() - started:6.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
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
    parser.add_argument("--reset", action="store_true", help="wipe customers, contacts and the org first")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    configure(scale=args.scale, database_url=args.database_url, sqlite_path=args.sqlite_path)

    from django.core.management import call_command

    print(f"database: {describe()}")
    call_command("migrate", verbosity=0)
    scale = SCALES[args.scale]
    print(
        f"scale {scale.name}: {scale.customers:,} customers, {scale.departments} departments, "
        f"{scale.users} users (seed {args.seed})"
    )
    result = generate(scale, reset=args.reset, seed=args.seed)
    for name, count in result.rows.items():
        print(f"  {name:<14} {count:>10,}")
    print(
        f"inserted {result.total_rows:,} rows in {result.insert_seconds:.1f} s = "
        f"{result.rows_per_second:,.0f} rows/s; ANALYZE {result.analyze_seconds:.1f} s"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
