"""Quotes (报价单) of the benchmark's opportunities, written with them.

About 40 % of the opportunities that reached 方案提供 (stage position ≥ 3) or were won or lost get a quote,
one in five of those a second one (a revision: `revision_of` the first, made with the services' copy).
Each quote has 2–4 free-text lines (no product; names, units and tax rates of the demo catalogue,
`kehu.sampledata.products.CATALOGUE`) sized so that the quote comes near the opportunity's amount: list
prices, unit prices at or under them, some line discounts and a few total discounts. The stored totals and
line amounts are those of `kehu.sales.quotes.totals.quote_totals`, as the services store them.

The last quote of an opportunity takes its status from the opportunity: won → accepted, lost → declined
(with a reason), terminated → declined, open or suspended → draft, approved or sent. The first quote of a
pair went to the customer before it was revised: sent. Never pending (that needs approval rows).
`submitted_at`, `sent_at` and `closed_at` follow one another, a won or lost deal's quote is closed before
the deal; `valid_until` is the day of creation plus 30 days, so older open quotes are past it. Numbers are
`QT-<year of creation>-<id:06d>`; the generator then sets the `quote` number sequence to the highest
number of the current year, so the quotes created later continue after them. Each quote has its
`quote.created` timeline entry (and `quote.sent`, `quote.accepted`, `quote.declined` where it went so far),
on the customer's timeline, by the opportunity's owner.

Drawn from a random stream of its own: the opportunities (and everything else) are the same with or without
the quotes.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

DAY = 86400
QUOTE_SHARE = 0.40  # of the eligible opportunities
REVISION_SHARE = 0.20  # of the quoted opportunities: a second quote, a revision of the first
MIN_STAGE_POSITION = 3  # 方案提供
VALID_DAYS = 30
OPEN_STATUSES = [("draft", 0.35), ("approved", 0.25), ("sent", 0.40)]
LINES = [2, 3, 4]
QUANTITIES = {"套": [1, 1, 2], "个": [10, 20, 50, 100], "年": [10, 20, 50], "人天": [5, 10, 20, 40]}
REVISION_REASON = "客户要求调整报价，已出新版本。"
TERMINATED_REASON = "项目终止。"
TEN = Decimal(10)


class QuoteGenerator:
    def __init__(self, base, seed: int) -> None:  # base: bench.generate.Generator
        from django.conf import settings
        from django.contrib.contenttypes.models import ContentType

        from bench.generate import Table, _cum
        from kehu.sales.quotes.models import Quote, QuoteLine
        from kehu.sampledata import quotes as demo
        from kehu.sampledata.products import CATALOGUE

        self.base, self.now, self.ts = base, base.now, base.ts
        self.rng = random.Random(seed * 61 + 13)  # a stream of its own
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.quotes = Table(
            Quote,
            ["id", "created_at", "updated_at", "number", "title", "opportunity_id", "customer_id",
             "contact_id", "price_list_id", "status", "currency", "valid_until", "discount_percent", "terms",
             "notes", "list_amount", "subtotal", "discount_amount", "net_amount", "tax_amount", "total",
             "effective_discount", "created_by_id", "revision_of_id", "submitted_at", "sent_at", "closed_at",
             "decline_reason"],
        )  # fmt: skip
        self.lines = Table(
            QuoteLine,
            ["id", "quote_id", "product_id", "name", "unit", "quantity", "list_price", "unit_price",
             "discount_percent", "tax_rate", "amount", "position"],
        )  # fmt: skip
        self.quote_type = ContentType.objects.get_for_model(Quote).pk
        self.next_quote = self.quotes.next_id()
        self.next_line = self.lines.next_id()
        self.catalogue = [
            (name, unit, tax) for rows in CATALOGUE.values() for _code, name, unit, _price, _cost, tax in rows
        ]
        self.terms, self.decline_reasons = demo.TERMS, demo.DECLINE_REASONS
        self.open_cum = _cum([w for _s, w in OPEN_STATUSES])
        self.current_year = datetime.fromtimestamp(self.now, self.zone).year
        self.last_of_year = 0  # the highest number of the current year
        self.pending: list[tuple] = []
        self.pending_lines: list[tuple] = []

    def _lines(self, qid: int, amount: Decimal, discount: Decimal) -> tuple[list[tuple], object]:
        from kehu.sales.quotes.totals import LineInput, cents, quote_totals

        rng = self.rng
        chosen = rng.sample(self.catalogue, rng.choice(LINES))
        weights = [rng.uniform(0.3, 1.0) for _ in chosen]
        weights[0] += 1.0  # the main item carries most of the amount
        inputs, rows = [], []
        for position, ((name, unit, tax), weight) in enumerate(zip(chosen, weights, strict=True)):
            quantity = Decimal(rng.choice(QUANTITIES.get(unit, [1, 1, 2, 3, 5])))
            target = amount * Decimal(weight / sum(weights))
            tens = (target / quantity / TEN).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            list_price = max(tens * TEN, TEN)
            unit_price = list_price
            if rng.random() < 0.5:  # a lower price agreed on the line
                unit_price = cents(list_price * Decimal(1 - rng.uniform(0.0, 0.15)))
            line_discount = Decimal(rng.choice([3, 5, 8, 10])) if rng.random() < 0.2 else Decimal(0)
            line = LineInput(quantity, unit_price, list_price, line_discount, Decimal(tax))
            inputs.append(line)
            rows.append([self.next_line, qid, None, name, unit, f"{quantity:.2f}", f"{list_price:.2f}",
                         f"{unit_price:.2f}", f"{line_discount:.2f}", f"{Decimal(tax):.2f}", None,
                         position])  # fmt: skip
            self.next_line += 1
        totals = quote_totals(inputs, discount)
        for row, line_total in zip(rows, totals.line_amounts, strict=True):
            row[10] = f"{line_total:.2f}"
        return [tuple(row) for row in rows], totals

    def opportunity(
        self,
        oid: int,
        cid: int,
        title: str,
        amount: Decimal,
        status: str,
        position: int,
        created: float,
        closed: float | None,
        owner: int,
    ) -> list[tuple]:
        """Write the quotes of one opportunity (if it gets any); return their activity rows."""
        rng = self.rng
        if status not in ("won", "lost") and position < MIN_STAGE_POSITION:
            return []
        if rng.random() >= QUOTE_SHARE:
            return []
        end = closed if closed is not None else self.now
        span = max(end - created, 60.0)
        count = 2 if rng.random() < REVISION_SHARE else 1
        # the last quote: shortly before the deal closed (won, lost, terminated), or some time after it opened
        if closed is not None:
            last_at = end - min(rng.uniform(1, 25) * DAY, span * 0.5)
        else:
            last_at = created + span * rng.uniform(0.3, 0.95)
        times = [last_at]
        if count == 2:
            times.insert(0, max(created + span * 0.05, last_at - rng.uniform(3, 20) * DAY))
        if status == "won":
            final = "accepted"
        elif status in ("lost", "terminated"):
            final = "declined"
        else:
            from bench.generate import _weighted

            final = OPEN_STATUSES[_weighted(rng, self.open_cum)][0]
        activities, first = [], None
        discount = Decimal(rng.choice([2, 3, 5])) if rng.random() < 0.15 else Decimal(0)
        terms = self.terms if rng.random() < 0.5 else ""
        for i, at in enumerate(times):
            qid = self.next_quote
            self.next_quote += 1
            quote_status = final if i == count - 1 else "sent"
            limit = end if i == count - 1 else times[i + 1]  # what happened to it before the next event
            step = max(limit - at, 60.0)
            submitted = sent = closed_at = None
            reason = ""
            if quote_status != "draft":
                submitted = at + step * rng.uniform(0.02, 0.2)
            if quote_status in ("sent", "accepted", "declined"):
                sent = submitted + step * rng.uniform(0.02, 0.2)
            if quote_status in ("accepted", "declined"):
                closed_at = sent + (limit - sent) * rng.uniform(0.3, 0.95)
                if quote_status == "declined":
                    reason = TERMINATED_REASON if status == "terminated" else rng.choice(self.decline_reasons)
            local = datetime.fromtimestamp(at, self.zone)
            number = f"QT-{local.year}-{qid:06d}"
            if local.year == self.current_year:
                self.last_of_year = max(self.last_of_year, qid)
            valid_until = (local.date() + timedelta(days=VALID_DAYS)).isoformat()
            lines, totals = self._lines(qid, amount, discount)
            self.pending_lines.extend(lines)
            updated = max(t for t in (at, submitted, sent, closed_at) if t is not None)
            self.pending.append(
                (qid, self.ts(at), self.ts(updated), number, title, oid, cid, None, None, quote_status, "CNY",
                 valid_until, f"{discount:.2f}", terms, "", f"{totals.list_amount:.2f}",
                 f"{totals.subtotal:.2f}", f"{totals.discount_amount:.2f}", f"{totals.net:.2f}",
                 f"{totals.tax:.2f}", f"{totals.total:.2f}", f"{totals.discount_percent:.2f}", owner, first,
                 self.ts(submitted) if submitted else None, self.ts(sent) if sent else None,
                 self.ts(closed_at) if closed_at else None, reason)
            )  # fmt: skip
            head = {"number": number, "title": title}
            events = [(at, "quote.created", {**head, "total": f"{totals.total:.2f}", "opportunity": title})]
            if sent is not None:
                events.append((sent, "quote.sent", head))
            if quote_status == "accepted":
                events.append((closed_at, "quote.accepted", {**head, "total": f"{totals.total:.2f}"}))
            elif quote_status == "declined":
                events.append((closed_at, "quote.declined", {**head, "reason": reason}))
            for when, verb, data in events:
                activities.append(
                    (self.base.next_activity, self.ts(when), owner, verb, self.quote_type, qid,
                     json.dumps(data, ensure_ascii=False), cid)
                )  # fmt: skip
                self.base.next_activity += 1
            first = first or qid
        return activities

    def flush(self) -> None:
        self.quotes.write(self.pending)
        self.lines.write(self.pending_lines)
        self.pending, self.pending_lines = [], []

    def finish(self) -> None:
        """Point the `quote` number sequence after the highest generated number of the current year."""
        from kehu.core.sequences import NumberSequence

        NumberSequence.objects.update_or_create(
            key="quote",
            defaults={"prefix": "QT-", "padding": 6, "yearly": True, "year": self.current_year,
                      "last_value": self.last_of_year},
        )  # fmt: skip
