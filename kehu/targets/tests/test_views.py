"""The targets page, the form (split, edit the months, save; refused when the months do not add up), the
menu entry, the permissions, and the Excel export opened with openpyxl."""

from datetime import date, datetime
from decimal import Decimal as D
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook

from kehu.targets.models import Target
from kehu.targets.services import Subject, target_set
from kehu.targets.tests.factories import SHANGHAI, contract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2026, 5, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def form_data(org, **extra):
    data = {
        "year": "2026",
        "metric": "signed_amount",
        "subject_kind": "rep",
        "user": str(org.rep.pk),
        "amount": "1200",
        "split_method": "even",
        "weights": "",
    }
    return {**data, **extra}


def test_page_shows_attainment_and_the_menu_entry(client, org):
    contract(org.rep, date(2026, 5, 2), "600.00")
    target_set(
        actor=org.director,
        year=2026,
        metric="signed_amount",
        subject=Subject("rep", user=org.rep),
        amount=D("12000"),
    )
    client.force_login(org.rep)
    response = client.get("/targets/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="nav-targets"' in html
    assert 'data-testid="mtd-actual">600.00<' in html
    assert 'data-testid="mtd-attainment">60.00%<' in html
    assert 'data-testid="target-new"' not in html  # a rep may not set targets


def test_htmx_filter_returns_the_fragment(client, org):
    client.force_login(org.director)
    response = client.get(
        "/targets/?year=2025", headers={"HX-Request": "true", "HX-Target": "target-attainment"}
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="target-attainment">')
    assert client.get("/targets/?year=abc").status_code == 400


def test_split_then_save(client, org):
    client.force_login(org.dept_manager)
    assert client.get("/targets/new/").status_code == 200
    response = client.post(
        "/targets/new/",
        {**form_data(org, split_method="seasonal", weights="1,1,1,1,1,1,1,1,1,1,1,5"), "action": "split"},
    )
    assert response.status_code == 200
    assert response.context["form"]["month_12"].value() == "375.00"
    months = {f"month_{m}": "75.00" for m in range(1, 12)} | {"month_12": "375.00"}
    response = client.post(
        "/targets/new/",
        {
            **form_data(org, split_method="seasonal", weights="1,1,1,1,1,1,1,1,1,1,1,5"),
            **months,
            "action": "save",
        },
    )
    assert response.status_code == 302
    target = Target.objects.get()
    assert target.monthly[-1] == D("375.00")
    assert target.amount == D("1200.00")


def test_months_that_do_not_add_up_are_refused_with_a_message(client, org):
    client.force_login(org.dept_manager)
    months = {f"month_{m}": "100.00" for m in range(1, 13)} | {"month_1": "99.00"}
    response = client.post("/targets/new/", {**form_data(org), **months, "action": "save"})
    assert response.status_code == 200
    assert "The months add up to 1199.00, not to the annual target 1200.00." in response.content.decode()
    assert not Target.objects.exists()


def test_last_year_split_falls_back_to_even_and_says_so(client, org):
    client.force_login(org.dept_manager)
    response = client.post(
        "/targets/new/", {**form_data(org, split_method="last_year"), "action": "split"}, follow=True
    )
    assert "Last year is empty for this subject" in response.content.decode()
    assert response.context["form"]["month_1"].value() == "100.00"


def test_a_rep_cannot_open_the_form(client, org):
    client.force_login(org.rep)
    assert client.get("/targets/new/").status_code == 403
    assert client.post("/targets/new/", {**form_data(org), "action": "save"}).status_code == 403
    assert not Target.objects.exists()


def test_delete_needs_scope(client, org):
    theirs = target_set(
        actor=org.director,
        year=2026,
        metric="signed_amount",
        subject=Subject("rep", user=org.other_dept_rep),
        amount=D("12"),
    )
    client.force_login(org.team_lead)
    assert client.post(f"/targets/{theirs.pk}/delete/").status_code == 404
    client.force_login(org.dept_manager)
    assert client.post(f"/targets/{theirs.pk}/delete/").status_code == 302
    assert not Target.objects.exists()


def test_export(client, org):
    contract(org.rep, date(2026, 5, 2), "600.00")
    target_set(
        actor=org.director,
        year=2026,
        metric="signed_amount",
        subject=Subject("rep", user=org.rep),
        amount=D("12000"),
    )
    target_set(
        actor=org.director, year=2026, metric="signed_amount", subject=Subject("company"), amount=D("24000")
    )
    client.force_login(org.dept_manager)
    response = client.get("/targets/export/?year=2026&metric=signed_amount")
    assert response.status_code == 200
    rows = list(
        load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    header, data = rows[0], {r[2]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert header[:4] == ("Year", "Metric", "Subject", "Annual target")
    rep = data[f"Rep: {org.rep}"]
    assert rep["MTD actual"] == 600
    assert rep["MTD attainment %"] == 60
    assert rep["YTD gap"] == 11400
    assert data["Company: Company"]["YTD actual"] == 600
