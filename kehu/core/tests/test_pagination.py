from django.test import RequestFactory

from kehu.core import pagination
from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory


def test_count_is_capped_and_pages_stop_at_the_cap(org, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    for _ in range(7):
        CustomerFactory(owner=org.rep)
    request = RequestFactory().get("/", {"page": "99"})
    page = pagination.paginate(request, Customer.objects.order_by("id"), default_size=20)
    assert (page.paginator.count, page.paginator.is_capped, page.number) == (5, True, 1)


def test_small_lists_are_counted_exactly(org):
    for _ in range(3):
        CustomerFactory(owner=org.rep)
    request = RequestFactory().get("/", {"size": "1000"})
    page = pagination.paginate(request, Customer.objects.order_by("id"))
    assert (page.paginator.count, page.paginator.is_capped, page.paginator.per_page) == (3, False, 20)


def test_keyword_searches_count_to_the_lower_search_cap(org, monkeypatch):
    monkeypatch.setattr(pagination, "SEARCH_COUNT_CAP", 2)
    for _ in range(4):
        CustomerFactory(owner=org.rep)
    searched = pagination.paginate(RequestFactory().get("/", {"q": "x"}), Customer.objects.order_by("id"))
    browsed = pagination.paginate(RequestFactory().get("/", {"q": " "}), Customer.objects.order_by("id"))
    assert (searched.paginator.count, searched.paginator.is_capped) == (2, True)
    assert (browsed.paginator.count, browsed.paginator.is_capped) == (4, False)
