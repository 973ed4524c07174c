"""Fixtures of the analytics tests: the default pipeline as its data migration made it (a transactional
browser test empties the tables), re-declared from kehu/sales/conftest.py."""

from kehu.sales.conftest import default_pipeline  # noqa: F401
