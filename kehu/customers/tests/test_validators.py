import pytest
from django.core.exceptions import ValidationError

from kehu.customers.validators import (
    credit_code_check_char,
    display_phone,
    normalize_company_name,
    normalize_credit_code,
    normalize_phone,
    search_key,
)

VALID_CODE = "91350100M000100Y43"  # a published example code


def test_valid_credit_code_is_upper_cased():
    assert normalize_credit_code(" 91350100m000100y43 ") == VALID_CODE


def test_check_character_is_computed_per_gb32100():
    assert credit_code_check_char(VALID_CODE[:17]) == "3"


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("91350100M000100Y4", "credit_code_length"),
        ("91350100M000100Y44", "credit_code_check"),
        ("91350100M00O100Y43", "credit_code_chars"),
    ],
)
def test_bad_credit_codes_are_refused(code, error):
    with pytest.raises(ValidationError) as exc:
        normalize_credit_code(code)
    assert exc.value.code == error


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("13812345678", "+8613812345678"),
        ("+86 138-1234-5678", "+8613812345678"),
        ("021 6123 4567", "+862161234567"),
        ("+1 650 253 0000", "+16502530000"),
    ],
)
def test_phones_are_normalised_to_e164(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["12345", "not a phone", "1381234567890123"])
def test_bad_phones_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


def test_display_phone_is_national_for_china():
    assert display_phone("+8613812345678") == "138 1234 5678"


def test_company_names_compare_without_legal_suffix_and_width():
    assert normalize_company_name("上海星河科技有限公司") == normalize_company_name("上海星河科技（ ）")
    assert normalize_company_name("ACME Co., Ltd.") == "acme"


def test_search_key_folds_width_and_case():
    assert search_key("ＡＢＣ", "Hello") == "abc hello"
