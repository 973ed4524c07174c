"""The customers data migration that fills received_at for owned customers (one UPDATE)."""

from datetime import timedelta
from importlib import import_module

from django.apps import apps
from django.utils import timezone

from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory

backfill = import_module("kehu.customers.migrations.0008_backfill_received_at").backfill


def test_received_at_is_backfilled_from_created_at_for_owned_customers_only(org):
    created = timezone.now() - timedelta(days=30)
    owned = CustomerFactory(owner=org.rep, created_at=created)
    unowned = CustomerFactory(owner=None, created_at=created)
    received = timezone.now() - timedelta(days=2)
    kept = CustomerFactory(owner=org.rep, created_at=created, received_at=received)

    backfill(apps, None)

    values = dict(Customer.objects.values_list("pk", "received_at"))
    assert values == {owned.pk: created, unowned.pk: None, kept.pk: received}
