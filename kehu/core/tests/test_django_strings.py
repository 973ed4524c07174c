from django.db.models.fields import BLANK_CHOICE_LABEL
from django.utils import translation


def test_django_strings_missing_from_its_chinese_catalog_come_from_ours():
    with translation.override("zh-hans"):
        assert str(BLANK_CHOICE_LABEL) == "- 请选择 -"
