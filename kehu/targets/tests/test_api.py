"""The targets API: set, read, change and delete within scope; attainment as decimal strings; 422 on input
the schema refuses, 400 on a rule, 403 without the permission, 404 outside scope."""

import json
from datetime import date, datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.test import Client

from kehu.org.services import api_token_create
from kehu.targets.models import Target
from kehu.targets.services import Subject, target_set
from kehu.targets.tests.factories import SHANGHAI, contract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2026, 5, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def api(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="t")
    return Client(headers={"authorization": f"Bearer {raw}"})


def post(client, data):
    return client.post("/api/v1/targets", json.dumps(data), content_type="application/json")


def test_manager_sets_a_rep_target_split_evenly(org):
    response = post(
        api(org.dept_manager),
        {
            "year": 2026,
            "metric": "signed_amount",
            "subject_kind": "rep",
            "user": org.rep.pk,
            "amount": "100000",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "100000.00"
    assert body["subject"] == str(org.rep)
    assert body["months"][:5] == ["8333.34"] * 4 + ["8333.33"]


def test_months_that_do_not_add_up_are_refused(org):
    response = post(
        api(org.director),
        {
            "year": 2026,
            "metric": "new_customers",
            "subject_kind": "company",
            "amount": "120",
            "months": ["10"] * 11 + ["9"],
        },
    )
    assert response.status_code == 400
    assert response.json()["field"] == "months"
    assert "add up to 119" in response.json()["detail"]
    assert not Target.objects.exists()


def test_bad_input_is_422_and_a_duplicate_409(org):
    client = api(org.director)
    assert (
        post(client, {"year": 2026, "metric": "nope", "subject_kind": "company", "amount": "1"}).status_code
        == 422
    )
    assert (
        post(
            client, {"year": 2026, "metric": "received", "subject_kind": "company", "amount": "1"}
        ).status_code
        == 201
    )
    assert (
        post(
            client, {"year": 2026, "metric": "received", "subject_kind": "company", "amount": "2"}
        ).status_code
        == 409
    )


def test_a_rep_cannot_set_targets(org):
    response = post(
        api(org.rep),
        {"year": 2026, "metric": "signed_amount", "subject_kind": "rep", "user": org.rep.pk, "amount": "1"},
    )
    assert response.status_code == 403
    assert not Target.objects.exists()


def test_a_team_lead_cannot_set_targets_outside_their_department(org):
    response = post(
        api(org.team_lead),
        {
            "year": 2026,
            "metric": "signed_amount",
            "subject_kind": "department",
            "department": org.south.pk,
            "amount": "1",
        },
    )
    assert response.status_code == 403


def test_read_patch_delete_and_404_outside_scope(org):
    theirs = target_set(
        actor=org.director,
        year=2026,
        metric="signed_amount",
        subject=Subject("rep", user=org.peer_rep),
        amount=D("1200"),
    )
    assert api(org.rep).get(f"/api/v1/targets/{theirs.pk}").status_code == 404
    assert [t["id"] for t in api(org.rep).get("/api/v1/targets").json()] == []
    manager = api(org.dept_manager)
    assert manager.get(f"/api/v1/targets/{theirs.pk}").json()["months"] == ["100.00"] * 12
    months = ["0.00"] * 11 + ["1500.00"]
    response = manager.patch(
        f"/api/v1/targets/{theirs.pk}",
        json.dumps({"amount": "1500", "months": months}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["months"] == months
    assert manager.delete(f"/api/v1/targets/{theirs.pk}").status_code == 204
    assert not Target.objects.exists()


def test_attainment_report(org):
    contract(org.rep, date(2026, 5, 2), "600.00")
    contract(org.peer_rep, date(2026, 5, 3), "9999.00")
    target_set(
        actor=org.director,
        year=2026,
        metric="signed_amount",
        subject=Subject("rep", user=org.rep),
        amount=D("12000"),
    )
    target_set(
        actor=org.director,
        year=2026,
        metric="signed_amount",
        subject=Subject("rep", user=org.peer_rep),
        amount=D("12000"),
    )
    response = api(org.rep).get("/api/v1/reports/targets/attainment?metric=signed_amount")
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2026-05-15"
    assert len(body["rows"]) == 1
    mtd = body["rows"][0]["mtd"]
    assert mtd == {
        "target": "1000.00",
        "actual": "600.00",
        "attainment": "60.00",
        "gap": "400.00",
        "last_year": "0.00",
        "growth": None,
    }
    assert api(org.rep).get("/api/v1/reports/targets/attainment?as_of=nope").status_code == 422
    assert (
        api(org.rep).get("/api/v1/reports/targets/attainment?year=2026&as_of=2025-01-01").status_code == 400
    )
