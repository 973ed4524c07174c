"""Handover of a departing user's book: to one rep, split, to the pool; all or nothing; who may; queries."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehu.core.activity import Activity
from kehu.core.exceptions import DomainError, PermissionDeniedError
from kehu.core.verbs import activity_sentence
from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.choices import PlanStatus
from kehu.followups.models import FollowUpPlan
from kehu.followups.tests.factories import PlanFactory
from kehu.leads.choices import AssignmentReason, LeadStatus
from kehu.leads.models import Lead, LeadAssignment
from kehu.leads.tests.factories import LeadFactory
from kehu.notifications.models import Notification
from kehu.org.models import User
from kehu.org.services import api_token_authenticate, api_token_create
from kehu.org.tests.factories import PASSWORD
from kehu.pool import handover
from kehu.pool.models import Handover, PoolEvent, PoolEventKind
from kehu.pool.tests.factories import PoolFactory


def grant_handover(org):
    """Until kehu/org/roles.py lists pool.hand_over_user, give it to the roles as migration 0004 does."""
    perm = Permission.objects.get(content_type__app_label="pool", codename="hand_over_user")
    for user in (org.dept_manager, org.director):
        user.role.permissions.add(perm)
    for user in (org.dept_manager, org.director):
        for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
            user.__dict__.pop(cache, None)


@pytest.fixture
def org_ho(org):
    grant_handover(org)
    return org


def book(owner, *, customers=2, leads=2):
    """`owner`'s customers (one open plan each) and open leads, plus one customer in the recycle bin."""
    mine = [CustomerFactory(owner=owner, received_at=timezone.now()) for _ in range(customers)]
    for customer in mine:
        PlanFactory(customer=customer)
    deleted = CustomerFactory(owner=owner, deleted_at=timezone.now())
    open_leads = [LeadFactory(owner=owner) for _ in range(leads)]
    return mine, deleted, open_leads


# To one rep ----------------------------------------------------------------------------------------------


def test_to_one_rep_moves_customers_leads_and_plans_and_deactivates(org_ho, client):
    org = org_ho
    mine, deleted, open_leads = book(org.rep)
    converted = LeadFactory(owner=org.rep)
    Lead.objects.filter(pk=converted.pk).update(status=LeadStatus.CONVERTED)
    theirs = CustomerFactory(owner=org.east_rep)
    stray_plan = PlanFactory(customer=theirs, owner=org.rep)  # the rep's plan on a colleague's customer
    _token, raw = api_token_create(actor=org.rep, user=org.rep, name="script")
    client.force_login(org.rep)

    result = handover.handover_run(
        actor=org.dept_manager, from_user=org.rep, mode="to_one", recipients=[org.peer_rep], note="离职"
    )

    assert set(Customer.objects.filter(owner=org.peer_rep).values_list("pk", flat=True)) == {
        *(c.pk for c in mine),
        deleted.pk,
    }
    assert Customer.objects.get(pk=deleted.pk).deleted_at is not None  # still in the recycle bin
    assert set(Lead.objects.filter(owner=org.peer_rep).values_list("pk", flat=True)) == {
        lead.pk for lead in open_leads
    }
    assert Lead.objects.get(pk=converted.pk).owner == org.rep  # closed leads stay as history
    assert set(Lead.objects.filter(owner=org.peer_rep).values_list("status", flat=True)) == {"assigned"}
    log = LeadAssignment.objects.filter(lead__in=open_leads, assignee=org.peer_rep)
    assert log.count() == 2
    assert {(a.previous_owner_id, a.reason) for a in log} == {(org.rep.pk, AssignmentReason.HANDOVER)}
    assert set(FollowUpPlan.objects.filter(customer__in=mine).values_list("owner_id", flat=True)) == {
        org.peer_rep.pk
    }
    assert FollowUpPlan.objects.get(pk=stray_plan.pk).owner == org.east_rep
    assert not FollowUpPlan.objects.filter(owner=org.rep, status=PlanStatus.OPEN).exists()
    # history kept: each customer's timeline says who had it and why
    moved = Activity.objects.filter(verb="customer.transferred", customer_id=mine[0].pk).get()
    assert moved.data == {"from": "Rep1", "to": "Rep3", "reason": "handover: Rep1"}
    assert Activity.objects.filter(verb="customer.transferred", customer_id=deleted.pk).count() == 1
    # the departed user
    org.rep.refresh_from_db()
    assert org.rep.is_active is False
    assert not User.objects.assignable().filter(pk=org.rep.pk).exists()
    assert api_token_authenticate(raw) is None
    assert org.rep.api_tokens.get().revoked_at is not None
    assert client.get("/customers/").status_code == 302  # the open session has ended
    response = client.post("/login/", {"username": org.rep.username, "password": PASSWORD})
    assert response.status_code == 200  # the form again, not a redirect
    User.objects.filter(pk=org.rep.pk).update(is_active=True)  # taken back on: the old session stays dead
    assert client.get("/customers/").status_code == 302
    assert "_auth_user_id" not in client.session
    # the record
    assert result.summary["customers"] == 2
    assert result.summary["recycle_bin"] == 1
    assert result.summary["leads"] == 2
    assert result.summary["plans"] == 3
    assert result.summary["plans_to_owners"] == 1
    assert result.summary["recipients"][str(org.peer_rep.pk)] == {
        "name": "Rep3",
        "customers": 2,
        "recycle_bin": 1,
        "leads": 2,
        "plans": 2,
    }
    assert result.summary["tokens_revoked"] == 1
    assert (result.mode, result.deactivated, result.note, result.actor) == (
        "to_one",
        True,
        "离职",
        org.dept_manager,
    )
    assert list(result.recipients.all()) == [org.peer_rep]
    entry = Activity.objects.get(verb="user.handed_over")
    assert activity_sentence(entry) == "handed over the book: 2 customers, 2 leads, 3 follow-up plans"
    notes = Notification.objects.filter(recipient=org.peer_rep, verb="user.handed_over")
    assert [(n.title, n.body) for n in notes] == [
        ("You received Rep1's book", "2 customers, 2 leads, 2 follow-up plans")
    ]


def test_without_deactivation_the_user_keeps_their_login(org_ho):
    book(org_ho.rep, customers=1, leads=0)
    result = handover.handover_run(
        actor=org_ho.dept_manager,
        from_user=org_ho.rep,
        mode="to_one",
        recipients=[org_ho.peer_rep],
        deactivate=False,
    )
    org_ho.rep.refresh_from_db()
    assert org_ho.rep.is_active is True
    assert result.deactivated is False
    assert "tokens_revoked" not in result.summary


# Split ---------------------------------------------------------------------------------------------------


def test_split_across_three_is_even_within_one(org_ho):
    org = org_ho
    customers = [CustomerFactory(owner=org.rep) for _ in range(10)]
    leads = [LeadFactory(owner=org.rep) for _ in range(5)]
    people = [org.peer_rep, org.east_rep, org.other_dept_rep]

    result = handover.handover_run(actor=org.dept_manager, from_user=org.rep, mode="split", recipients=people)

    counts = [Customer.objects.filter(owner=p).count() for p in people]
    assert counts == [4, 3, 3]
    assert [Lead.objects.filter(owner=p).count() for p in people] == [2, 2, 1]
    # round robin in id order
    assert Customer.objects.get(pk=customers[0].pk).owner == org.peer_rep
    assert Customer.objects.get(pk=customers[1].pk).owner == org.east_rep
    assert Lead.objects.get(pk=leads[2].pk).owner == org.other_dept_rep
    assert [result.summary["recipients"][str(p.pk)]["customers"] for p in people] == [4, 3, 3]
    assert Notification.objects.filter(verb="user.handed_over").count() == 3


# To the pool ---------------------------------------------------------------------------------------------


def test_to_pool_releases_customers_with_reason_and_leads_go_to_the_lead_pool(org_ho):
    org = org_ho
    PoolFactory(name="公海", is_default=True, position=10)
    east = PoolFactory(name="华东公海", position=1, departments=[org.east])
    mine, deleted, open_leads = book(org.rep)

    result = handover.handover_run(actor=org.dept_manager, from_user=org.rep, mode="to_pool")

    assert result.pool == east  # the departing user's home pool
    for customer in Customer.objects.filter(pk__in=[c.pk for c in mine] + [deleted.pk]):
        assert (customer.owner_id, customer.pool_id) == (None, east.pk)
    events = PoolEvent.objects.filter(kind=PoolEventKind.RELEASED)
    assert events.count() == 3
    assert {(e.reason, e.from_user_id) for e in events} == {("handover: Rep1", org.rep.pk)}
    assert Activity.objects.filter(verb="pool.released").count() == 3
    assert set(Lead.objects.in_pool().values_list("pk", flat=True)) == {lead.pk for lead in open_leads}
    # open plans wait with the previous owner until someone takes the customer (the pool's rule)
    assert FollowUpPlan.objects.filter(owner=org.rep, status=PlanStatus.OPEN).count() == 2
    assert result.summary["customers"] == 2
    assert result.summary["plans_in_pool"] == 2
    assert result.summary["pool"] == {"id": east.pk, "name": "华东公海"}
    assert not Notification.objects.filter(verb="user.handed_over").exists()


def test_to_pool_without_any_pool_is_refused(org_ho):
    CustomerFactory(owner=org_ho.rep)
    with pytest.raises(DomainError, match="No pool is set up yet"):
        handover.handover_run(actor=org_ho.dept_manager, from_user=org_ho.rep, mode="to_pool")


# All or nothing ------------------------------------------------------------------------------------------


def test_a_failure_midway_moves_nothing(org_ho, monkeypatch):
    org = org_ho
    book(org.rep)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(handover, "_move_leads", boom)  # after the customers have moved
    with pytest.raises(RuntimeError):
        handover.handover_run(
            actor=org.dept_manager, from_user=org.rep, mode="to_one", recipients=[org.peer_rep]
        )

    assert Customer.objects.filter(owner=org.rep).count() == 3
    assert Lead.objects.filter(owner=org.rep).count() == 2
    assert FollowUpPlan.objects.filter(owner=org.rep).count() == 2
    assert not Activity.objects.filter(verb="customer.transferred").exists()
    assert not Handover.objects.exists()
    org.rep.refresh_from_db()
    assert org.rep.is_active is True


# Who may -------------------------------------------------------------------------------------------------


def test_a_rep_cannot_hand_over(org_ho):
    CustomerFactory(owner=org_ho.peer_rep)
    with pytest.raises(PermissionDeniedError):
        handover.handover_run(
            actor=org_ho.rep, from_user=org_ho.peer_rep, mode="to_one", recipients=[org_ho.rep]
        )
    assert Customer.objects.get().owner == org_ho.peer_rep


def test_a_manager_cannot_hand_over_someone_outside_their_subtree(org_ho):
    CustomerFactory(owner=org_ho.outsider)
    with pytest.raises(PermissionDeniedError, match="outside your departments"):
        handover.handover_run(
            actor=org_ho.dept_manager, from_user=org_ho.outsider, mode="to_one", recipients=[org_ho.rep]
        )
    assert Customer.objects.get().owner == org_ho.outsider


@pytest.mark.parametrize(
    ("mode", "recipients", "message"),
    [
        ("to_one", ["outsider"], "outside your team"),
        ("to_one", ["rep"], "departing user cannot be a recipient"),
        ("to_one", ["inactive"], "is deactivated"),
        ("to_one", ["on_leave"], "is on leave"),
        ("to_one", ["peer_rep", "east_rep"], "Choose one recipient"),
        ("split", ["peer_rep"], "use to_one"),
        ("to_pool", ["peer_rep"], "have no recipients"),
        ("whatever", ["peer_rep"], "Choose to_one, split or to_pool"),
    ],
)
def test_bad_requests_are_refused_and_move_nothing(org_ho, mode, recipients, message):
    org = org_ho
    org.inactive = User.objects.create_user("gone", department=org.shanghai, is_active=False)
    org.on_leave = User.objects.create_user("away", department=org.shanghai, on_leave=True)
    CustomerFactory(owner=org.rep)
    with pytest.raises(DomainError, match=message):
        handover.handover_run(
            actor=org.dept_manager,
            from_user=org.rep,
            mode=mode,
            recipients=[getattr(org, r) for r in recipients],
        )
    assert Customer.objects.get().owner == org.rep
    org.rep.refresh_from_db()
    assert org.rep.is_active


def test_nobody_hands_over_their_own_book(org_ho):
    with pytest.raises(DomainError, match="your own book"):
        handover.handover_preview(
            actor=org_ho.dept_manager, from_user=org_ho.dept_manager, mode="to_one", recipients=[org_ho.rep]
        )


def test_customers_filed_outside_the_managers_departments_are_reported(org_ho):
    org = org_ho
    CustomerFactory(owner=org.rep)
    CustomerFactory(owner=org.rep, department=org.service)  # filed before the rep moved departments
    with pytest.raises(PermissionDeniedError, match="1 of Rep1's customers"):
        handover.handover_preview(
            actor=org.dept_manager, from_user=org.rep, mode="to_one", recipients=[org.peer_rep]
        )
    # a director, who sees everything, can
    result = handover.handover_run(
        actor=org.director, from_user=org.rep, mode="to_one", recipients=[org.peer_rep]
    )
    assert result.summary["customers"] == 2


def test_pools_and_rules_that_name_the_user_are_left_and_listed_to_review(org_ho, client):
    from kehu.leads.tests.factories import make_rule

    org = org_ho
    alone = PoolFactory(name="VIP", admins=[org.rep], users=[org.rep])
    PoolFactory(name="华南公海", admins=[org.rep, org.other_dept_rep])
    make_rule([org.rep, org.peer_rep], name="华东网站线索")

    preview = handover.handover_preview(
        actor=org.dept_manager, from_user=org.rep, mode="to_one", recipients=[org.peer_rep]
    )
    assert preview["attention"] == {"sole_admin_pools": ["VIP"], "rules": ["华东网站线索"]}
    client.force_login(org.dept_manager)
    panel = client.post(
        "/handovers/new/preview/",
        {"from_user": org.rep.pk, "mode": "to_one", "recipients": [org.peer_rep.pk], "deactivate": "on"},
    ).content.decode()
    assert "Pools Rep1 alone administers: VIP" in panel
    assert "Assignment rules that name Rep1: 华东网站线索" in panel
    handover.handover_run(actor=org.dept_manager, from_user=org.rep, mode="to_one", recipients=[org.peer_rep])
    assert list(alone.admins.all()) == [org.rep]  # left as it was
    assert list(alone.users.all()) == [org.rep]


def test_choices_and_list_follow_the_data_scope(org_ho):
    org = org_ho
    choices = set(handover.handover_user_choices(user=org.dept_manager))
    assert org.rep in choices
    assert org.other_dept_rep in choices
    assert org.outsider not in choices
    assert org.dept_manager not in choices
    assert org.admin not in set(handover.handover_user_choices(user=org.director))
    CustomerFactory(owner=org.rep)
    done = handover.handover_run(
        actor=org.director, from_user=org.rep, mode="to_one", recipients=[org.peer_rep]
    )
    assert list(handover.handover_list(user=org.dept_manager)) == [
        done
    ]  # the rep is in the manager's subtree
    assert list(handover.handover_list(user=org.team_lead)) == []  # department scope: East only
    assert list(handover.handover_list(user=org.director)) == [done]


# Preview and queries -------------------------------------------------------------------------------------


def test_preview_equals_run(org_ho):
    org = org_ho
    book(org.rep, customers=5, leads=3)
    PlanFactory(customer=CustomerFactory(owner=org.east_rep), owner=org.rep)
    people = [org.peer_rep, org.east_rep]

    preview = handover.handover_preview(
        actor=org.dept_manager, from_user=org.rep, mode="split", recipients=people
    )
    assert Customer.objects.filter(owner=org.rep).count() == 6  # nothing moved
    result = handover.handover_run(actor=org.dept_manager, from_user=org.rep, mode="split", recipients=people)

    ran = {k: v for k, v in result.summary.items() if k != "tokens_revoked"}
    assert ran == preview
    assert [preview["recipients"][str(p.pk)]["plans"] for p in people] == [3, 2]
    assert FollowUpPlan.objects.filter(owner=org.peer_rep, status=PlanStatus.OPEN).count() == 3


def _run_and_count(org, size):
    owner = User.objects.create_user(f"leaver{size}", department=org.shanghai, password=PASSWORD)
    Customer.objects.bulk_create(
        Customer(name=f"客户{size}-{i}", owner=owner, department=org.shanghai) for i in range(size)
    )
    FollowUpPlan.objects.bulk_create(
        FollowUpPlan(customer=c, owner=owner, created_by=owner, due_at=timezone.now(), action="回访")
        for c in Customer.objects.filter(owner=owner)
    )
    for _ in range(size // 5):
        LeadFactory(owner=owner)
    people = [org.peer_rep, org.east_rep]
    manager = User.objects.get(pk=org.dept_manager.pk)  # a fresh permission cache each time
    with CaptureQueriesContext(connection) as queries:
        handover.handover_run(actor=manager, from_user=owner, mode="split", recipients=people)
    assert Customer.objects.filter(owner=owner).count() == 0
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_book(org_ho):
    assert _run_and_count(org_ho, 10) == _run_and_count(org_ho, 60)


# Pages ---------------------------------------------------------------------------------------------------


def test_pages_preview_confirm_and_list(org_ho, client):
    org = org_ho
    CustomerFactory(owner=org.rep)
    client.force_login(org.dept_manager)
    form = {"from_user": org.rep.pk, "mode": "to_one", "recipients": [org.peer_rep.pk], "deactivate": "on"}

    assert client.get("/handovers/new/").status_code == 200
    panel = client.post(
        "/handovers/new/preview/", form, headers={"HX-Request": "true", "HX-Target": "handover-preview"}
    )
    assert panel.status_code == 200
    html = panel.content.decode()
    assert html.lstrip().startswith('<div id="handover-preview"')
    assert "Rep1 will be deactivated" in html
    assert Customer.objects.get().owner == org.rep
    bad = client.post("/handovers/new/preview/", {**form, "recipients": [org.rep.pk]})
    assert "The departing user cannot be a recipient." in bad.content.decode()

    done = client.post("/handovers/new/", form)
    handover_obj = Handover.objects.get()
    assert done.url == f"/handovers/{handover_obj.pk}/"
    assert Customer.objects.get().owner == org.peer_rep
    detail = client.get(done.url).content.decode()
    assert "Handover of Rep1" in detail
    assert "Rep3" in detail
    assert "Rep1" in client.get("/handovers/").content.decode()


def test_pages_need_the_permission(org_ho, client):
    client.force_login(org_ho.rep)
    assert client.get("/handovers/").status_code == 403
    assert client.get("/handovers/new/").status_code == 403


# The data migration --------------------------------------------------------------------------------------


def test_the_migration_grants_handover_to_managers_and_directors(org, monkeypatch):
    from importlib import import_module

    from django.apps import apps

    from kehu.org.models import Role

    grant = import_module("kehu.pool.migrations.0004_grant_handover").grant
    monkeypatch.setattr(
        apps.get_app_config("pool"), "models_module", apps.get_app_config("pool").models_module
    )
    grant(apps, None)

    def has(name):
        return Role.objects.get(name=name).permissions.filter(codename="hand_over_user").exists()

    assert has("Sales manager")
    assert has("Sales director")
    assert not has("Sales rep")


def test_pool_handover_pages_and_the_list_query_count(org_ho, client):
    org = org_ho
    PoolFactory(name="公海", is_default=True)
    CustomerFactory(owner=org.rep, deleted_at=timezone.now())
    done = handover.handover_run(actor=org.dept_manager, from_user=org.rep, mode="to_pool")
    client.force_login(org.dept_manager)
    detail = client.get(f"/handovers/{done.pk}/").content.decode()
    assert "Pool 公海" in detail
    assert "+1 in the recycle bin" in detail

    def list_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/handovers/").status_code == 200
        return len(queries)

    few = list_queries()
    for name in ("leaver1", "leaver2", "leaver3"):
        leaver = User.objects.create_user(name, department=org.shanghai)
        handover.handover_run(
            actor=org.dept_manager, from_user=leaver, mode="split", recipients=[org.peer_rep, org.east_rep]
        )
    assert list_queries() == few


def test_open_opportunities_follow_their_customers(org_ho):
    from kehu.sales.opportunities.choices import OpportunityStatus
    from kehu.sales.opportunities.tests.factories import OpportunityFactory

    org = org_ho
    mine = CustomerFactory(owner=org.rep, received_at=timezone.now())
    on_mine = OpportunityFactory(owner=org.rep, customer=mine)
    on_a_colleagues = OpportunityFactory(owner=org.rep, customer=CustomerFactory(owner=org.east_rep))
    won = OpportunityFactory(owner=org.rep, customer=mine, status=OpportunityStatus.WON)

    result = handover.handover_run(
        actor=org.dept_manager, from_user=org.rep, mode="to_one", recipients=[org.peer_rep]
    )

    on_mine.refresh_from_db()
    on_a_colleagues.refresh_from_db()
    won.refresh_from_db()
    assert (on_mine.owner, on_a_colleagues.owner, won.owner) == (org.peer_rep, org.east_rep, org.rep)
    assert result.summary["opportunities"] == 2


def test_open_opportunities_of_customers_handed_to_the_pool_go_to_the_manager(org_ho):
    from kehu.sales.opportunities.tests.factories import OpportunityFactory

    org = org_ho
    pool = PoolFactory(name="公海", is_default=True)
    deal = OpportunityFactory(
        owner=org.rep, customer=CustomerFactory(owner=org.rep, received_at=timezone.now())
    )

    handover.handover_run(actor=org.dept_manager, from_user=org.rep, mode="to_pool", pool=pool)

    deal.refresh_from_db()
    assert deal.customer.pool == pool
    assert deal.owner == org.dept_manager


def test_contracts_being_drafted_or_in_force_follow_their_customers(org_ho):
    from kehu.customers.services import customer_transfer
    from kehu.sales.contracts import services as contracts
    from kehu.sales.contracts.models import Contract

    org = org_ho
    pool = PoolFactory(name="公海", is_default=True)

    def contract(customer, *, sign):
        draft = contracts.contract_create(actor=org.rep, customer=customer, data={"amount": "1"}, lines=[])
        return contracts.contract_submit(actor=org.rep, contract=draft) if sign else draft

    mine = CustomerFactory(owner=org.rep, received_at=timezone.now())
    on_mine, drafted = contract(mine, sign=True), contract(mine, sign=False)
    colleagues = CustomerFactory(owner=org.rep, received_at=timezone.now())
    on_colleagues = contract(colleagues, sign=True)
    customer_transfer(actor=org.dept_manager, customer_ids=[colleagues.pk], new_owner=org.east_rep)
    Contract.objects.filter(pk=on_colleagues.pk).update(owner=org.rep)  # kept by the rep who sold it
    done = contracts.contract_complete(
        actor=org.rep,
        contract=contracts.contract_start(actor=org.rep, contract=contract(mine, sign=True)),
    )

    preview = handover.handover_preview(actor=org.dept_manager, from_user=org.rep, mode="to_pool", pool=pool)
    assert preview["contracts"] == 3
    result = handover.handover_run(actor=org.dept_manager, from_user=org.rep, mode="to_pool", pool=pool)

    owners = dict(Contract.objects.values_list("pk", "owner_id"))
    assert owners == {
        on_mine.pk: org.dept_manager.pk,  # the customer went to the pool: someone must collect
        drafted.pk: org.dept_manager.pk,
        on_colleagues.pk: org.east_rep.pk,
        done.pk: org.rep.pk,  # finished: stays with who sold it
    }
    assert result.summary["contracts"] == 3
