"""Django's zh-Hans formats, but amounts grouped by thousands with a comma (414,500.00), as on Chinese
invoices, contracts and bank slips, instead of Django's ungrouped 414500.00."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
