"""Smoke test of the data generator: a tiny data set in the test database, checked for consistency."""

import pytest
from django.db.models import Count, F, Q

from bench.generate import SCALES, generate
from kehu.core.activity import Activity
from kehu.customers.models import Contact, Customer
from kehu.customers.services import customer_refresh_search_text
from kehu.org.models import Department, User

pytestmark = pytest.mark.django_db


def quiet(_line: str) -> None:
    pass


def test_generated_data_set_is_consistent():
    scale = SCALES["XS"]

    result = generate(scale, out=quiet)

    assert Customer.objects.count() == result.rows["customers"] == scale.customers
    assert Department.objects.count() == scale.departments
    assert User.objects.count() == scale.users
    assert Contact.objects.count() == result.rows["contacts"] > scale.customers
    # every customer is filed under its owner's department
    assert not Customer.objects.filter(~Q(department_id=F("owner__department_id")) | Q(owner=None)).exists()
    # 0–4 contacts each, at most one primary among the living
    per_customer = Customer.objects.annotate(
        n=Count("contacts"), primaries=Count("contacts", filter=Q(contacts__is_primary=True))
    )
    assert max(c.n for c in per_customer) <= 4
    assert max(c.primaries for c in per_customer) == 1
    assert Activity.objects.filter(verb="customer.created").count() == scale.customers
    assert User.objects.get(username="manager1").role.name == "Sales manager"
    assert User.objects.get(username="rep001").department.parent.manager.username == "manager1"


def test_search_text_is_what_the_service_computes():
    generate("XS", out=quiet)

    for customer in Customer.objects.order_by("id"):
        stored = customer.search_text
        customer_refresh_search_text(customer)
        assert customer.search_text == stored, customer.pk


def test_refuses_a_database_with_data_unless_reset():
    generate("XS", out=quiet)
    first = list(Customer.objects.order_by("id").values_list("name", "phone", "search_text")[:50])

    with pytest.raises(SystemExit, match="--reset"):
        generate("XS", out=quiet)
    generate("XS", reset=True, out=quiet)

    assert Customer.objects.count() == SCALES["XS"].customers
    assert list(Customer.objects.order_by("id").values_list("name", "phone", "search_text")[:50]) == first
