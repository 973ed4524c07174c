"""The pool API: pools, preview, pooled customers, release, claim, assign; permissions and error statuses."""

import pytest
from django.test import Client
from django.utils import timezone

from kehu.core.activity import Activity
from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory
from kehu.org.services import api_token_create
from kehu.pool import services
from kehu.pool.models import Pool, PoolEvent
from kehu.pool.tests.factories import PoolFactory, pooled_customer

NOT_FOUND = {"detail": "Not found.", "field": None, "errors": {}}
NO_PERMISSION = {"detail": "You do not have permission to do this.", "field": None, "errors": {}}


def api_client(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(user, path, body=None):
    return api_client(user).post(f"/api/v1{path}", body or {}, content_type="application/json")


@pytest.fixture
def pools(org):
    default = PoolFactory(name="公海", is_default=True, position=10)
    east = PoolFactory(name="华东公海", position=1, departments=[org.east], admins=[org.team_lead])
    return default, east


def test_list_pools_shows_the_callers_pools(org, pools):
    default, east = pools

    response = api_client(org.rep).get("/api/v1/pools")

    assert response.status_code == 200
    body = response.json()
    assert [p["id"] for p in body] == [east.pk, default.pk]
    assert body[0]["departments"] == [org.east.pk]
    assert body[0]["admins"] == [org.team_lead.pk]


def test_claim_gives_the_customer_to_the_caller(org, pools):
    _default, east = pools
    customer = pooled_customer(east)

    response = post(org.rep, f"/customers/{customer.pk}/claim")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["owner"], body["pool"], body["pooled_at"], body["is_locked"]) == (
        customer.pk,
        org.rep.pk,
        None,
        None,
        False,
    )


def test_a_rep_cannot_claim_from_a_pool_they_do_not_belong_to(org, pools):
    _default, east = pools
    customer = pooled_customer(east)

    response = post(org.other_dept_rep, f"/customers/{customer.pk}/claim")

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert Customer.objects.get().owner is None


def test_the_loser_of_a_race_gets_409(org, pools, monkeypatch):
    _default, east = pools
    customer = pooled_customer(east)
    stale = list(Customer.objects.select_related("pool").filter(pk=customer.pk))
    post(org.peer_rep, f"/customers/{customer.pk}/claim")
    monkeypatch.setattr(services, "_pooled", lambda ids: stale)

    response = post(org.rep, f"/customers/{customer.pk}/claim")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Someone else claimed this customer just now.",
        "field": None,
        "errors": {},
    }


def test_claiming_an_owned_customer_is_409(org, pools):
    customer = CustomerFactory(owner=org.rep)

    response = post(org.rep, f"/customers/{customer.pk}/claim")

    assert (response.status_code, response.json()["detail"]) == (409, "This customer is not in a pool.")


def test_release_with_reason_and_not_anothers_customer(org, pools):
    default, east = pools
    mine, other = CustomerFactory(owner=org.rep), CustomerFactory(owner=org.rep)
    theirs = CustomerFactory(owner=org.peer_rep)

    refused = post(org.rep, f"/customers/{theirs.pk}/release", {"reason": "x"})
    response = post(org.rep, f"/customers/{mine.pk}/release", {"reason": "无需求"})
    to_east = post(org.rep, f"/customers/{other.pk}/release", {"reason": "无需求", "pool": east.pk})

    assert (refused.status_code, refused.json()) == (404, NOT_FOUND)
    assert (response.status_code, response.json()) == (200, {"count": 1})
    assert to_east.status_code == 200
    # without a pool the company-wide one
    assert Customer.objects.get(pk=mine.pk).pool == default
    assert Customer.objects.get(pk=other.pk).pool == east
    assert Customer.objects.get(pk=theirs.pk).owner == org.peer_rep


def test_release_without_a_reason_is_400(org, pools):
    customer = CustomerFactory(owner=org.rep)

    response = post(org.rep, f"/customers/{customer.pk}/release", {"reason": " "})

    assert response.status_code == 400
    assert response.json()["field"] == "reason"


def test_a_rep_cannot_assign_an_admin_can(org, pools):
    _default, east = pools
    customer = pooled_customer(east)

    refused = post(org.rep, f"/customers/{customer.pk}/assign", {"owner": org.rep.pk})
    response = post(org.team_lead, f"/customers/{customer.pk}/assign", {"owner": org.east_rep.pk})

    assert (refused.status_code, refused.json()) == (403, NO_PERMISSION)
    assert (response.status_code, response.json()) == (200, {"count": 1})
    assert Customer.objects.get().owner == org.east_rep


def test_batch_claim_and_its_limit(org, pools):
    _default, east = pools
    Pool.objects.filter(pk=east.pk).update(claims_per_batch=2)
    ids = [pooled_customer(east).pk for _ in range(3)]

    refused = post(org.rep, f"/pools/{east.pk}/claim", {"customer_ids": ids})
    response = post(org.rep, f"/pools/{east.pk}/claim", {"customer_ids": ids[:2]})

    assert refused.status_code == 400
    assert refused.json()["detail"] == "You can claim at most 2 customers at a time from this pool."
    assert (response.status_code, response.json()) == (200, {"count": 2})


def test_batch_assign(org, pools):
    _default, east = pools
    ids = [pooled_customer(east).pk for _ in range(2)]

    response = post(org.team_lead, f"/pools/{east.pk}/assign", {"customer_ids": ids, "owner": org.rep.pk})

    assert (response.status_code, response.json()) == (200, {"count": 2})
    assert PoolEvent.objects.filter(kind="assigned").count() == 2


def test_pool_customers_are_paginated(org, pools):
    _default, east = pools
    customers = [pooled_customer(east, name=f"客户{i}") for i in range(3)]

    response = api_client(org.rep).get(f"/api/v1/pools/{east.pk}/customers?limit=2&q=客户1")
    everyone = api_client(org.rep).get(f"/api/v1/pools/{east.pk}/customers?limit=2")

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["items"]] == [customers[1].pk]
    assert everyone.json()["count"] == 3
    assert len(everyone.json()["items"]) == 2


def test_preview_counts_per_rule_and_owner(org, pools):
    _default, east = pools
    CustomerFactory(owner=org.rep, received_at=timezone.now() - timezone.timedelta(days=20))

    response = post(org.team_lead, f"/pools/{east.pk}/preview", {"no_followup_days": 15})
    refused = post(org.rep, f"/pools/{east.pk}/preview", {"no_followup_days": 15})

    assert response.status_code == 200
    assert response.json() == {
        "no_followup": 1,
        "not_closed": 0,
        "total": 1,
        "by_owner": [{"owner": org.rep.pk, "owner_name": str(org.rep), "count": 1}],
    }
    assert Pool.objects.get(pk=east.pk).no_followup_days is None
    assert refused.status_code == 403


def test_create_and_patch_pools(org, pools):
    _default, east = pools

    created = post(
        org.admin, "/pools", {"name": "华南公海", "departments": [org.south.pk], "claims_per_day": 5}
    )
    patched = api_client(org.team_lead).patch(
        f"/api/v1/pools/{east.pk}", {"no_followup_days": 30}, content_type="application/json"
    )
    refused = api_client(org.rep).patch(
        f"/api/v1/pools/{east.pk}", {"no_followup_days": 1}, content_type="application/json"
    )
    invalid = api_client(org.team_lead).patch(
        f"/api/v1/pools/{east.pk}", {"claims_per_day": 0}, content_type="application/json"
    )

    assert created.status_code == 201
    assert (created.json()["departments"], created.json()["claims_per_day"]) == ([org.south.pk], 5)
    assert (patched.status_code, patched.json()["no_followup_days"]) == (200, 30)
    assert (refused.status_code, refused.json()) == (403, NO_PERMISSION)
    assert (invalid.status_code, invalid.json()["field"]) == (400, "claims_per_day")


def test_lock_and_unlock_a_customer_within_the_pools_cap(org, pools):
    _default, east = pools
    Pool.objects.filter(pk=east.pk).update(max_locked_customers=1)
    first, second = CustomerFactory(owner=org.rep), CustomerFactory(owner=org.rep)
    theirs = CustomerFactory(owner=org.peer_rep)

    locked = post(org.rep, f"/customers/{first.pk}/lock")
    over_cap = post(org.rep, f"/customers/{second.pk}/lock")
    not_mine = post(org.rep, f"/customers/{theirs.pk}/lock")

    assert (locked.status_code, locked.json()["is_locked"]) == (200, True)
    assert over_cap.status_code == 400
    assert "already has 1 locked customers; the most allowed is 1." in over_cap.json()["detail"]
    assert (not_mine.status_code, not_mine.json()) == (404, NOT_FOUND)
    assert list(Customer.objects.filter(is_locked=True)) == [first]
    unlocked = post(org.rep, f"/customers/{first.pk}/unlock")
    assert (unlocked.status_code, unlocked.json()["is_locked"]) == (200, False)
    assert post(org.rep, f"/customers/{second.pk}/lock").status_code == 200
    verbs = list(Activity.objects.filter(customer_id=first.pk).values_list("verb", flat=True).order_by("id"))
    assert verbs[-2:] == ["customer.locked", "customer.unlocked"]


def test_a_locked_customer_stays_with_its_owner_when_the_pool_exempts_locked_ones(org, pools):
    _default, east = pools
    Pool.objects.filter(pk=east.pk).update(no_followup_days=10, exempt_locked=True, max_locked_customers=5)
    old = timezone.now() - timezone.timedelta(days=30)
    kept = CustomerFactory(owner=org.rep, received_at=old, last_followup_at=old)
    lost = CustomerFactory(owner=org.rep, received_at=old, last_followup_at=old)
    post(org.rep, f"/customers/{kept.pk}/lock")

    services.pool_reclaim()

    assert Customer.objects.get(pk=kept.pk).owner == org.rep
    assert Customer.objects.get(pk=lost.pk).pool == east
    assert post(org.rep, f"/customers/{lost.pk}/lock").status_code == 404  # pooled: no longer theirs


def test_ids_beyond_what_a_database_holds_are_refused_not_a_server_error(org, pools):
    _default, east = pools
    huge = 10**20

    claim = post(org.rep, f"/pools/{east.pk}/claim", {"customer_ids": [huge]})
    assign = post(org.team_lead, f"/pools/{east.pk}/assign", {"customer_ids": [1], "owner": huge})
    release = post(
        org.rep, f"/customers/{CustomerFactory(owner=org.rep).pk}/release", {"reason": "x", "pool": huge}
    )

    assert (claim.status_code, assign.status_code, release.status_code) == (422, 422, 422)


def test_claiming_someone_elses_owned_customer_looks_like_a_missing_one(org, pools):
    theirs = CustomerFactory(owner=org.other_dept_rep)

    claim = post(org.rep, f"/customers/{theirs.pk}/claim")
    missing = post(org.rep, "/customers/999999/claim")

    assert (claim.status_code, claim.json()) == (missing.status_code, missing.json()) == (404, NOT_FOUND)
