"""Demo data: a sales organisation and about 2,000 customers, written with bulk inserts in a few seconds.

Everything is generated from one seeded random source, so two loads give the same data. The rows
match what the services would have written (department = owner's department, search_text as
`customer_refresh_search_text` computes it, a "customer.created" activity and a history row per
customer), but go in with `bulk_create`: one service call per customer would take minutes.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from kehu.core.activity import Activity
from kehu.customers.choices import (
    CompanySize,
    CustomerKind,
    CustomerSource,
    CustomerStatus,
    Industry,
    IntentLevel,
)
from kehu.customers.models import Contact, Customer, Tag
from kehu.customers.validators import credit_code_check_char, normalize_company_name, search_key
from kehu.org.models import Department, User
from kehu.org.roles import roles_ensure_standard
from kehu.sales.statistics.rollup import rollup_refresh
from kehu.sampledata import vocabulary as words
from kehu.sampledata.contracts import demo_contracts
from kehu.sampledata.followups import demo_followups
from kehu.sampledata.leads import demo_leads
from kehu.sampledata.opportunities import demo_opportunities
from kehu.sampledata.orders import demo_contract_orders, demo_orders
from kehu.sampledata.pool import demo_pools
from kehu.sampledata.products import demo_products
from kehu.sampledata.quotes import demo_quotes
from kehu.sampledata.targets import demo_targets

DEMO_PASSWORD = "kehu-demo"
DEFAULT_CUSTOMERS = 2000
DEFAULT_SEED = 2026
HISTORY_DAYS = 540

# name, parent, regions its customers are in (keys of vocabulary.REGIONS)
DEPARTMENTS = [
    ("销售部", None, list(words.REGIONS)),
    ("华东区", "销售部", ["上海", "杭州"]),
    ("上海一组", "华东区", ["上海"]),
    ("上海二组", "华东区", ["上海"]),
    ("杭州组", "华东区", ["杭州"]),
    ("华南区", "销售部", ["深圳", "广州"]),
    ("深圳组", "华南区", ["深圳"]),
    ("广州组", "华南区", ["广州"]),
    ("华北区", "销售部", ["北京"]),
    ("北京组", "华北区", ["北京"]),
    ("客服部", None, []),
]

# username, display name, department, role, heads the department, share of the customers
USERS = [
    ("admin", "系统管理员", None, None, False, 0),
    ("director", "周明远", "销售部", "Sales director", False, 1),
    ("manager", "王建国", "销售部", "Sales manager", True, 1),
    ("east", "陈静", "华东区", "Sales manager", True, 2),
    ("south", "林志强", "华南区", "Sales manager", True, 2),
    ("north", "赵磊", "华北区", "Sales manager", True, 2),
    ("lead_sh1", "张伟", "上海一组", "Team lead", True, 4),
    ("lead_sh2", "李娜", "上海二组", "Team lead", True, 4),
    ("lead_hz", "徐海燕", "杭州组", "Team lead", True, 4),
    ("lead_sz", "黄俊杰", "深圳组", "Team lead", True, 4),
    ("lead_gz", "梁国庆", "广州组", "Team lead", True, 4),
    ("lead_bj", "宋建华", "北京组", "Team lead", True, 4),
    ("rep1", "刘洋", "上海一组", "Sales rep", False, 10),
    ("rep2", "黄丽", "深圳组", "Sales rep", False, 10),
    ("rep3", "孙浩然", "上海一组", "Sales rep", False, 10),
    ("rep4", "吴思琪", "上海二组", "Sales rep", False, 10),
    ("rep5", "徐俊杰", "杭州组", "Sales rep", False, 10),
    ("rep6", "郭欣怡", "深圳组", "Sales rep", False, 10),
    ("rep7", "何宇航", "广州组", "Sales rep", False, 10),
    ("rep8", "梁佳怡", "广州组", "Sales rep", False, 10),
    ("rep9", "宋志强", "北京组", "Sales rep", False, 10),
    ("rep10", "韩雨桐", "杭州组", "Sales rep", False, 10),
    ("rep11", "曹文博", "北京组", "Sales rep", False, 10),
    ("rep12", "彭子涵", "上海二组", "Sales rep", False, 10),
    ("ops", "钱晓雯", "销售部", "Sales operations", False, 0),
    ("service", "赵敏", "客服部", None, True, 0),
]

# The logins the README and `kehu demo` print. Demo only: the password is public.
LOGINS = [
    ("admin", "superuser: everything, including /admin/"),
    ("manager", "Sales manager, head of 销售部: sees the whole sales department tree"),
    ("lead_sh1", "Team lead, head of 上海一组: approves the group's discounted quotes"),
    ("rep1", "Sales rep, 上海一组: sees own customers"),
    ("rep2", "Sales rep, 深圳组: sees own customers"),
]


@dataclass
class DemoSummary:
    departments: int = 0
    users: int = 0
    customers: int = 0
    contacts: int = 0
    activities: int = 0
    leads: int = 0
    followups: int = 0
    pooled: int = 0
    products: int = 0
    opportunities: int = 0
    quotes: int = 0
    orders: int = 0
    contracts: int = 0
    seconds: float = 0.0
    logins: list[tuple[str, str]] = field(default_factory=lambda: list(LOGINS))


def database_has_data() -> bool:
    """True when users or customers exist: the demo must not be mixed into real (or earlier) data."""
    return User.objects.exists() or Customer.objects.exists()


@transaction.atomic
def demo_load(*, customers: int = DEFAULT_CUSTOMERS, seed: int = DEFAULT_SEED) -> DemoSummary:
    started = time.monotonic()
    rng = random.Random(seed)
    departments = _departments()
    users = _users(departments)
    tags = _tags()
    builder = _CustomerBuilder(rng=rng, users=users, departments=departments, tags=tags)
    summary = builder.build(customers)
    summary.departments, summary.users = len(departments), len(users)
    summary.leads = demo_leads(rng=rng, builder=builder, users=users, departments=departments).leads
    summary.followups = demo_followups(rng=rng)
    summary.pooled = demo_pools(rng=rng, users=users, departments=departments)
    summary.products = demo_products(rng=random.Random(seed + 5))  # its own stream: the rest stays as it was
    summary.opportunities = demo_opportunities(rng=random.Random(seed + 7))
    summary.quotes = demo_quotes(rng=random.Random(seed + 11), users=users)
    summary.orders = demo_orders(rng=random.Random(seed + 13), users=users)
    summary.contracts = demo_contracts(rng=random.Random(seed + 17), users=users)
    summary.orders += demo_contract_orders(rng=random.Random(seed + 19))
    demo_targets(users=users)  # this year's targets (kehu/targets), seasonal as the orders were
    rollup_refresh()  # the purchase statistics' monthly rollups, as the periodic job would build them
    summary.seconds = time.monotonic() - started
    return summary


def _departments() -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for order, (name, parent, _regions) in enumerate(DEPARTMENTS):
        dept = Department(name=name, parent=departments.get(parent or ""), sort_order=order)
        dept.save()  # one by one: save() computes the tree path
        departments[name] = dept
    return departments


def _users(departments: dict[str, Department]) -> dict[str, User]:
    roles = roles_ensure_standard()
    # One hash for every demo login: they share one public password anyway, and argon2 is slow on purpose.
    password = make_password(DEMO_PASSWORD)
    rows = [
        User(
            username=username,
            display_name=display,
            first_name=display[1:],
            last_name=display[:1],
            email=f"{username}@demo.kehu.example",
            password=password,
            department=departments.get(dept or ""),
            role=roles.get(role or ""),
            is_superuser=username == "admin",
            is_staff=username == "admin",
        )
        for username, display, dept, role, _head, _share in USERS
    ]
    User.objects.bulk_create(rows)
    users = {u.username: u for u in User.objects.filter(username__in=[r[0] for r in USERS])}
    for username, _display, dept, _role, head, _share in USERS:
        if head:
            departments[dept].manager = users[username]
            departments[dept].save(update_fields=["manager"])
    return users


def _tags() -> list[Tag]:
    Tag.objects.bulk_create([Tag(name=n, color=c) for n, c in words.TAGS], ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=[n for n, _c in words.TAGS]))


class _CustomerBuilder:
    """Builds customers, contacts, tags, history and activities in memory, then inserts them in bulk."""

    def __init__(
        self,
        *,
        rng: random.Random,
        users: dict[str, User],
        departments: dict[str, Department],
        tags: list[Tag],
    ) -> None:
        self.rng = rng
        self.now = timezone.now()
        self.tags = tags
        self.owners = [users[u[0]] for u in USERS if u[5]]
        self.weights = [u[5] for u in USERS if u[5]]
        regions = {name: keys for name, _parent, keys in DEPARTMENTS}
        self.regions = {dept.pk: regions[name] for name, dept in departments.items()}
        self.transferrer = users["manager"]
        self.names: set[str] = set()
        self.codes: set[str] = set()

    def build(self, count: int) -> DemoSummary:
        customers, contacts = [], []
        for _ in range(count):
            customer, people = self.customer()
            customers.append(customer)
            contacts.append(people)
        Customer.objects.bulk_create(customers, batch_size=500)
        # bulk_create stamps updated_at (auto_now) with the present; spread it over each customer's life.
        for customer in customers:
            customer.updated_at = self.between(customer.created_at, self.now)
        Customer.objects.bulk_update(customers, ["updated_at"], batch_size=500)
        flat = []
        for customer, people in zip(customers, contacts, strict=True):
            for contact in people:
                contact.customer_id = customer.pk
                contact.created_at = customer.created_at + timedelta(minutes=self.rng.randint(1, 600))
                flat.append(contact)
        Contact.objects.bulk_create(flat, batch_size=1000)
        self.history(customers, flat)
        self.tag(customers)
        activities = self.activities(customers)
        return DemoSummary(customers=len(customers), contacts=len(flat), activities=activities)

    # --- one customer -------------------------------------------------------------------------------

    def customer(self) -> tuple[Customer, list[Contact]]:
        rng = self.rng
        owner = rng.choices(self.owners, self.weights)[0]
        province, city, district, division, area = self.place(owner)
        kind = CustomerKind.PERSON if rng.random() < 0.3 else CustomerKind.COMPANY
        status = rng.choices(list(CustomerStatus), [40, 30, 20, 10])[0]
        created = self.now - timedelta(days=HISTORY_DAYS * rng.random() ** 1.4, seconds=rng.randrange(86400))
        customer = Customer(
            kind=kind,
            owner=owner,
            department_id=owner.department_id,
            status=status,
            intent_level=self.intent_level(status),
            level=rng.choices(["A", "B", "C", "D", ""], [10, 25, 40, 15, 10])[0],
            source=rng.choice(list(CustomerSource)),
            province=province,
            city=city,
            district=district,
            currency="CNY",
            created_at=created,
        )
        if kind == CustomerKind.COMPANY:
            people = self.company(customer, city, district, division, area)
        else:
            people = self.person(customer, city)
        if rng.random() < 0.45:
            customer.focus_points = "、".join(rng.sample(words.FOCUS_POINTS, rng.randint(1, 3)))
        if rng.random() < 0.35:
            customer.purchase_motivation = rng.choice(words.MOTIVATIONS)
        if rng.random() < 0.25:
            customer.remark = rng.choice(words.REMARKS)
        if customer.kind == CustomerKind.COMPANY:
            customer.name_key = normalize_company_name(customer.name)
        people.sort(key=lambda c: (not c.is_primary, c.name))  # Contact.Meta.ordering, for search_text
        customer.search_text = search_key(
            customer.name,
            customer.phone,
            customer.email,
            customer.credit_code,
            *(part for c in people for part in (c.name, c.mobile, c.phone, c.email)),
        )
        return customer, people

    def company(
        self, customer: Customer, city: str, district: str, division: str, area: str
    ) -> list[Contact]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.03:
            customer.industry = Industry.GOVERNMENT
            customer.name = self.unique(
                lambda: f"{city}{district}{rng.choice(words.GOVERNMENT_BODIES)}", f"{city}{district}人民医院"
            )
            kind_code = "11" if customer.name.endswith(("局", "委员会")) else "12"  # 机关 / 事业单位
            pinyin = "gov"
        elif roll < 0.11:
            customer.industry = rng.choice(list(words.ENGLISH_TRADES))
            customer.name, pinyin = self.english_name(customer.industry, city)
            kind_code = "91"
        else:
            customer.industry = rng.choice([i for i in Industry if i != Industry.GOVERNMENT])
            customer.name, pinyin = self.chinese_name(customer.industry, city)
            kind_code = "91"
        customer.credit_code = self.credit_code(kind_code, division)
        sizes = list(CompanySize)
        customer.size = rng.choices(sizes, [20, 35, 25, 12, 8])[0]
        customer.phone = self.landline(area)
        customer.email = f"info@{pinyin}.example.com"
        customer.website = f"https://www.{pinyin}.example.com"
        customer.address = self.address(city)
        customer.estimated_value = (
            self.money(10.4 + 0.6 * sizes.index(customer.size), 0.9) if rng.random() < 0.85 else None
        )
        people = [self.contact(pinyin) for _ in range(rng.choices([1, 2, 3], [30, 45, 25])[0])]
        people[0].is_primary = True
        return people

    def person(self, customer: Customer, city: str) -> list[Contact]:
        rng = self.rng
        name, pinyin = self.person_name()
        customer.name = name
        customer.phone = self.mobile()
        if rng.random() < 0.5:
            customer.email = f"{pinyin}{rng.randint(1, 999)}@example.com"
        if rng.random() < 0.6:
            customer.birthday = date(rng.randint(1960, 2002), rng.randint(1, 12), rng.randint(1, 28))
        street, lane, house, flat = (
            rng.choice(words.STREETS[city]),
            rng.randint(1, 2000),
            rng.randint(1, 60),
            rng.randint(101, 2303),
        )
        customer.address = f"{street}{lane}弄{house}号{flat}室"
        customer.estimated_value = self.money(9.5, 0.8) if rng.random() < 0.8 else None
        return []

    def contact(self, domain: str) -> Contact:
        rng = self.rng
        name, pinyin = self.person_name()
        return Contact(
            name=name,
            title=rng.choice(words.CONTACT_TITLES),
            mobile=self.mobile(),
            email=f"{pinyin}@{domain}.example.com" if rng.random() < 0.7 else "",
            wechat=f"{pinyin}_{rng.randint(10, 99)}" if rng.random() < 0.5 else "",
            birthday=date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28))
            if rng.random() < 0.3
            else None,
        )

    # --- names, numbers and places ------------------------------------------------------------------

    def unique(self, make, fallback: str) -> str:
        for _ in range(30):
            name = make()
            if name not in self.names:
                break
        else:
            name = f"{fallback}（{len(self.names)}）"
        self.names.add(name)
        return name

    def chinese_name(self, industry: str, city: str) -> tuple[str, str]:
        rng = self.rng
        brand, pinyin = rng.choice(words.BRANDS)
        short = city.removesuffix("市")

        def make() -> str:
            trade, suffix = rng.choice(words.TRADES[industry]), rng.choice(words.COMPANY_SUFFIXES)
            if rng.random() < 0.3:
                return f"{brand}{trade}（{short}）{suffix}"
            return f"{short}{brand}{trade}{suffix}"

        return self.unique(make, f"{short}{brand}{words.TRADES[industry][0]}有限公司"), pinyin

    def english_name(self, industry: str, city: str) -> tuple[str, str]:
        rng = self.rng
        brand = rng.choice(words.ENGLISH_BRANDS)
        city_en = {
            "上海市": "Shanghai",
            "深圳市": "Shenzhen",
            "广州市": "Guangzhou",
            "北京市": "Beijing",
        }.get(city, "China")

        def make() -> str:
            trade = rng.choice(words.ENGLISH_TRADES[industry])
            suffix = rng.choice(words.ENGLISH_SUFFIXES).format(city=city_en)
            return f"{brand} {trade} {suffix}"

        return self.unique(make, f"{brand} {words.ENGLISH_TRADES[industry][0]} Ltd."), brand.lower()

    def person_name(self) -> tuple[str, str]:
        (surname, s_py), (given, g_py) = self.rng.choice(words.SURNAMES), self.rng.choice(words.GIVEN_NAMES)
        return surname + given, f"{g_py}.{s_py}"

    def credit_code(self, kind_code: str, division: str) -> str:
        """A valid unified social credit code (GB 32100-2015) with a valid organisation code inside."""
        while True:
            body = "".join(str(self.rng.randrange(10)) for _ in range(8))
            check = 11 - sum(int(d) * w for d, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
            org_code = body + {10: "X", 11: "0"}.get(check, str(check))  # GB 11714
            first17 = f"{kind_code}{division}{org_code}"
            code = first17 + credit_code_check_char(first17)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def mobile(self) -> str:
        return f"+86{self.rng.choice(words.MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"

    def landline(self, area: str) -> str:
        return f"+86{area}{self.rng.choice('2345678')}{self.rng.randrange(10**7):07d}"

    def address(self, city: str) -> str:
        rng = self.rng
        street, building = rng.choice(words.STREETS[city]), rng.choice(words.BUILDINGS)
        number, block, floor, room = (
            rng.randint(1, 1999),
            rng.randint(1, 12),
            rng.randint(1, 30),
            rng.randint(1, 20),
        )
        return f"{street}{number}号{street[:2]}{building}{block}幢{floor}{room:02d}室"

    def place(self, owner: User) -> tuple[str, str, str, str, str]:
        region = self.rng.choice(self.regions[owner.department_id])
        province, city, districts, area = self.rng.choice(words.REGIONS[region])
        district, division = self.rng.choice(districts)
        return province, city, district, division, area

    def intent_level(self, status: str) -> str:
        if status in (CustomerStatus.DEAL, CustomerStatus.LOST):
            return ""
        return self.rng.choices([*IntentLevel, ""], [25, 40, 25, 10])[0]

    def money(self, mu: float, sigma: float) -> Decimal:
        value = min(max(self.rng.lognormvariate(mu, sigma), 1000), 9_999_999)
        return Decimal(round(value, -2)).quantize(Decimal("0.01"))

    def between(self, start: datetime, end: datetime) -> datetime:
        return start + (end - start) * self.rng.random() ** 2

    # --- rows that hang off the customers ------------------------------------------------------------

    def history(self, customers: list[Customer], contacts: list[Contact]) -> None:
        for customer in customers:
            customer._history_date = customer.created_at
            customer._history_user = customer.owner
        Customer.history.bulk_history_create(customers, batch_size=500)
        for contact in contacts:
            contact._history_date = contact.created_at
        Contact.history.bulk_history_create(contacts, batch_size=1000)

    def tag(self, customers: list[Customer]) -> None:
        through = Customer.tags.through
        rows = [
            through(customer_id=customer.pk, tag_id=tag.pk)
            for customer in customers
            for tag in self.rng.sample(self.tags, self.rng.choices([0, 1, 2, 3], [40, 35, 18, 7])[0])
        ]
        through.objects.bulk_create(rows, batch_size=1000)

    def activities(self, customers: list[Customer]) -> int:
        rng, subject_type = self.rng, ContentType.objects.get_for_model(Customer)
        rows = []

        def add(customer: Customer, actor: User, verb: str, when: datetime, data: dict) -> None:
            rows.append(
                Activity(
                    actor=actor,
                    verb=verb,
                    subject_type=subject_type,
                    subject_id=customer.pk,
                    customer_id=customer.pk,
                    created_at=when,
                    data=data,
                )
            )

        for customer in customers:
            owner, previous = customer.owner, None
            if rng.random() < 0.03:
                previous = rng.choice([u for u in self.owners if u.pk != owner.pk])
            creator = previous or owner
            add(
                customer,
                creator,
                "customer.created",
                customer.created_at,
                {"name": customer.name, "owner": str(creator)},
            )
            steps = {
                CustomerStatus.INTENT: ["potential", "intent"],
                CustomerStatus.DEAL: ["potential", "intent", "deal"],
            }.get(customer.status, [])
            if steps and rng.random() < 0.3:
                when = customer.created_at
                for old, new in itertools.pairwise(steps):
                    when = self.between(when, customer.updated_at)
                    add(customer, owner, "customer.updated", when, {"changes": {"status": [old, new]}})
            if previous:
                add(
                    customer,
                    self.transferrer,
                    "customer.transferred",
                    self.between(customer.created_at, customer.updated_at),
                    {"from": str(previous), "to": str(owner), "reason": rng.choice(words.TRANSFER_REASONS)},
                )
        Activity.objects.bulk_create(rows, batch_size=1000)
        return len(rows)
