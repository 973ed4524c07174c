"""The column mapping: which column of the file fills which lead field.

Upload guesses it from the column names (Chinese or English); Start checks the one the user chose.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from kehu.leads import services
from kehu.leads.models import Lead, LeadImport

FIELDS = tuple(f for f in services.LEAD_FIELDS if f != "extra")
EXTRA_PREFIX = "extra:"

# Header names (normalised: see _norm) that name a lead field, in Chinese and English.
ALIASES = {
    "phone": ["手机", "电话", "手机号", "手机号码", "联系电话", "电话号码", "移动电话", "联系方式", "phone",
              "mobile", "tel", "telephone", "phonenumber", "mobilephone", "cellphone", "mobilenumber"],
    "email": ["邮箱", "电子邮箱", "电子邮件", "邮件", "邮箱地址", "email", "mail", "emailaddress"],
    "wechat": ["微信", "微信号", "wechat", "weixin", "wechatid"],
    "credit_code": ["统一社会信用代码", "社会信用代码", "信用代码", "creditcode", "unifiedsocialcreditcode",
                    "uscc"],
    "name": ["姓名", "联系人", "联系人姓名", "名字", "客户姓名", "name", "contact", "contactname",
             "fullname"],
    "company_name": ["公司", "公司名称", "企业名称", "企业", "单位", "单位名称", "公司全称", "客户名称",
                     "company", "companyname", "organisation", "organization", "account"],
    "title": ["职位", "职务", "岗位", "头衔", "title", "jobtitle", "position"],
    "province": ["省份", "省", "所在省份", "province", "state"],
    "city": ["城市", "市", "所在城市", "city"],
    "industry": ["行业", "所属行业", "industry"],
    "source": ["来源", "线索来源", "客户来源", "来源渠道", "source", "leadsource"],
    "campaign": ["活动", "市场活动", "活动名称", "campaign"],
    "remark": ["备注", "说明", "描述", "remark", "remarks", "note", "notes", "comment", "comments"],
}  # fmt: skip
_ALIAS_FIELD = {alias: field for field, aliases in ALIASES.items() for alias in aliases}
_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_NOISE = re.compile(r"[\s*_\-:：.·/]+")


def _norm(header: str) -> str:
    return _NOISE.sub("", _BRACKETS.sub("", unicodedata.normalize("NFKC", header).casefold()))


def mapping_guess(header: Sequence[str]) -> dict[str, str]:
    """{column index: lead field} from the column names; each field at most once, unknown columns left out.

    An exact name (姓名, 手机号, Company Name, …) wins; otherwise the known name of two or more characters
    that ends last inside the column's name (联系人手机 → phone, 公司名称 → company).
    """
    names = [_norm(h) for h in header]
    mapping: dict[str, str] = {}
    for i, name in enumerate(names):
        field = _ALIAS_FIELD.get(name)
        if field and field not in mapping.values():
            mapping[str(i)] = field
    for i, name in enumerate(names):
        if str(i) in mapping or not name:
            continue
        used = set(mapping.values())
        found = [a for a in _ALIAS_FIELD if len(a) > 1 and a in name and _ALIAS_FIELD[a] not in used]
        if found:  # the name's last word says what it is: 联系人手机 is a phone, Contact Phone too
            mapping[str(i)] = _ALIAS_FIELD[max(found, key=lambda a: (name.rfind(a) + len(a), len(a)))]
    return dict(sorted(mapping.items(), key=lambda item: int(item[0])))


def mapping_choices() -> list[tuple[str, str]]:
    """(value, label) of what a column can be imported as, for the mapping form (custom fields aside)."""
    return [(f, capfirst(Lead._meta.get_field(f).verbose_name)) for f in FIELDS]


def column_label(header: Sequence[str], index: int) -> str:
    """The column's name, or its letter (A, B, …) when the header cell is empty."""
    return (header[index] if index < len(header) else "") or get_column_letter(index + 1)


def extra_key(header: Sequence[str], index: int) -> str:
    return column_label(header, index)[:50]


def mapping_clean(job: LeadImport, mapping: Mapping[str, Any]) -> dict[str, str]:
    """The mapping keyed by column index; keys may also be column names (for the API)."""
    by_name = {h: str(i) for i, h in reversed(list(enumerate(job.header))) if h}
    cleaned: dict[str, str] = {}
    errors: list[str] = []
    for key, value in mapping.items():
        field = str(value or "").strip()
        index = str(key) if str(key).isdigit() else by_name.get(str(key))
        if index is None or int(index) >= len(job.header):
            errors.append(_("There is no column “%(column)s”.") % {"column": key})
        elif field in FIELDS or (field.startswith(EXTRA_PREFIX) and 0 < len(field) - len(EXTRA_PREFIX) <= 50):
            cleaned[index] = field
        elif field:
            errors.append(_("“%(value)s” is not a field of a lead.") % {"value": field})
    targets = list(cleaned.values())
    twice = sorted({t for t in targets if targets.count(t) > 1})
    if twice:
        errors.append(_("Each field can take one column only: %(fields)s.") % {"fields": ", ".join(twice)})
    if not {"name", "company_name"} & set(targets):
        errors.append(_("Choose the column with the contact name or the company."))
    if not {"phone", "email", "wechat"} & set(targets):
        errors.append(_("Choose at least one column with a phone number, email address or WeChat ID."))
    if sum(t.startswith(EXTRA_PREFIX) for t in targets) > services.MAX_EXTRA_FIELDS:
        errors.append(_("At most %(n)d custom fields.") % {"n": services.MAX_EXTRA_FIELDS})
    if errors:
        raise ValidationError({"mapping": errors})
    return dict(sorted(cleaned.items(), key=lambda item: int(item[0])))
