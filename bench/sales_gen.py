"""Contracts with their payment collection, and sales orders, for the benchmark's customers.

Read from the customers already in the database (owned, living ones; ids follow creation), so the same code
runs inside a full `bench.generate` and on its own over an existing data set (`--only sales`, optionally at
another volume with `--sales-scale`). Everything goes in through `bench.generate.Table` (executemany on
SQLite, COPY on PostgreSQL), never through services or `save()`:

- **Contracts** (about a tenth as many as orders), created over two years (more recent ones more often),
  for a customer that existed then (deal customers most often, then intent; some customers much more often
  than others), by the customer's owner and department. The state follows the age: young ones draft,
  waiting for approval, approved or executing; older ones executing, completed, some terminated, a few
  rejected or left as drafts. `submitted_at` ≤ `approved_at` ≤ `signed_on` ≤ `started_at` ≤ `completed_at`
  (or `terminated_at`) as far as the contract went. 1–4 product lines (name and unit copied, unit price at
  or up to 15 % under list); the amount is the lines' sum (`quantity × unit price`, to the cent), as the
  services compute it. Numbers `HT-<year of creation>-<n:06d>`, per year in creation order.
- **Payment plans** of every signed contract (approved, executing, completed, and terminated after
  signing): 1–4 instalments (预付款, 到货款, 验收款, 质保金 …) adding up exactly to the amount, the first
  due within a month of signing, the next 1, 3 or 6 months apart. **Receipts** by the contract's payer
  profile: on time (55 %), late (25 %: days after the due date, lognormal around 25), partial (10 %: part of
  each instalment, the rest left open) or missing (10 %: at most the first instalment); nothing received
  after today or, for terminated contracts, after the termination. Six in ten receipts name their
  instalment; 1 % come with a voided double entry; a few overpay the last instalment (the customer's
  credit). The **allocations** and each receipt's `credit` are what `kehu.sales.payments.services.reallocate`
  computes (named instalment first, then the oldest due; receipts by date, then id). So the receivables
  have rows in every aging bucket. **Invoices** for six in ten signed contracts, one per instalment paid or
  due within a month, with the tax of the main line's rate.
- **Sales orders** over two years (more recent ones more often), ids in date order, for customers that
  existed then, by the customer's owner and department; 1–4 product lines at list price or a discount, the
  product's cost as unit cost, `amount`, `cost_amount` and the stored `total`, `cost_total`, `gross_profit`
  from `kehu.sales.orders.totals.order_totals`. Status by age: the last two weeks draft, confirmed or
  shipped; then shipped or completed; older ones completed; 4 % cancelled (with a reason), a few old drafts.
  Numbers `SO-<year>-<n:06d>` per year in date order. About a fifth of the orders of a customer with a
  signed contract deliver it: `source_reference` is the contract's number (and `contract`, when the model
  has that field), at most three orders a contract.

The products are the ones in the database (the demo catalogue, `kehu.sampledata.products`, is written
first when there are none). The `contract` and `order` number sequences are set to the current year's
highest generated numbers. After the load the purchase statistics' monthly rollups
(`kehu.sales.statistics.rollup.rollup_refresh`, when installed) are rebuilt from the orders. No timeline
entries and no approval rows are written for these documents. Drawn from a random stream of its own: the
rest of the data set is the same with or without them.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

DAY = 86400
SPAN_DAYS = 730  # two years of orders and contracts
CENT = Decimal("0.01")
ZERO = Decimal(0)
CUSTOMER_WEIGHTS = {"deal": 8.0, "intent": 3.0, "potential": 0.5, "lost": 1.0}
ORDER_LINES = [0.35, 0.30, 0.20, 0.15]  # 1–4 lines
CONTRACT_LINES = [0.30, 0.35, 0.20, 0.15]
INSTALMENTS = [0.25, 0.30, 0.30, 0.15]  # 1–4 instalments
SHARES = {
    1: [[1.0]],
    2: [[0.3, 0.7], [0.5, 0.5]],
    3: [[0.3, 0.6, 0.1], [0.4, 0.4, 0.2], [0.3, 0.4, 0.3]],
    4: [[0.25, 0.25, 0.25, 0.25], [0.3, 0.3, 0.3, 0.1]],
}
DESCRIPTIONS = {
    1: ["全款"],
    2: ["预付款", "验收款"],
    3: ["预付款", "验收款", "质保金"],
    4: ["预付款", "到货款", "验收款", "质保金"],
}
PROFILES = [("on_time", 0.55), ("late", 0.25), ("partial", 0.10), ("missing", 0.10)]
METHODS = [
    ("bank_transfer", 0.78),
    ("acceptance_bill", 0.12),
    ("online", 0.05),
    ("cheque", 0.03),
    ("other", 0.02),
]
INVOICE_KINDS = [("special_vat", 0.6), ("electronic", 0.3), ("ordinary_vat", 0.1)]
CANCEL_REASONS = ["客户预算调整，订单取消。", "客户改选其他型号，重新下单。", "交期无法满足，双方协商取消。"]
ORDER_NOTES = ["", "", "", "", "加急发货", "分两批交付", "含上门安装"]
TERMINATE_REASONS = [
    "客户业务调整，双方协商一致解除合同。",
    "客户预算冻结，项目取消。",
    "交付范围变更，重新签约。",
]
VOID_REASON = "重复登记"
LINKED_SHARE = 0.2  # of the orders of a customer with a signed contract signed before the order
LINKS_PER_CONTRACT = 3


def sales_models() -> list[type]:
    """The tables this generator writes, parents before children."""
    from kehu.sales.contracts.models import Contract, ContractLine
    from kehu.sales.orders.models import Order, OrderLine
    from kehu.sales.payments.models import Instalment, Invoice, Receipt, ReceiptAllocation

    return [Contract, ContractLine, Instalment, Receipt, ReceiptAllocation, Invoice, Order, OrderLine]


def sales_wipe_models() -> list[type]:
    """The sales documents and everything pointing at them (amendments, attachments, approval rows …)."""
    from bench.generate import with_dependents

    return list(with_dependents(set(sales_models())))


def _cum(weights) -> list[float]:
    from bench.generate import _cum

    return _cum(weights)


def _pick(rng: random.Random, cum: list[float]) -> int:
    return bisect.bisect(cum, rng.random() * cum[-1])


class SalesGenerator:
    def __init__(
        self, *, orders: int, contracts: int, seed: int, now: float, out: Callable[[str], None] = print
    ) -> None:
        from django.conf import settings
        from django.db import connection

        from bench.generate import Table
        from kehu.sales.contracts.models import Contract, ContractLine
        from kehu.sales.orders.models import Order, OrderLine
        from kehu.sales.payments.models import Instalment, Invoice, Receipt, ReceiptAllocation

        self.n_orders, self.n_contracts = orders, contracts
        self.rng = random.Random(seed * 67 + 17)  # a stream of its own
        self.now, self.out = now, out
        self.pg = connection.vendor == "postgresql"
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.today = datetime.fromtimestamp(now, self.zone).date()
        self.today_ord = self.today.toordinal()
        self.current_year = self.today.year
        self.contracts = Table(
            Contract,
            ["id", "created_at", "updated_at", "owner_id", "department_id", "deleted_at", "number", "title",
             "customer_id", "signatory_id", "status", "currency", "amount", "signed_on", "starts_on",
             "ends_on",
             "terms", "created_by_id", "submitted_at", "approved_at", "started_at", "completed_at",
             "terminated_at", "termination_reason"],
        )  # fmt: skip
        self.contract_lines = Table(
            ContractLine,
            [
                "id",
                "contract_id",
                "product_id",
                "name",
                "unit",
                "quantity",
                "unit_price",
                "amount",
                "position",
            ],
        )
        self.instalments = Table(
            Instalment, ["id", "contract_id", "position", "due_on", "amount", "description", "paid"]
        )
        self.receipts = Table(
            Receipt,
            ["id", "contract_id", "amount", "received_on", "method", "reference", "note", "instalment_id",
             "credit", "recorded_by_id", "created_at", "voided_at", "void_reason"],
        )  # fmt: skip
        self.allocations = Table(ReceiptAllocation, ["id", "receipt_id", "instalment_id", "amount"])
        self.invoices = Table(
            Invoice,
            ["id", "contract_id", "number", "kind", "issued_on", "amount", "tax_amount", "note",
             "recorded_by_id",
             "created_at", "voided_at"],
        )  # fmt: skip
        order_columns = [
            "id", "created_at", "updated_at", "owner_id", "department_id", "deleted_at", "number",
            "customer_id",
            "order_date", "status", "currency", "source_reference", "notes", "total", "cost_total",
            "gross_profit", "cancel_reason", "created_by_id",
        ]  # fmt: skip
        self.has_contract_fk = any(f.name == "contract" for f in Order._meta.concrete_fields)
        if self.has_contract_fk:
            order_columns.append("contract_id")
        self.orders = Table(Order, order_columns)
        self.order_lines = Table(
            OrderLine,
            ["id", "order_id", "product_id", "name", "unit", "quantity", "unit_price", "unit_cost", "amount",
             "cost_amount", "position"],
        )  # fmt: skip
        self.last_contract_of_year = 0
        self.last_order_of_year = 0

    # helpers ----------------------------------------------------------------------------------------------

    def ts(self, epoch: float) -> str:
        value = datetime.fromtimestamp(epoch, UTC)
        return value.isoformat() if self.pg else str(value.replace(tzinfo=None))

    def day(self, epoch: float) -> int:
        """The local date (ordinal) of a moment."""
        return datetime.fromtimestamp(epoch, self.zone).date().toordinal()

    def moment(self, ordinal: int, hours: float = 10.0) -> float:
        """A moment on a local date, `hours` after midnight."""
        start = datetime.combine(date.fromordinal(ordinal), time(0), tzinfo=self.zone)
        return start.timestamp() + hours * 3600

    @staticmethod
    def iso(ordinal: int) -> str:
        return date.fromordinal(ordinal).isoformat()

    # inputs -----------------------------------------------------------------------------------------------

    def load(self) -> None:
        """The owned, living customers in creation order with their weights; the products."""
        from kehu.customers.models import Customer
        from kehu.sales.products.models import Product

        rng = self.rng
        rows = (
            Customer.objects.filter(deleted_at=None, owner__isnull=False)
            .order_by("created_at", "id")
            .values_list("id", "created_at", "owner_id", "department_id", "status", "name")
            .iterator(chunk_size=20_000)
        )
        self.customer_ids, self.customer_created, self.customer_owner = [], [], []
        self.customer_dept, self.customer_name, weights = [], [], []
        for cid, created, owner, department, status, name in rows:
            self.customer_ids.append(cid)
            self.customer_created.append(created.timestamp())
            self.customer_owner.append(owner)
            self.customer_dept.append(department)
            self.customer_name.append(name)
            # some customers buy much more than others
            weights.append(CUSTOMER_WEIGHTS.get(status, 0.5) * rng.lognormvariate(0, 1.0))
        if not self.customer_ids:
            raise SystemExit("no owned, living customers to sell to: generate the customers first")
        self.customer_cum = _cum(weights)

        if not Product.objects.exists():
            from kehu.sampledata.products import demo_products

            demo_products(rng=random.Random(self.rng.random()))
        self.products = [
            (p.pk, p.name, p.unit, p.list_price, p.cost, p.tax_rate)
            for p in Product.objects.filter(active=True, list_price__gt=0).order_by("pk")
        ]
        if not self.products:
            raise SystemExit("no active products with a price to sell")
        self.order_lines_cum = _cum(ORDER_LINES)
        self.contract_lines_cum = _cum(CONTRACT_LINES)
        self.instalments_cum = _cum(INSTALMENTS)
        self.profile_cum = _cum([w for _p, w in PROFILES])
        self.method_cum = _cum([w for _m, w in METHODS])
        self.kind_cum = _cum([w for _k, w in INVOICE_KINDS])

    def times(self, count: int) -> list[float]:
        """Moments over the two years before now, more recent ones more often, in order."""
        rng, span = self.rng, SPAN_DAYS * DAY
        return sorted(self.now - span * (rng.random() ** 1.3) - 600 for _ in range(count))

    def customer_at(self, when: float) -> int:
        """Index of a customer (weighted) that existed at `when`."""
        known = bisect.bisect(self.customer_created, when)
        if known == 0:
            known = min(100, len(self.customer_ids))
        return bisect.bisect(self.customer_cum, self.rng.random() * self.customer_cum[known - 1])

    # contracts ----------------------------------------------------------------------------------------------

    def _contract_status(self, age_days: float) -> str:
        r = self.rng.random()
        if age_days < 20:
            table = [("draft", 0.35), ("pending", 0.25), ("approved", 0.25), ("executing", 0.15)]
        elif age_days < 60:
            table = [("draft", 0.05), ("pending", 0.08), ("rejected", 0.02), ("approved", 0.18),
                     ("executing", 0.62), ("terminated", 0.05)]  # fmt: skip
        elif age_days < 365:
            table = [("draft", 0.03), ("pending", 0.02), ("rejected", 0.01), ("approved", 0.04),
                     ("executing", 0.52), ("completed", 0.34), ("terminated", 0.04)]  # fmt: skip
        else:
            table = [("draft", 0.02), ("rejected", 0.01), ("executing", 0.12), ("completed", 0.80),
                     ("terminated", 0.05)]  # fmt: skip
        for status, weight in table:
            if r < weight:
                return status
            r -= weight
        return table[-1][0]

    def _contract_lines(self, cid: int, first_line: int) -> tuple[list[tuple], Decimal, Decimal]:
        """1–4 product lines; the amount is their sum (quantity × unit price to the cent); main tax rate."""
        rng = self.rng
        chosen = rng.sample(self.products, min(_pick(rng, self.contract_lines_cum) + 1, len(self.products)))
        rows, amount = [], ZERO
        for position, (pid, name, unit, price, _cost, _tax) in enumerate(chosen, start=1):
            if price >= 20000:
                quantity = Decimal(rng.choice([1, 1, 1, 2, 3]))
            else:
                quantity = Decimal(rng.choice([5, 10, 10, 20, 50, 100]))
            unit_price = price
            if rng.random() < 0.5:
                unit_price = (price * Decimal(100 - rng.choice([3, 5, 8, 10, 15])) / 100).quantize(
                    CENT, rounding=ROUND_HALF_UP
                )
            line = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
            amount += line
            rows.append((first_line + position - 1, cid, pid, name, unit, f"{quantity:.2f}",
                         f"{unit_price:.2f}",
                         f"{line:.2f}", position))  # fmt: skip
        return rows, amount, chosen[0][5]

    def write_contracts(self) -> None:
        rng = self.rng
        next_id = self.contracts.next_id()
        next_line = self.contract_lines.next_id()
        self.next_instalment = self.instalments.next_id()
        self.next_receipt = self.receipts.next_id()
        self.next_allocation = self.allocations.next_id()
        self.next_invoice = self.invoices.next_id()
        self.signed_by_customer: dict[
            int, list[list]
        ] = {}  # customer id -> [[signed ordinal, number, id, links]]
        per_year: dict[int, int] = {}
        contracts, lines = [], []
        self.pending: dict[str, list] = {"instalments": [], "receipts": [], "allocations": [], "invoices": []}
        for at in self.times(self.n_contracts):
            k = self.customer_at(at)
            cid_ = next_id
            next_id += 1
            customer, owner, dept = self.customer_ids[k], self.customer_owner[k], self.customer_dept[k]
            at = max(at, self.customer_created[k] + 3600)
            age = (self.now - at) / DAY
            status = self._contract_status(age)
            year = datetime.fromtimestamp(at, self.zone).year
            per_year[year] = per_year.get(year, 0) + 1
            number = f"HT-{year}-{per_year[year]:06d}"
            if year == self.current_year:
                self.last_contract_of_year = per_year[year]
            rows, amount, tax = self._contract_lines(cid_, next_line)
            next_line += len(rows)
            lines.extend(rows)

            # the life cycle, squeezed into the time since creation when it would run past now
            room = max(self.now - at - 3600, 600.0)
            steps = [rng.uniform(0.1, 3), rng.uniform(0.2, 4), rng.uniform(0, 10), rng.uniform(0, 20)]
            steps = [s * DAY for s in steps]
            if status == "completed":
                steps.append(rng.uniform(60, 400) * DAY)
            elif status == "terminated":
                steps.append(rng.uniform(5, 200) * DAY)
            reach = {"draft": 0, "pending": 1, "rejected": 2, "approved": 3, "executing": 4, "completed": 5,
                     "terminated": 5}[status]  # fmt: skip
            used = steps[:reach]
            if sum(used) > room:
                factor = room / sum(used)
                used = [s * factor for s in used]
            marks, t = [], at
            for s in used:
                t += s
                marks.append(t)
            submitted = marks[0] if reach >= 1 else None
            approved = marks[1] if reach >= 3 else None
            rejected_at = marks[1] if status == "rejected" else None
            signed_ord = self.day(marks[2]) if reach >= 3 else None
            started = marks[3] if status in ("executing", "completed") else None
            completed = marks[4] if status == "completed" else None
            terminated = marks[-1] if status == "terminated" else None
            if status == "terminated":  # terminated while executing: approved, signed, started
                started = marks[3]
            starts_on = ends_on = None
            if signed_ord is not None:
                starts_on = signed_ord
                ends_on = starts_on + rng.choice([180, 365, 365, 730])
            updated = max(
                t for t in (at, submitted, approved, rejected_at, started, completed, terminated) if t
            )
            title = f"{self.customer_name[k]} {rows[0][3]}采购合同"[:200]
            contracts.append(
                (cid_, self.ts(at), self.ts(updated), owner, dept, None, number, title, customer,
                 owner if signed_ord else None, status, "CNY", f"{amount:.2f}",
                 self.iso(signed_ord) if signed_ord else None, self.iso(starts_on) if starts_on else None,
                 self.iso(ends_on) if ends_on else None, "", owner, self.ts(submitted) if submitted else None,
                 self.ts(approved) if approved else None, self.ts(started) if started else None,
                 self.ts(completed) if completed else None, self.ts(terminated) if terminated else None,
                 rng.choice(TERMINATE_REASONS) if terminated else "")
            )  # fmt: skip
            if signed_ord is not None:
                self.payments(cid_, amount, tax, owner, status, signed_ord, completed, terminated)
                if status in ("approved", "executing", "completed"):
                    self.signed_by_customer.setdefault(customer, []).append([signed_ord, number, cid_, 0])
            if len(contracts) >= 20_000:
                self.flush_contracts(contracts, lines)
                contracts, lines = [], []
        self.flush_contracts(contracts, lines)

    def flush_contracts(self, contracts: list, lines: list) -> None:
        self.contracts.write(contracts)
        self.contract_lines.write(lines)
        p = self.pending
        self.instalments.write(p["instalments"])
        self.receipts.write(p["receipts"])
        self.allocations.write(p["allocations"])
        self.invoices.write(p["invoices"])
        self.pending = {"instalments": [], "receipts": [], "allocations": [], "invoices": []}

    # payment collection ---------------------------------------------------------------------------------

    def payments(
        self,
        contract: int,
        amount: Decimal,
        tax: Decimal,
        owner: int,
        status: str,
        signed: int,
        completed: float | None,
        terminated: float | None,
    ) -> None:
        """The plan, the receipts (allocations and credit as `reallocate` leaves them), the invoices."""
        rng, today = self.rng, self.today_ord
        count = _pick(rng, self.instalments_cum) + 1
        shares = rng.choice(SHARES[count])
        amounts = [(amount * Decimal(str(s))).quantize(CENT, rounding=ROUND_HALF_UP) for s in shares[:-1]]
        amounts.append(amount - sum(amounts, ZERO))
        first_due = signed + rng.randint(0, 30)
        gap = rng.choice([30, 91, 182])
        plan = []  # (id, position, due ordinal, amount)
        for position, part in enumerate(amounts, start=1):
            iid = self.next_instalment
            self.next_instalment += 1
            due = first_due + (position - 1) * gap
            plan.append((iid, position, due, part))
        if status == "completed":
            profile = "on_time" if rng.random() < 0.75 else "late"
        else:
            profile = PROFILES[_pick(rng, self.profile_cum)][0]
        last_day = self.day(terminated) if terminated else today
        receipts = []  # (id, received ordinal, amount, named instalment, voided)
        for n, (iid, _position, due, part) in enumerate(plan):
            paid = part
            if profile == "on_time":
                when = due - rng.randint(0, 7) if rng.random() < 0.85 else due + rng.randint(3, 20)
            elif profile == "late":
                when = due + int(rng.lognormvariate(math.log(25), 0.8))
            elif profile == "partial":
                when = due + rng.randint(-3, 30)
                paid = (part * Decimal(str(round(rng.uniform(0.3, 0.8), 2)))).quantize(CENT)
            else:  # missing: at most the first instalment came in
                if n > 0 or rng.random() < 0.5:
                    continue
                when = due + rng.randint(-3, 15)
            when = max(when, signed)
            if when > last_day:  # not (yet) received
                continue
            if n == len(plan) - 1 and profile == "on_time" and rng.random() < 0.01:
                paid += Decimal(rng.randrange(100, 2000))  # an over-payment kept as the customer's credit
            rid = self.next_receipt
            self.next_receipt += 1
            named = iid if rng.random() < 0.6 else None
            receipts.append((rid, when, paid, named, False))
            if rng.random() < 0.01:  # entered twice, the copy voided
                receipts.append((self.next_receipt, when, paid, named, True))
                self.next_receipt += 1
        # reallocate(): instalments by due date and position, living receipts by date and id
        open_amounts = {iid: part for iid, _p, _d, part in plan}
        order = sorted(plan, key=lambda i: (i[2], i[1]))
        for rid, when, paid, named, voided in sorted(receipts, key=lambda r: (r[1], r[0])):
            left = paid
            if not voided:
                for iid in [i[0] for i in order if i[0] == named] + [i[0] for i in order if i[0] != named]:
                    take = min(left, open_amounts[iid])
                    if take > 0:
                        self.pending["allocations"].append((self.next_allocation, rid, iid, f"{take:.2f}"))
                        self.next_allocation += 1
                        open_amounts[iid] -= take
                        left -= take
            recorded = self.moment(when, rng.uniform(9, 19))
            method = METHODS[_pick(rng, self.method_cum)][0]
            self.pending["receipts"].append(
                (rid, contract, f"{paid:.2f}", self.iso(when), method, f"BK{when % 100000:05d}{rid:08d}", "",
                 named,
                 f"{ZERO if voided else left:.2f}", owner, self.ts(recorded),
                 self.ts(recorded + 86400) if voided else None, VOID_REASON if voided else "")
            )  # fmt: skip
        for iid, position, due, part in plan:  # paid: what the allocations above matched to it
            self.pending["instalments"].append(
                (iid, contract, position, self.iso(due), f"{part:.2f}", DESCRIPTIONS[count][position - 1],
                 f"{part - open_amounts[iid]:.2f}")
            )  # fmt: skip
        if rng.random() < 0.6:  # invoices: one per instalment paid or due within a month
            kind = INVOICE_KINDS[_pick(rng, self.kind_cum)][0]
            paid_on = {}
            for _rid, when, _paid, named, voided in receipts:
                if named and not voided:
                    paid_on.setdefault(named, when)
            for iid, _position, due, part in plan:
                issued = min(due, paid_on.get(iid, due)) - rng.randint(0, 10)
                issued = max(issued, signed)
                if issued > min(today, last_day) or due > today + 30:
                    continue
                vid = self.next_invoice
                self.next_invoice += 1
                tax_amount = (part * tax / (100 + tax)).quantize(CENT, rounding=ROUND_HALF_UP)
                number = f"{date.fromordinal(issued).year % 100:02d}33{vid:016d}"
                self.pending["invoices"].append(
                    (vid, contract, number, kind, self.iso(issued), f"{part:.2f}", f"{tax_amount:.2f}", "",
                     owner, self.ts(self.moment(issued, rng.uniform(9, 19))), None)
                )  # fmt: skip

    # orders ---------------------------------------------------------------------------------------------

    def _order_status(self, age: float) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.04:
            return "cancelled"
        r = rng.random()
        if age <= 14:
            return "draft" if r < 0.25 else "confirmed" if r < 0.70 else "shipped"
        if age <= 45:
            return (
                "draft" if r < 0.03 else "confirmed" if r < 0.20 else "shipped" if r < 0.65 else "completed"
            )
        if age <= 90:
            return "shipped" if r < 0.25 else "completed"
        return "draft" if r < 0.005 else "completed"

    def write_orders(self, chunk: int = 20_000) -> None:
        from kehu.sales.orders.totals import LineInput, order_totals

        rng = self.rng
        next_id = self.orders.next_id()
        next_line = self.order_lines.next_id()
        per_year: dict[int, int] = {}
        products, lines_cum = self.products, self.order_lines_cum
        discounts = [Decimal(100 - d) / 100 for d in (5, 8, 10, 15)]
        small_quantities = [Decimal(q) for q in (1, 1, 2, 3, 5, 10, 20)]
        big_quantities = [Decimal(1)] * 9 + [Decimal(2)]
        orders, lines = [], []
        started = self.now
        for at in self.times(self.n_orders):
            k = self.customer_at(at)
            customer, owner, dept = self.customer_ids[k], self.customer_owner[k], self.customer_dept[k]
            at = max(at, self.customer_created[k] + 600)
            oid = next_id
            next_id += 1
            local = datetime.fromtimestamp(at, self.zone)
            ordinal = local.toordinal()
            year = local.year
            per_year[year] = per_year.get(year, 0) + 1
            number = f"SO-{year}-{per_year[year]:06d}"
            if year == self.current_year:
                self.last_order_of_year = per_year[year]
            age = (started - at) / DAY
            status = self._order_status(age)
            chosen = rng.sample(products, min(_pick(rng, lines_cum) + 1, len(products)))
            inputs, rows = [], []
            for position, (pid, name, unit, price, cost, _tax) in enumerate(chosen, start=1):
                quantity = rng.choice(big_quantities if price >= 20000 else small_quantities)
                if rng.random() < 0.3:
                    price = (price * rng.choice(discounts)).quantize(CENT, rounding=ROUND_HALF_UP)
                inputs.append(LineInput(quantity, price, cost))
                rows.append([next_line, oid, pid, name, unit, f"{quantity:.2f}", f"{price:.2f}",
                             f"{cost:.2f}",
                             None, None, position])  # fmt: skip
                next_line += 1
            totals = order_totals(inputs)
            for row, amount, cost_amount in zip(rows, totals.amounts, totals.cost_amounts, strict=True):
                row[8], row[9] = f"{amount:.2f}", f"{cost_amount:.2f}"
                lines.append(tuple(row))
            reference, contract = "", None
            signed = self.signed_by_customer.get(customer)
            if signed and rng.random() < LINKED_SHARE:
                usable = [c for c in signed if c[0] <= ordinal and c[3] < LINKS_PER_CONTRACT]
                if usable:
                    chosen_contract = usable[-1] if rng.random() < 0.7 else rng.choice(usable)
                    chosen_contract[3] += 1
                    reference, contract = chosen_contract[1], chosen_contract[2]
            updated = at + min(age * DAY, rng.uniform(0, 30) * DAY) * (status != "draft")
            deleted = self.ts(updated) if rng.random() < 0.003 else None
            row = (
                oid, self.ts(at), self.ts(updated), owner, dept, deleted, number, customer,
                local.date().isoformat(),
                status, "CNY", reference, rng.choice(ORDER_NOTES), f"{totals.total:.2f}",
                f"{totals.cost_total:.2f}", f"{totals.gross_profit:.2f}",
                rng.choice(CANCEL_REASONS) if status == "cancelled" else "", owner,
            )  # fmt: skip
            orders.append((*row, contract) if self.has_contract_fk else row)
            if len(orders) >= chunk:
                self.orders.write(orders)
                self.order_lines.write(lines)
                orders, lines = [], []
                if self.orders.count % 100_000 == 0:
                    self.out(f"  {self.orders.count:>9,} orders")
        self.orders.write(orders)
        self.order_lines.write(lines)

    # the whole ---------------------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        self.load()
        self.write_contracts()
        self.out(f"  {self.contracts.count:>9,} contracts")
        self.write_orders()
        self.finish()
        return self.counts()

    def counts(self) -> dict[str, int]:
        return {
            "contracts": self.contracts.count,
            "contract lines": self.contract_lines.count,
            "instalments": self.instalments.count,
            "receipts": self.receipts.count,
            "allocations": self.allocations.count,
            "invoices": self.invoices.count,
            "orders": self.orders.count,
            "order lines": self.order_lines.count,
        }

    def finish(self) -> None:
        """Point the `contract` and `order` number sequences after this year's highest generated numbers."""
        from kehu.core.sequences import NumberSequence

        for key, prefix, last in (
            ("contract", "HT-", self.last_contract_of_year),
            ("order", "SO-", self.last_order_of_year),
        ):
            NumberSequence.objects.update_or_create(
                key=key,
                defaults={"prefix": prefix, "padding": 6, "yearly": True, "year": self.current_year,
                          "last_value": last},
            )  # fmt: skip


def generate_sales(
    *,
    orders: int,
    contracts: int,
    seed: int,
    reset: bool = False,
    now: datetime | None = None,
    out: Callable[[str], None] = print,
    tune: bool = True,
) -> tuple[dict[str, int], float, float]:
    """Add the sales documents to a database that holds customers (`--only sales`): (rows, load s, ANALYZE s).

    Refuses when sales documents exist, unless `reset` (which deletes them, and what points at them)."""
    import time as clock

    from django.core.management.color import no_style
    from django.db import connection, transaction

    from bench.generate import analyze, indexes_deferred

    models = sales_models()
    if any(m.objects.exists() for m in models):
        if not reset:
            raise SystemExit(
                "this database already holds contracts or orders: "
                "use --reset to delete them (the sales part only) first"
            )
        started = clock.perf_counter()
        wipe_sales()
        out(f"sales documents deleted in {clock.perf_counter() - started:.1f} s")
    now = now or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    sqlite_tuned = tune and connection.vendor == "sqlite" and not connection.in_atomic_block
    if sqlite_tuned:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1048576")
    started = clock.perf_counter()
    with transaction.atomic():
        generator = SalesGenerator(
            orders=orders, contracts=contracts, seed=seed, now=now.timestamp(), out=out
        )
        with indexes_deferred(models):
            rows = generator.run()
            out(f"  rows written    {clock.perf_counter() - started:6.1f} s")
        out(f"  indexes built   {clock.perf_counter() - started:6.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
    refresh_rollups(out)
    seconds = clock.perf_counter() - started
    if sqlite_tuned:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-65536")
    started = clock.perf_counter()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {tables}")
    else:
        analyze()
    return rows, seconds, clock.perf_counter() - started


def refresh_rollups(out: Callable[[str], None] = print) -> int:
    """Rebuild the purchase statistics' monthly rollups (`kehu.sales.statistics.rollup`) from the orders now
    in the tables, as the end of a bulk load should: bulk-written orders never marked their months stale, so
    every rollup row goes first. Returns the months built (0 when the installation has no rollups)."""
    import time as clock

    from django.apps import apps

    if not apps.is_installed("kehu.sales.statistics"):
        return 0
    try:
        from kehu.sales.statistics.rollup import rollup_refresh
    except ImportError:
        return 0
    started = clock.perf_counter()
    for model in apps.get_app_config("sales_statistics").get_models():
        model.objects.all().delete()
    months = rollup_refresh()
    out(f"  {len(months)} months of purchase rollups built in {clock.perf_counter() - started:.1f} s")
    return len(months)


def wipe_sales() -> None:
    """Delete every contract and order with what hangs on them (one transaction)."""
    from django.db import connection, transaction

    from bench.generate import indexes_deferred

    models = sales_wipe_models()
    tables = sorted({m._meta.db_table for m in models})
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(t) for t in tables)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return
    with transaction.atomic(), indexes_deferred(models, keep_indexes=True), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
        placeholders = ", ".join(["%s"] * len(tables))
        cursor.execute(f"DELETE FROM sqlite_sequence WHERE name IN ({placeholders})", tables)
