"""Twenty reps claiming one customer at once on PostgreSQL: exactly one wins, one event is recorded."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from kehu.core.exceptions import ConflictError
from kehu.customers.models import Customer
from kehu.org.tests.factories import UserFactory
from kehu.pool.models import PoolEvent
from kehu.pool.services import customer_claim
from kehu.pool.tests.factories import PoolFactory, pooled_customer

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_reps_claim_one_customer_exactly_one_wins(org):
    pool = PoolFactory(name="公海", is_default=True)
    customer = pooled_customer(pool)
    reps = [
        UserFactory(username=f"claimer{i}", department=org.shanghai, role=org.rep.role)
        for i in range(THREADS)
    ]
    start = threading.Barrier(THREADS)
    results: list[str] = []

    def claim(rep) -> None:
        translation.activate("en")  # a new thread starts in the default language
        try:
            start.wait()
            customer_claim(actor=rep, customer_id=customer.pk)
            results.append("won")
        except ConflictError as exc:
            results.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(rep,)) for rep in reps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert results.count("won") == 1
    assert len(results) == THREADS
    assert set(results) == {"won", "Someone else claimed this customer just now."}
    winner = Customer.objects.get(pk=customer.pk).owner
    assert winner in reps
    assert list(PoolEvent.objects.values_list("kind", "to_user_id")) == [("claimed", winner.pk)]
