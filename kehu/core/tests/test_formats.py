from decimal import Decimal as D

from django.template import Context, Template
from django.utils import translation


def test_amounts_are_grouped_by_thousands_in_chinese_too():
    template = Template('{{ amount|floatformat:"2g" }}')
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert template.render(Context({"amount": D("414500")})) == "414,500.00"
