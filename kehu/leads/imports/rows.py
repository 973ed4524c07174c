"""Turning a row of the file into lead fields, checked by `services.lead_clean`, or into row errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from kehu.customers.choices import CustomerSource, Industry
from kehu.leads import services
from kehu.leads.imports.files import cell_text
from kehu.leads.imports.mapping import EXTRA_PREFIX, column_label
from kehu.leads.models import LeadImport

NO_DATES = {"phone", "email", "wechat", "credit_code"}  # a date in these is a mistake, not a value
_ERROR_COLUMNS = {"name": ("name", "company_name"), "phone": ("phone", "email", "wechat")}

RowError = tuple[str, str, str]  # column name, value, reason


@dataclass(frozen=True)
class Column:
    index: int
    name: str
    field: str  # a lead field, or "extra"
    key: str = ""


@dataclass
class Plan:
    """How to turn a row into lead fields: the mapped columns, the job's defaults, choice labels."""

    columns: list[Column]
    source: str
    campaign: str
    labels: dict[str, dict[str, str]]

    @classmethod
    def of(cls, job: LeadImport) -> Plan:
        columns = []
        for index, target in job.mapping.items():
            i, name = int(index), column_label(job.header, int(index))
            if target.startswith(EXTRA_PREFIX):
                columns.append(Column(i, name, "extra", target.removeprefix(EXTRA_PREFIX)))
            else:
                columns.append(Column(i, name, target))
        labels = {"industry": _labels(Industry), "source": _labels(CustomerSource)}
        return cls(columns, job.source, job.campaign, labels)


def _labels(choices: type[Industry] | type[CustomerSource]) -> dict[str, str]:
    """Lower-cased label (Chinese and English) or value → value: 制造业 / Manufacturing → manufacturing."""
    found = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            found.update({str(c.label).casefold(): c.value for c in choices})
    found.update({c.value.casefold(): c.value for c in choices})
    return found


def row_clean(cells: Sequence[Any], plan: Plan) -> tuple[dict[str, Any] | None, list[RowError]]:
    """(cleaned lead fields, []) through `services.lead_clean`, or (None, [(column, value, reason), …])."""
    data: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    shown: dict[str, tuple[str, str]] = {}
    errors: dict[str, RowError] = {}
    for col in plan.columns:
        value = cells[col.index] if col.index < len(cells) else None
        value_text = cell_text(value)
        if col.field == "extra":
            shown.setdefault("extra", (col.name, value_text))
            if value_text:
                extra[col.key] = value if isinstance(value, int | float) else value_text
            continue
        shown[col.field] = (col.name, value_text)
        if col.field in NO_DATES and isinstance(value, date | time):
            reason = _("The cell holds a date or time (%(value)s) where text is expected.")
            errors[col.field] = (col.name, value_text, reason % {"value": value_text})
            continue
        lookup = plan.labels.get(col.field)
        data[col.field] = lookup.get(value_text.casefold(), value_text) if lookup else value_text
    if extra:
        data["extra"] = extra
    if plan.source and not data.get("source"):
        data["source"] = plan.source
    if plan.campaign and not data.get("campaign"):
        data["campaign"] = plan.campaign
    try:
        cleaned = services.lead_clean(data)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            if field in errors:
                continue
            owners = [f for f in _ERROR_COLUMNS.get(field, (field,)) if f in shown] or [field]
            name, value_text = shown.get(owners[0], ("", ""))
            # a value's own error first; "give a phone, email or WeChat" only when no such value was given
            errors[field] = (name, value_text, messages[0] if value_text else " ".join(messages))
        cleaned = None
    if "phone" in errors and not shown.get("phone", ("", ""))[1] and {"email", "wechat"} & errors.keys():
        del errors["phone"]  # an email or WeChat ID was given but is wrong: that is the error to fix
    if errors:
        return None, list(errors.values())
    return cleaned, []
