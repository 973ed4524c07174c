"""Validation and normalisation of identifiers: phones (E.164), social credit codes, names."""

import re
import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    """Validate a unified social credit code (GB 32100-2015) and return it upper-cased."""
    code = value.strip().upper()
    if len(code) != 18:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="credit_code_length")
    if any(c not in CREDIT_CODE_CHARS for c in code):
        raise ValidationError(
            _("A unified social credit code uses digits and capital letters except I, O, S, V and Z."),
            code="credit_code_chars",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong."), code="credit_code_check"
        )
    return code


def normalize_phone(value: str, region: str | None = None) -> str:
    """Parse a phone number (Chinese numbers without +86 are understood) and return it in E.164."""
    raw = value.strip()
    try:
        number = phonenumbers.parse(raw, region or settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("“%(value)s” is not a phone number.") % {"value": raw}, code="phone"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("“%(value)s” is not a valid phone number.") % {"value": raw}, code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


_COMPANY_SUFFIXES = re.compile(
    r"(有限责任公司|股份有限公司|有限公司|集团|公司|co\.?,? ?ltd\.?|company|corp\.?|inc\.?|llc|ltd\.?|gmbh)$"
)
_BRACKETED = re.compile(r"[\(\[【][^\)\]】]*[\)\]】]")


def normalize_company_name(value: str) -> str:
    """A comparison key for company names: width-folded and lower-cased, without bracketed qualifiers
    such as (中国), punctuation or legal suffixes: 杭州恒信科技（中国）有限公司 → 杭州恒信科技."""
    text = unicodedata.normalize("NFKC", value).lower()
    text = _BRACKETED.sub("", text)
    text = re.sub(r"[\s\(\)\[\]【】,.，。·\-_/&]+", "", text)
    previous = None
    while previous != text:
        previous, text = text, _COMPANY_SUFFIXES.sub("", text)
    return text


def search_key(*parts: str) -> str:
    """Lower-cased, width-folded text for substring search."""
    return " ".join(unicodedata.normalize("NFKC", p).lower() for p in parts if p)
