"""Follow-up services: validation, plans fulfilled and created, and the customer's denormalised times."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehu.core.activity import Activity
from kehu.core.exceptions import ConflictError, PermissionDeniedError
from kehu.core.verbs import activity_sentence
from kehu.customers import services as customer_services
from kehu.customers.models import Customer
from kehu.customers.tests.factories import ContactFactory, CustomerFactory
from kehu.followups import services
from kehu.followups.choices import PlanStatus
from kehu.followups.models import FollowUp, FollowUpPlan
from kehu.followups.services import end_of_today, followup_record
from kehu.followups.tests.factories import FollowUpFactory, PlanFactory


def fresh(customer: Customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


# Recording -------------------------------------------------------------------------------------------------


def test_record_creates_followup_plan_and_updates_customer(org):
    customer = CustomerFactory(owner=org.rep)
    contact = ContactFactory(customer=customer, name="王经理")
    next_at = timezone.now() + timedelta(days=2)

    followup = followup_record(
        actor=org.rep,
        customer=customer,
        data={
            "method": "visit",
            "content": "  上门演示了新版本  ",
            "contact": contact.pk,
            "next_at": next_at,
            "next_action": "发送报价",
        },
    )

    assert (followup.method, followup.content, followup.contact, followup.created_by) == (
        "visit",
        "上门演示了新版本",
        contact,
        org.rep,
    )
    plan = followup.new_plan
    assert (plan.owner, plan.due_at, plan.action, plan.status, plan.source) == (
        org.rep,
        next_at,
        "发送报价",
        PlanStatus.OPEN,
        followup,
    )
    customer = fresh(customer)
    assert customer.last_followup_at == followup.occurred_at
    assert customer.next_followup_at == next_at


def test_record_without_next_plan_leaves_next_followup_empty(org):
    customer = CustomerFactory(owner=org.rep)

    followup = followup_record(actor=org.rep, customer=customer, data={"method": "phone", "content": "问候"})

    assert followup.new_plan is None
    assert FollowUpPlan.objects.count() == 0
    assert fresh(customer).next_followup_at is None
    assert fresh(customer).last_followup_at == followup.occurred_at


def test_plan_of_unowned_customer_belongs_to_the_actor(org):
    customer = CustomerFactory(owner=None, department=None)
    next_at = timezone.now() + timedelta(days=1)

    followup = followup_record(
        actor=org.director, customer=customer, data={"method": "phone", "content": "x", "next_at": next_at}
    )

    assert followup.new_plan.owner == org.director


def test_plan_belongs_to_the_customer_owner_when_a_manager_records(org):
    customer = CustomerFactory(owner=org.rep)

    followup = followup_record(
        actor=org.dept_manager,
        customer=customer,
        data={"method": "phone", "content": "x", "next_at": timezone.now() + timedelta(days=1)},
    )

    assert (followup.created_by, followup.new_plan.owner, followup.new_plan.created_by) == (
        org.dept_manager,
        org.rep,
        org.dept_manager,
    )


def test_last_followup_never_goes_back_for_an_older_followup(org):
    customer = CustomerFactory(owner=org.rep)
    recent = followup_record(actor=org.rep, customer=customer, data={"method": "phone", "content": "新"})

    followup_record(
        actor=org.rep,
        customer=customer,
        data={"method": "email", "content": "补记", "occurred_at": timezone.now() - timedelta(days=3)},
    )

    assert fresh(customer).last_followup_at == recent.occurred_at


def test_record_fulfils_plans_due_by_end_of_today_only(org):
    customer = CustomerFactory(owner=org.rep)
    overdue = PlanFactory(customer=customer, due_at=timezone.now() - timedelta(days=2))
    today = PlanFactory(customer=customer, due_at=end_of_today())
    later = PlanFactory(customer=customer, due_at=end_of_today() + timedelta(hours=1))
    cancelled = PlanFactory(customer=customer, due_at=timezone.now(), status=PlanStatus.CANCELLED)
    other_customer = PlanFactory(customer=CustomerFactory(owner=org.rep), due_at=timezone.now())

    followup = followup_record(actor=org.rep, customer=customer, data={"method": "phone", "content": "x"})

    for plan in (overdue, today, later, cancelled, other_customer):
        plan.refresh_from_db()
    assert [(p.status, p.done_by_followup) for p in (overdue, today)] == [
        (PlanStatus.DONE, followup),
        (PlanStatus.DONE, followup),
    ]
    assert overdue.done_at is not None
    assert (later.status, cancelled.status, other_customer.status) == (
        PlanStatus.OPEN,
        PlanStatus.CANCELLED,
        PlanStatus.OPEN,
    )
    assert fresh(customer).next_followup_at == later.due_at


def test_a_new_plan_due_today_is_not_fulfilled_by_its_own_followup(org):
    customer = CustomerFactory(owner=org.rep)
    soon = timezone.now() + timedelta(minutes=1)

    followup = followup_record(
        actor=org.rep, customer=customer, data={"method": "phone", "content": "x", "next_at": soon}
    )

    followup.new_plan.refresh_from_db()
    assert followup.new_plan.status == PlanStatus.OPEN
    assert fresh(customer).next_followup_at == soon


def test_record_leaves_a_timeline_entry(org):
    customer = CustomerFactory(owner=org.rep)
    contact = ContactFactory(customer=customer, name="李总")
    next_at = timezone.now() + timedelta(days=1)

    followup_record(
        actor=org.rep,
        customer=customer,
        data={"method": "wechat", "content": "长" * 100, "contact": contact, "next_at": next_at},
    )

    entry = Activity.objects.get(verb="followup.recorded")
    assert entry.customer_id == customer.pk
    assert entry.actor == org.rep
    assert entry.data == {
        "method": "wechat",
        "excerpt": "长" * 79 + "…",
        "contact": "李总",
        "plans_done": 0,
        "next_at": next_at.isoformat(),
    }
    local = timezone.localtime(next_at).strftime("%Y-%m-%d %H:%M")
    assert activity_sentence(entry) == f"recorded a follow-up (WeChat): {'长' * 79}…; next contact {local}"


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"method": "fax", "content": "x"}, {"method": ["Choose how you contacted the customer."]}),
        ({"method": "phone", "content": "   "}, {"content": ["Write what was discussed."]}),
        ({"method": "phone", "content": "x" * 5001}, {"content": ["Write at most 5000 characters."]}),
        (
            {"method": "phone", "content": "x", "occurred_at": "yesterday"},
            {"occurred_at": ["Enter a date and time."]},
        ),
        (
            {"method": "phone", "content": "x", "next_action": "报价"},
            {"next_at": ["Give the time of the next contact."]},
        ),
        (
            {"method": "phone", "content": "x", "next_at": "tomorrow"},
            {"next_at": ["Enter a date and time."]},
        ),
        (
            {"method": "phone", "content": "x", "next_at": None, "next_action": "y" * 501},
            {
                "next_at": ["Give the time of the next contact."],
                "next_action": ["Write at most 500 characters."],
            },
        ),
        ({"method": "phone", "content": "x", "owner": 1}, {"owner": ["This field cannot be set here."]}),
    ],
)
def test_record_validation_names_each_field(org, data, errors):
    customer = CustomerFactory(owner=org.rep)

    with pytest.raises(ValidationError) as exc:
        followup_record(actor=org.rep, customer=customer, data=data)

    assert exc.value.message_dict == errors
    assert FollowUp.objects.count() == 0


def test_followup_in_the_future_is_refused_within_tolerance_accepted(org):
    customer = CustomerFactory(owner=org.rep)

    with pytest.raises(ValidationError) as exc:
        followup_record(
            actor=org.rep,
            customer=customer,
            data={"method": "phone", "content": "x", "occurred_at": timezone.now() + timedelta(minutes=10)},
        )
    assert exc.value.message_dict == {"occurred_at": ["A follow-up cannot be dated in the future."]}

    followup = followup_record(
        actor=org.rep,
        customer=customer,
        data={"method": "phone", "content": "x", "occurred_at": timezone.now() + timedelta(minutes=2)},
    )
    assert followup.pk


def test_next_plan_must_be_in_the_future(org):
    customer = CustomerFactory(owner=org.rep)

    with pytest.raises(ValidationError) as exc:
        followup_record(
            actor=org.rep,
            customer=customer,
            data={"method": "phone", "content": "x", "next_at": timezone.now() - timedelta(minutes=1)},
        )

    assert exc.value.message_dict == {
        "next_at": ["The next contact must be planned for a time in the future."]
    }
    assert (FollowUp.objects.count(), FollowUpPlan.objects.count()) == (0, 0)


def test_naive_times_are_read_in_the_local_time_zone(org):
    customer = CustomerFactory(owner=org.rep)
    local = timezone.localtime() - timedelta(hours=1)

    followup = followup_record(
        actor=org.rep,
        customer=customer,
        data={"method": "phone", "content": "x", "occurred_at": local.replace(tzinfo=None)},
    )

    assert followup.occurred_at == local


def test_contact_of_another_customer_is_refused(org):
    customer = CustomerFactory(owner=org.rep)
    stranger = ContactFactory(customer=CustomerFactory(owner=org.rep))
    deleted = ContactFactory(customer=customer, deleted_at=timezone.now())

    for contact in (stranger.pk, deleted.pk, 999999, "abc"):
        with pytest.raises(ValidationError) as exc:
            followup_record(
                actor=org.rep, customer=customer, data={"method": "phone", "content": "x", "contact": contact}
            )
        assert exc.value.message_dict == {"contact": ["This contact does not belong to the customer."]}
    assert FollowUp.objects.count() == 0


def test_rep_cannot_record_for_another_reps_customer(org):
    customer = CustomerFactory(owner=org.peer_rep)

    with pytest.raises(PermissionDeniedError):
        followup_record(actor=org.rep, customer=customer, data={"method": "phone", "content": "x"})

    assert FollowUp.objects.count() == 0
    assert fresh(customer).last_followup_at is None


def test_user_without_the_permission_cannot_record(org):
    customer = CustomerFactory(owner=org.outsider)

    with pytest.raises(PermissionDeniedError):
        followup_record(actor=org.outsider, customer=customer, data={"method": "phone", "content": "x"})

    assert FollowUp.objects.count() == 0


def test_deleted_customer_cannot_get_followups(org):
    customer = CustomerFactory(owner=org.rep, deleted_at=timezone.now())

    with pytest.raises(PermissionDeniedError):
        followup_record(actor=org.rep, customer=customer, data={"method": "phone", "content": "x"})


# Deleting ---------------------------------------------------------------------------------------------------


def test_delete_falls_back_to_the_latest_followup_left(org):
    customer = CustomerFactory(owner=org.rep)
    older = followup_record(
        actor=org.rep,
        customer=customer,
        data={"method": "phone", "content": "旧", "occurred_at": timezone.now() - timedelta(days=2)},
    )
    newer = followup_record(actor=org.rep, customer=customer, data={"method": "phone", "content": "新"})

    services.followup_delete(actor=org.rep, followup=newer)

    assert FollowUp.objects.get(pk=newer.pk).deleted_at is not None
    assert fresh(customer).last_followup_at == older.occurred_at
    services.followup_delete(actor=org.rep, followup=older)
    assert fresh(customer).last_followup_at is None
    assert Activity.objects.filter(verb="followup.deleted", customer_id=customer.pk).count() == 2


def test_delete_twice_is_a_conflict(org):
    followup = FollowUpFactory(customer=CustomerFactory(owner=org.rep))
    services.followup_delete(actor=org.rep, followup=followup)

    with pytest.raises(ConflictError):
        services.followup_delete(actor=org.rep, followup=followup)


def test_rep_cannot_delete_a_followup_recorded_by_a_manager(org):
    customer = CustomerFactory(owner=org.rep)
    followup = FollowUpFactory(customer=customer, created_by=org.dept_manager)

    with pytest.raises(PermissionDeniedError):
        services.followup_delete(actor=org.rep, followup=followup)

    assert FollowUp.objects.get(pk=followup.pk).deleted_at is None


def test_manager_deletes_a_reps_followup_in_scope_but_not_outside(org):
    mine = FollowUpFactory(customer=CustomerFactory(owner=org.rep))
    outside = FollowUpFactory(customer=CustomerFactory(owner=org.outsider))

    services.followup_delete(actor=org.dept_manager, followup=mine)

    with pytest.raises(PermissionDeniedError):
        services.followup_delete(actor=org.dept_manager, followup=outside)
    assert FollowUp.objects.get(pk=outside.pk).deleted_at is None


# Plans ------------------------------------------------------------------------------------------------------


def test_complete_and_cancel_keep_next_followup_right(org):
    customer = CustomerFactory(owner=org.rep)
    first = PlanFactory(customer=customer, due_at=timezone.now() + timedelta(days=1))
    second = PlanFactory(customer=customer, due_at=timezone.now() + timedelta(days=3))
    services.customer_refresh_next_followup(customer_id=customer.pk)
    assert fresh(customer).next_followup_at == first.due_at

    services.plan_complete(actor=org.rep, plan=first)
    assert (first.status, fresh(customer).next_followup_at) == (PlanStatus.DONE, second.due_at)
    assert first.done_at is not None

    services.plan_cancel(actor=org.rep, plan=second)
    assert (second.status, fresh(customer).next_followup_at) == (PlanStatus.CANCELLED, None)
    verbs = list(Activity.objects.filter(customer_id=customer.pk).values_list("verb", flat=True))
    assert sorted(verbs) == ["followup_plan.cancelled", "followup_plan.completed"]


def test_reschedule_moves_the_plan_and_next_followup(org):
    customer = CustomerFactory(owner=org.rep)
    plan = PlanFactory(customer=customer, due_at=timezone.now() + timedelta(days=1))
    new_time = timezone.now() + timedelta(days=5)

    services.plan_reschedule(actor=org.rep, plan=plan, due_at=new_time, action=" 再次报价 ")

    plan.refresh_from_db()
    assert (plan.due_at, plan.action, plan.status) == (new_time, "再次报价", PlanStatus.OPEN)
    assert fresh(customer).next_followup_at == new_time
    entry = Activity.objects.get(verb="followup_plan.rescheduled")
    assert entry.customer_id == customer.pk


def test_reschedule_keeps_the_action_when_none_is_given(org):
    plan = PlanFactory(customer=CustomerFactory(owner=org.rep), action="报价")

    services.plan_reschedule(actor=org.rep, plan=plan, due_at=timezone.now() + timedelta(hours=3))

    assert FollowUpPlan.objects.get(pk=plan.pk).action == "报价"


def test_reschedule_refuses_past_times_and_long_actions(org):
    plan = PlanFactory(customer=CustomerFactory(owner=org.rep))
    before = plan.due_at

    with pytest.raises(ValidationError) as exc:
        services.plan_reschedule(
            actor=org.rep, plan=plan, due_at=timezone.now() - timedelta(hours=1), action="y" * 501
        )

    assert exc.value.message_dict == {
        "due_at": ["The next contact must be planned for a time in the future."],
        "action": ["Write at most 500 characters."],
    }
    assert FollowUpPlan.objects.get(pk=plan.pk).due_at == before


@pytest.mark.parametrize("action", ["plan_complete", "plan_cancel"])
def test_closed_plans_cannot_change_again(org, action):
    plan = PlanFactory(customer=CustomerFactory(owner=org.rep), status=PlanStatus.DONE)

    with pytest.raises(ConflictError, match=r"This plan is already done\."):
        getattr(services, action)(actor=org.rep, plan=plan)
    with pytest.raises(ConflictError):
        services.plan_reschedule(actor=org.rep, plan=plan, due_at=timezone.now() + timedelta(days=1))


def test_rep_cannot_change_plans_of_another_reps_customer(org):
    plan = PlanFactory(customer=CustomerFactory(owner=org.peer_rep))

    with pytest.raises(PermissionDeniedError):
        services.plan_complete(actor=org.rep, plan=plan)

    assert FollowUpPlan.objects.get(pk=plan.pk).status == PlanStatus.OPEN


# received_at ------------------------------------------------------------------------------------------------


def test_received_at_is_set_on_create_and_on_transfer_only_when_the_owner_changes(org):
    customer = customer_services.customer_create(actor=org.rep, data={"name": "新客户"})
    received = fresh(customer).received_at
    assert received is not None

    customer_services.customer_transfer(actor=org.dept_manager, customer_ids=[customer.pk], new_owner=org.rep)
    assert fresh(customer).received_at == received

    customer_services.customer_transfer(
        actor=org.dept_manager, customer_ids=[customer.pk], new_owner=org.peer_rep
    )
    assert fresh(customer).received_at > received


def test_open_plans_pass_to_the_new_owner(org):
    customer = CustomerFactory(owner=org.rep)
    open_plan = PlanFactory(customer=customer)
    done = PlanFactory(customer=customer, status=PlanStatus.DONE)
    other = PlanFactory(customer=CustomerFactory(owner=org.rep))

    moved = services.plans_pass_to_owner(customer_ids=[customer.pk], new_owner_id=org.peer_rep.pk)

    assert moved == 1
    owners = dict(FollowUpPlan.objects.values_list("pk", "owner_id"))
    assert owners == {open_plan.pk: org.peer_rep.pk, done.pk: org.rep.pk, other.pk: org.rep.pk}
    assert services.plans_pass_to_owner(customer_ids=[customer.pk], new_owner_id=None) == 0
    assert services.plans_pass_to_owner(customer_ids=[], new_owner_id=org.rep.pk) == 0


def test_a_transfer_hands_the_open_plans_to_the_new_owner(org):
    customer = CustomerFactory(owner=org.rep, department=org.rep.department)
    open_plan = PlanFactory(customer=customer, owner=org.rep)
    done = PlanFactory(customer=customer, owner=org.rep, status=PlanStatus.DONE)

    customer_services.customer_transfer(
        actor=org.dept_manager, customer_ids=[customer.pk], new_owner=org.peer_rep
    )

    assert FollowUpPlan.objects.get(pk=open_plan.pk).owner_id == org.peer_rep.pk
    assert FollowUpPlan.objects.get(pk=done.pk).owner_id == org.rep.pk
