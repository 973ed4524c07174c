"""Fixtures of the sales apps' tests."""

from importlib import import_module

import pytest
from django.apps import apps

from kehu.sales.opportunities.models import Pipeline

create_default_pipeline = import_module("kehu.sales.opportunities.migrations.0002_default_pipeline").create


@pytest.fixture
def default_pipeline(db):
    """The default pipeline, as the data migration made it: a transactional (browser) test empties the
    tables, so it is made again for each."""
    if not Pipeline.objects.exists():
        create_default_pipeline(apps, None)
