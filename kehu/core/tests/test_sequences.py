"""Document numbers: format, yearly restart, settings kept, unique under concurrent use (PostgreSQL)."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction

from kehu.core.sequences import NumberSequence, sequence_next

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_numbers_count_up_and_restart_with_the_year_in_the_local_time_zone():
    with time_machine.travel(datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI), tick=False):
        assert [sequence_next("quote", prefix="QT-") for _ in range(2)] == [
            "QT-2026-000001",
            "QT-2026-000002",
        ]
    with time_machine.travel(datetime(2027, 1, 1, 0, 1, tzinfo=SHANGHAI), tick=False):
        assert sequence_next("quote", prefix="QT-") == "QT-2027-000001"


@pytest.mark.django_db
def test_an_administrators_settings_win_over_the_callers_defaults():
    NumberSequence.objects.create(key="contract", prefix="HT", padding=4, yearly=False, last_value=41)
    assert sequence_next("contract", prefix="C-") == "HT0042"


@pytest.mark.django_db
def test_a_rolled_back_document_gives_its_number_back():
    def document_that_fails() -> None:
        with transaction.atomic():
            sequence_next("quote", prefix="QT-")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        document_that_fails()
    assert sequence_next("quote", prefix="QT-").endswith("-000001")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_documents_never_share_a_number():
    threads, numbers = 12, []
    start = threading.Barrier(threads)

    def take() -> None:
        try:
            start.wait()
            with transaction.atomic():
                numbers.append(sequence_next("quote", prefix="QT-"))
        finally:
            connection.close()

    workers = [threading.Thread(target=take) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert len(numbers) == threads
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, threads + 1))


@pytest.mark.django_db
def test_the_admin_only_lets_the_last_number_go_up(admin_client):
    sequence = NumberSequence.objects.create(key="quote", prefix="QT-", last_value=41)
    url = f"/admin/core/numbersequence/{sequence.pk}/change/"
    data = {"key": "quote", "prefix": "QT-", "padding": "6", "yearly": "on"}

    lower = admin_client.post(url, {**data, "last_value": "40"})
    higher = admin_client.post(url, {**data, "last_value": "1000"})

    assert "The last number can only go up" in lower.content.decode()
    assert higher.status_code == 302
    sequence.refresh_from_db()
    assert sequence.last_value == 1000
