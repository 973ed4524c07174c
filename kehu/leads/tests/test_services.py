"""Lead services: input checks, duplicate detection, claim, conversion, status flow, permissions."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from kehu.core.activity import activity_timeline
from kehu.core.exceptions import ConflictError, PermissionDeniedError
from kehu.customers.models import Contact, Customer
from kehu.customers.services import contact_create, customer_create
from kehu.leads import services
from kehu.leads.choices import AssignmentReason, DuplicateKey, LeadStatus
from kehu.leads.models import Lead, LeadAssignment
from kehu.leads.tests.rules import capture, lead_data, make_rule
from kehu.notifications.models import Notification

CREDIT = "91330106MA2CFLNR0R"  # a valid unified social credit code


def test_capture_refuses_bad_input_and_saves_nothing(org):
    with pytest.raises(ValidationError) as exc:
        services.lead_capture(
            actor=org.rep, data={"name": "", "company_name": "", "phone": "12", "credit_code": "123"}
        )
    assert set(exc.value.message_dict) == {"name", "phone", "credit_code"}
    with pytest.raises(ValidationError) as exc:
        services.lead_capture(actor=org.rep, data={"name": "王"})
    assert "phone" in exc.value.message_dict  # no way to reach the lead
    with pytest.raises(ValidationError) as exc:
        services.lead_capture(actor=org.rep, data={**lead_data(), "owner": 1})
    assert "owner" in exc.value.message_dict
    assert not Lead.objects.exists()


def test_capture_needs_the_permission(org):
    with pytest.raises(PermissionDeniedError):
        services.lead_capture(actor=org.outsider, data=lead_data())


def test_batch_with_one_bad_item_saves_nothing_and_names_the_item(org):
    items = [lead_data(), lead_data(email="not-an-email"), lead_data()]
    with pytest.raises(ValidationError) as exc:
        services.lead_capture_many(actor=org.rep, items=items)
    assert list(exc.value.message_dict) == ["items.1.email"]
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("+86 139 1234 5678", "13912345678"),
        ("139-1234-5678", "+8613912345678"),
        ("(+86) 139 1234 5678", "0086 139 1234 5678"),
    ],
)
def test_the_same_phone_in_any_form_is_a_duplicate(org, first, second):
    make_rule([org.rep, org.peer_rep])
    original = services.lead_capture(actor=org.rep, data={"name": "甲", "phone": first})
    dup = services.lead_capture(actor=org.rep, data={"name": "乙", "phone": second})
    assert (dup.duplicate_of_id, dup.duplicate_key) == (original.pk, DuplicateKey.PHONE)
    assert dup.owner_id == original.owner_id  # the same person works the same prospect
    assert LeadAssignment.objects.get(lead=dup).reason == AssignmentReason.DUPLICATE


def test_email_in_mixed_case_is_a_duplicate(org):
    original = services.lead_capture(actor=org.rep, data={"name": "甲", "email": "Wang.Li@Example.COM"})
    dup = services.lead_capture(actor=org.rep, data={"name": "乙", "email": "wang.li@example.com"})
    assert dup.duplicate_of_id == original.pk
    assert dup.email == "wang.li@example.com"


@pytest.mark.parametrize(
    "variant",
    [
        "杭州恒信科技有限公司",
        "杭州恒信科技（中国）有限公司",
        "杭州恒信科技 (中国) 有限公司",
        "杭州恒信科技公司",
    ],
)
def test_company_name_variants_duplicate_a_customer_whose_owner_is_told(org, variant):
    customer = customer_create(actor=org.peer_rep, data={"name": "杭州恒信科技有限公司"})
    make_rule([org.rep])
    lead = services.lead_capture(
        actor=org.dept_manager, data={"name": "张三", "company_name": variant, "wechat": "zs"}
    )
    assert (lead.duplicate_customer_id, lead.duplicate_key) == (customer.pk, DuplicateKey.COMPANY)
    assert lead.owner_id == org.peer_rep.pk  # went to whoever already works the customer
    assert "lead.created" in [a.verb for a in activity_timeline(customer.pk)]


def test_duplicate_owner_is_notified_when_someone_else_gets_the_lead(org):
    customer = customer_create(actor=org.peer_rep, data={"name": "某某有限公司", "credit_code": CREDIT})
    org.peer_rep.on_leave = True
    org.peer_rep.save()
    make_rule([org.rep])
    lead = services.lead_capture(
        actor=org.dept_manager, data={"company_name": "别名", "credit_code": CREDIT, "wechat": "x"}
    )
    assert lead.duplicate_customer_id == customer.pk
    assert lead.owner_id == org.rep.pk
    assert Notification.objects.filter(recipient=org.peer_rep, verb="lead.duplicate").count() == 1
    assert Notification.objects.filter(recipient=org.rep, verb="lead.assigned").count() == 1


def test_a_contacts_phone_makes_a_duplicate_of_its_customer(org):
    customer = customer_create(actor=org.rep, data={"name": "客户"})
    contact_create(actor=org.rep, customer=customer, data={"name": "李", "mobile": "13800001111"})
    lead = services.lead_capture(actor=org.rep, data={"name": "李", "phone": "+86 138 0000 1111"})
    assert lead.duplicate_customer_id == customer.pk


def test_duplicates_inside_one_batch_point_at_the_first(org):
    make_rule([org.rep, org.peer_rep])
    leads = capture(count=1, phone="13700000001") + capture(count=0)
    batch = capture(count=3, phone="13700000002")
    assert leads[0].duplicate_of_id is None
    assert batch[0].duplicate_of_id is None
    assert {b.duplicate_of_id for b in batch[1:]} == {batch[0].pk}
    assert {b.owner_id for b in batch} == {batch[0].owner_id}


def test_assignee_gets_an_in_app_notification_and_an_email(
    org, mailoutbox, django_capture_on_commit_callbacks, huey_immediate
):
    org.rep.email = "rep1@example.com"
    org.rep.save()
    make_rule([org.rep])
    with django_capture_on_commit_callbacks(execute=True):
        lead = services.lead_capture(actor=org.dept_manager, data=lead_data())
    note = Notification.objects.get(recipient=org.rep)
    assert note.url == f"/leads/{lead.pk}/"
    assert [m.to for m in mailoutbox] == [["rep1@example.com"]]


def test_claim_is_atomic_and_limited_per_day(org, settings):
    settings.KEHU_LEAD_CLAIMS_PER_DAY = 2
    pool = capture(count=4)
    assert all(lead.owner_id is None for lead in pool)
    with pytest.raises(Http404):
        services.lead_claim(actor=org.rep, lead_id=999999)
    claimed = services.lead_claim(actor=org.rep, lead_id=pool[0].pk)
    assert (claimed.owner_id, claimed.status) == (org.rep.pk, LeadStatus.ASSIGNED)
    with pytest.raises(ConflictError, match="already taken"):
        services.lead_claim(actor=org.peer_rep, lead_id=pool[0].pk)
    services.lead_claim(actor=org.rep, lead_id=pool[1].pk)
    with pytest.raises(ConflictError, match="daily limit"):
        services.lead_claim(actor=org.rep, lead_id=pool[2].pk)
    with pytest.raises(PermissionDeniedError):
        services.lead_claim(actor=org.outsider, lead_id=pool[3].pk)


def test_status_flow_and_invalid_with_reason(org):
    lead = services.lead_capture(actor=org.rep, data=lead_data(), owner=org.rep)
    assert lead.status == LeadStatus.ASSIGNED
    services.lead_mark_contacted(actor=org.rep, lead=lead)
    services.lead_qualify(actor=org.rep, lead=lead)
    assert lead.status == LeadStatus.QUALIFIED
    assert lead.contacted_at
    with pytest.raises(Exception, match="why"):
        services.lead_invalidate(actor=org.rep, lead=lead, reason="bogus")
    services.lead_invalidate(actor=org.rep, lead=lead, reason="no_need", note="预算取消")
    with pytest.raises(ConflictError):
        services.lead_mark_contacted(actor=org.rep, lead=lead)
    services.lead_reopen(actor=org.rep, lead=lead)
    assert lead.status == LeadStatus.CONTACTED


def test_a_rep_cannot_work_another_reps_lead(org):
    lead = services.lead_capture(actor=org.peer_rep, data=lead_data(), owner=org.peer_rep)
    for action in (services.lead_mark_contacted, services.lead_qualify):
        with pytest.raises(PermissionDeniedError):
            action(actor=org.rep, lead=lead)
    with pytest.raises(PermissionDeniedError):
        services.lead_convert(actor=org.rep, lead=lead)
    with pytest.raises(PermissionDeniedError):
        services.lead_assign(actor=org.rep, lead_ids=[lead.pk], owner=org.rep)


def test_manager_assigns_by_hand_only_within_their_team(org):
    lead = services.lead_capture(actor=org.rep, data=lead_data(), owner=org.rep)
    assert services.lead_assign(actor=org.dept_manager, lead_ids=[lead.pk], owner=org.peer_rep) == 1
    lead.refresh_from_db()
    assert lead.owner_id == org.peer_rep.pk
    with pytest.raises(Exception, match="cannot receive"):
        services.lead_assign(actor=org.team_lead, lead_ids=[lead.pk], owner=org.outsider)


def test_conversion_creates_customer_and_contact_and_keeps_the_history(org):
    lead = services.lead_capture(
        actor=org.rep,
        data=lead_data(
            company_name="宁波海天塑机有限公司", title="采购经理", province="浙江", industry="manufacturing"
        ),
        owner=org.rep,
    )
    services.lead_mark_contacted(actor=org.rep, lead=lead)
    customer = services.lead_convert(actor=org.rep, lead=lead)
    assert (customer.name, customer.owner_id, customer.province) == (
        "宁波海天塑机有限公司",
        org.rep.pk,
        "浙江",
    )
    contact = Contact.objects.get(customer=customer)
    assert (contact.name, contact.mobile, contact.title) == (lead.name, lead.phone, "采购经理")
    verbs = [a.verb for a in activity_timeline(customer.pk)]
    assert {"lead.created", "lead.contacted", "lead.converted", "customer.created"} <= set(verbs)
    lead.refresh_from_db()
    assert (lead.status, lead.customer_id) == (LeadStatus.CONVERTED, customer.pk)
    with pytest.raises(ConflictError, match="converted already"):
        services.lead_convert(actor=org.rep, lead=lead)
    assert Customer.objects.count() == 1


def test_conversion_of_a_duplicate_attaches_to_the_existing_customer(org):
    customer = customer_create(actor=org.rep, data={"name": "上海联影医疗科技股份有限公司"})
    lead = services.lead_capture(
        actor=org.rep, data=lead_data(company_name="上海联影医疗科技（中国）股份有限公司"), owner=org.rep
    )
    assert services.lead_convert(actor=org.rep, lead=lead) == customer
    assert Customer.objects.count() == 1
    assert Contact.objects.filter(customer=customer, name=lead.name).count() == 1


def test_conversion_with_an_opportunity_opens_it_for_the_leads_owner(org):
    lead = services.lead_capture(
        actor=org.dept_manager,
        data=lead_data(company_name="杭州云栖科技有限公司", source="exhibition", campaign="2026春季展会"),
        owner=org.rep,
    )

    customer, opportunity = services.lead_convert_with_opportunity(
        actor=org.dept_manager, lead=lead, opportunity={"amount": Decimal("80000"), "title": ""}
    )

    assert (opportunity.customer, opportunity.owner, opportunity.title) == (
        customer,
        org.rep,
        "杭州云栖科技有限公司",
    )
    assert (opportunity.source, opportunity.campaign, opportunity.amount) == (
        "exhibition",
        "2026春季展会",
        80000,
    )
    assert opportunity.stage.name == "销售线索"
    verbs = {a.verb for a in activity_timeline(customer.pk)}
    assert {"lead.converted", "opportunity.created"} <= verbs


def test_conversion_with_a_bad_opportunity_converts_nothing(org):
    lead = services.lead_capture(actor=org.rep, data=lead_data(company_name="某某有限公司"), owner=org.rep)
    with pytest.raises(ValidationError):
        services.lead_convert_with_opportunity(actor=org.rep, lead=lead, opportunity={"probability": 5})
    with pytest.raises(ValidationError):
        services.lead_convert_with_opportunity(actor=org.rep, lead=lead, opportunity={"amount": Decimal(-1)})
    lead.refresh_from_db()
    assert lead.status != LeadStatus.CONVERTED
    assert Customer.objects.count() == 0


def test_person_lead_becomes_a_person_customer(org):
    lead = services.lead_capture(actor=org.rep, data=lead_data(email="a@example.com"), owner=org.rep)
    customer = services.lead_convert(actor=org.rep, lead=lead)
    assert (customer.kind, customer.name, customer.phone, customer.email) == (
        "person",
        lead.name,
        lead.phone,
        "a@example.com",
    )


def test_pool_lead_must_be_claimed_before_working(org):
    [lead] = capture()
    with pytest.raises(ConflictError, match="Claim this lead"):
        services.lead_mark_contacted(actor=org.rep, lead=lead)
    with pytest.raises(ConflictError, match="Claim this lead"):
        services.lead_convert(actor=org.rep, lead=lead)
    with pytest.raises(PermissionDeniedError):  # someone who may not claim learns nothing more
        services.lead_mark_contacted(actor=org.outsider, lead=lead)


def test_update_records_changes_and_rechecks_duplicates(org):
    original = services.lead_capture(actor=org.rep, data=lead_data(email="x@example.com"), owner=org.rep)
    lead = services.lead_capture(actor=org.rep, data=lead_data(), owner=org.rep)
    services.lead_update(actor=org.rep, lead=lead, data={"email": "X@example.com", "title": "总监"})
    lead.refresh_from_db()
    assert (lead.duplicate_of_id, lead.title) == (original.pk, "总监")
    with pytest.raises(ValidationError):
        services.lead_update(actor=org.rep, lead=lead, data={"phone": "", "email": "", "wechat": ""})
