"""The follow-ups API: recording with a plan, lists and filters, plans, data scope and errors."""

from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.utils import timezone

from kehu.customers.models import Customer
from kehu.customers.tests.factories import ContactFactory, CustomerFactory
from kehu.followups.choices import PlanStatus
from kehu.followups.models import FollowUp, FollowUpPlan
from kehu.followups.tests.factories import FollowUpFactory, PlanFactory
from kehu.org.services import api_token_create

NOT_FOUND = {"detail": "Not found.", "field": None, "errors": {}}
NO_PERMISSION = {"detail": "You do not have permission to do this.", "field": None, "errors": {}}


def api_client(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def stamp(value) -> str:
    return DjangoJSONEncoder().default(value)


def test_post_records_a_followup_with_its_plan(org):
    customer = CustomerFactory(owner=org.rep, name="华为")
    contact = ContactFactory(customer=customer, name="张三")
    next_at = (timezone.now() + timedelta(days=1)).replace(microsecond=0)

    response = api_client(org.rep).post(
        "/api/v1/followups",
        {
            "customer": customer.pk,
            "contact": contact.pk,
            "method": "phone",
            "content": "确认需求",
            "next_at": next_at.isoformat(),
            "next_action": "发方案",
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    body = response.json()
    followup = FollowUp.objects.get()
    plan = FollowUpPlan.objects.get()
    assert body == {
        "id": followup.pk,
        "customer": customer.pk,
        "customer_name": "华为",
        "contact": contact.pk,
        "contact_name": "张三",
        "method": "phone",
        "content": "确认需求",
        "occurred_at": stamp(followup.occurred_at),
        "created_by": org.rep.pk,
        "created_by_name": str(org.rep),
        "created_at": stamp(followup.created_at),
        "next_plan": {
            "id": plan.pk,
            "customer": customer.pk,
            "customer_name": "华为",
            "owner": org.rep.pk,
            "owner_name": str(org.rep),
            "due_at": stamp(next_at),
            "action": "发方案",
            "status": "open",
            "source": followup.pk,
            "done_at": None,
            "done_by_followup": None,
            "created_at": stamp(plan.created_at),
        },
    }
    customer = Customer.objects.get(pk=customer.pk)
    assert (customer.last_followup_at, customer.next_followup_at) == (followup.occurred_at, next_at)


def test_post_without_plan_answers_next_plan_null(org):
    customer = CustomerFactory(owner=org.rep)

    response = api_client(org.rep).post(
        "/api/v1/followups",
        {"customer": customer.pk, "method": "email", "content": "发了资料"},
        "application/json",
    )

    assert response.status_code == 201
    assert response.json()["next_plan"] is None
    assert response.json()["contact"] is None


def test_post_validation_errors_name_the_field(org):
    customer = CustomerFactory(owner=org.rep)
    client = api_client(org.rep)

    past = (timezone.now() - timedelta(hours=1)).isoformat()
    response = client.post(
        "/api/v1/followups",
        {"customer": customer.pk, "method": "phone", "content": "x", "next_at": past},
        "application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The next contact must be planned for a time in the future.",
        "field": "next_at",
        "errors": {"next_at": ["The next contact must be planned for a time in the future."]},
    }

    response = client.post(
        "/api/v1/followups", {"customer": customer.pk, "method": "fax", "content": "x"}, "application/json"
    )
    assert (response.status_code, response.json()["field"]) == (400, "method")

    response = client.post(
        "/api/v1/followups", {"customer": customer.pk, "content": "x", "owner": 3}, "application/json"
    )
    assert response.status_code == 422
    assert FollowUp.objects.count() == 0


def test_post_for_a_customer_outside_the_scope_is_refused(org):
    customer = CustomerFactory(owner=org.peer_rep)

    response = api_client(org.rep).post(
        "/api/v1/followups", {"customer": customer.pk, "method": "phone", "content": "x"}, "application/json"
    )

    assert response.status_code == 400
    assert response.json()["field"] == "customer"
    assert response.json()["detail"] == f"There is no customer with id {customer.pk}."
    assert FollowUp.objects.count() == 0


def test_post_without_permission_is_403(org):
    customer = CustomerFactory(owner=org.outsider)

    response = api_client(org.outsider).post(
        "/api/v1/followups", {"customer": customer.pk, "method": "phone", "content": "x"}, "application/json"
    )

    assert (response.status_code, response.json()) == (403, NO_PERMISSION)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("rep", ["rep1"]),
        ("team_lead", ["lead", "rep4"]),
        ("dept_manager", ["lead", "rep1", "rep2", "rep3", "rep4"]),
        ("director", ["lead", "outsider", "rep1", "rep2", "rep3", "rep4"]),
    ],
)
def test_list_shows_only_the_data_scope(org, persona, expected):
    owners = [org.rep, org.peer_rep, org.east_rep, org.other_dept_rep, org.team_lead, org.outsider]
    for owner in owners:
        FollowUpFactory(customer=CustomerFactory(owner=owner), content=owner.username)

    response = api_client(getattr(org, persona)).get("/api/v1/followups")

    assert response.status_code == 200
    assert sorted(item["content"] for item in response.json()["items"]) == expected
    assert response.json()["count"] == len(expected)


def test_list_filters_and_bad_filter(org):
    customer = CustomerFactory(owner=org.rep)
    FollowUpFactory(customer=customer, method="visit", content="visit")
    FollowUpFactory(customer=CustomerFactory(owner=org.rep), method="phone", content="phone")
    client = api_client(org.rep)

    response = client.get(f"/api/v1/followups?customer={customer.pk}")
    assert [item["content"] for item in response.json()["items"]] == ["visit"]
    response = client.get("/api/v1/followups?method=phone")
    assert [item["content"] for item in response.json()["items"]] == ["phone"]
    response = client.get(f"/api/v1/followups?author={org.rep.pk}&date_from={timezone.localdate()}")
    assert response.json()["count"] == 2
    response = client.get("/api/v1/followups?method=fax")
    assert (response.status_code, response.json()["field"]) == (400, "method")


def test_get_and_delete_respect_the_scope(org):
    mine = FollowUpFactory(customer=CustomerFactory(owner=org.rep))
    peers = FollowUpFactory(customer=CustomerFactory(owner=org.peer_rep))
    client = api_client(org.rep)

    assert client.get(f"/api/v1/followups/{mine.pk}").json()["id"] == mine.pk
    response = client.get(f"/api/v1/followups/{peers.pk}")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert client.delete(f"/api/v1/followups/{peers.pk}").status_code == 404

    assert client.delete(f"/api/v1/followups/{mine.pk}").status_code == 204
    assert client.get(f"/api/v1/followups/{mine.pk}").status_code == 404
    assert FollowUp.objects.get(pk=peers.pk).deleted_at is None


def test_rep_cannot_delete_a_managers_followup(org):
    followup = FollowUpFactory(customer=CustomerFactory(owner=org.rep), created_by=org.dept_manager)

    response = api_client(org.rep).delete(f"/api/v1/followups/{followup.pk}")

    assert (response.status_code, response.json()) == (403, NO_PERMISSION)


# Plans ------------------------------------------------------------------------------------------------------


def test_plan_list_is_mine_by_due_bucket(org):
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    customer = CustomerFactory(owner=org.rep)
    PlanFactory(customer=customer, due_at=start - timedelta(hours=1), action="overdue")
    PlanFactory(customer=customer, due_at=start + timedelta(minutes=5), action="today")
    PlanFactory(customer=CustomerFactory(owner=org.peer_rep), due_at=start, action="peer")
    client = api_client(org.rep)

    assert [p["action"] for p in client.get("/api/v1/followup-plans").json()["items"]] == ["overdue", "today"]
    assert [p["action"] for p in client.get("/api/v1/followup-plans?due=today").json()["items"]] == ["today"]
    assert [p["action"] for p in client.get("/api/v1/followup-plans?due=overdue").json()["items"]] == [
        "overdue"
    ]
    response = client.get("/api/v1/followup-plans?due=later")
    assert (response.status_code, response.json()["field"]) == (400, "due")


def test_plan_list_of_a_customer(org):
    customer = CustomerFactory(owner=org.rep)
    PlanFactory(customer=customer, action="a")

    response = api_client(org.dept_manager).get(f"/api/v1/followup-plans?customer={customer.pk}")
    assert [p["action"] for p in response.json()["items"]] == ["a"]
    response = api_client(org.peer_rep).get(f"/api/v1/followup-plans?customer={customer.pk}")
    assert (response.status_code, response.json()["field"]) == (400, "customer")


def test_complete_cancel_and_reschedule(org):
    customer = CustomerFactory(owner=org.rep)
    first = PlanFactory(customer=customer, due_at=timezone.now() + timedelta(days=1))
    second = PlanFactory(customer=customer, due_at=timezone.now() + timedelta(days=2))
    client = api_client(org.rep)

    response = client.post(f"/api/v1/followup-plans/{first.pk}/complete")
    assert (response.status_code, response.json()["status"]) == (200, "done")
    assert client.post(f"/api/v1/followup-plans/{first.pk}/cancel").status_code == 409

    new_time = (timezone.now() + timedelta(days=4)).replace(microsecond=0)
    response = client.patch(
        f"/api/v1/followup-plans/{second.pk}",
        {"due_at": new_time.isoformat(), "action": "上门"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["due_at"], response.json()["action"]) == (stamp(new_time), "上门")
    assert Customer.objects.get(pk=customer.pk).next_followup_at == new_time
    assert client.get(f"/api/v1/followup-plans/{second.pk}").json()["due_at"] == stamp(new_time)

    response = client.post(f"/api/v1/followup-plans/{second.pk}/cancel")
    assert (response.status_code, response.json()["status"]) == (200, PlanStatus.CANCELLED)
    assert Customer.objects.get(pk=customer.pk).next_followup_at is None


def test_plans_outside_the_scope_are_404(org):
    plan = PlanFactory(customer=CustomerFactory(owner=org.peer_rep))
    client = api_client(org.rep)

    for response in (
        client.get(f"/api/v1/followup-plans/{plan.pk}"),
        client.post(f"/api/v1/followup-plans/{plan.pk}/complete"),
        client.post(f"/api/v1/followup-plans/{plan.pk}/cancel"),
        client.patch(
            f"/api/v1/followup-plans/{plan.pk}",
            {"due_at": (timezone.now() + timedelta(days=1)).isoformat()},
            content_type="application/json",
        ),
    ):
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert FollowUpPlan.objects.get(pk=plan.pk).status == PlanStatus.OPEN


def test_plan_change_without_permission_is_403(org):
    plan = PlanFactory(customer=CustomerFactory(owner=org.outsider))

    response = api_client(org.outsider).post(f"/api/v1/followup-plans/{plan.pk}/complete")

    assert (response.status_code, response.json()) == (403, NO_PERMISSION)


@pytest.mark.parametrize("count", [3, 30])
def test_followup_list_runs_constant_queries(org, django_assert_num_queries, count):
    for n in range(count):
        customer = CustomerFactory(owner=[org.rep, org.peer_rep, org.other_dept_rep][n % 3])
        followup = FollowUpFactory(customer=customer, contact=ContactFactory(customer=customer))
        PlanFactory(customer=customer, source=followup)
    client = api_client(org.dept_manager)
    client.get("/api/v1/followups")  # the first use stamps the token's last_used_at

    # token + the manager's department subtree + count + page (customer, contact, author joined) + plans
    with django_assert_num_queries(5):
        response = client.get("/api/v1/followups")

    assert response.json()["count"] == count
    assert all(item["next_plan"] for item in response.json()["items"])


@pytest.mark.parametrize("count", [3, 30])
def test_plan_list_runs_constant_queries(org, django_assert_num_queries, count):
    for _n in range(count):
        PlanFactory(customer=CustomerFactory(owner=org.rep))
    client = api_client(org.rep)
    client.get("/api/v1/followup-plans")

    # token + count + page (customer, owner joined)
    with django_assert_num_queries(3):
        response = client.get("/api/v1/followup-plans")

    assert response.json()["count"] == count
