"""Contract services: creation (from a customer or a won opportunity and its accepted quote), numbering,
the life cycle through approval, the customer becoming a deal customer, edits refused once approved,
amendments, termination, attachments, scope."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kehu.approvals.choices import StepKind
from kehu.approvals.flows import approval_flow_create
from kehu.approvals.models import ApprovalTask
from kehu.approvals.services import approval_approve, approval_reject
from kehu.core.activity import Activity, activity_timeline
from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.core.verbs import activity_sentence
from kehu.customers.services import customer_transfer
from kehu.customers.tests.factories import ContactFactory, CustomerFactory
from kehu.sales.contracts import services
from kehu.sales.contracts.choices import ContractStatus
from kehu.sales.contracts.models import Contract, ContractAttachment
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.tests.factories import OpportunityFactory
from kehu.sales.products.tests.factories import ProductFactory
from kehu.sales.quotes import services as quotes

pytestmark = pytest.mark.django_db

LINES = [{"name": "实施服务", "unit": "人天", "quantity": "10", "unit_price": "2500"}]


@pytest.fixture
def customer(org):
    return CustomerFactory(owner=org.rep, name="宁波海天塑机有限公司", status="intent")


def make(org, customer, lines=LINES, actor=None, **data):
    return services.contract_create(actor=actor or org.rep, customer=customer, data=data, lines=lines)


def amount_flow(admin, approver, above="100000"):
    return approval_flow_create(
        actor=admin,
        data={
            "document_type": "contract",
            "name": "合同审批",
            "conditions": [{"field": "amount", "operator": ">", "value": above}],
            "steps": [{"kind": StepKind.USER, "users": [approver.pk]}],
        },
    )


def test_create_numbers_totals_and_timeline(org, customer):
    product = ProductFactory(name="CRM 企业版", list_price=D("128000.00"), unit="套")
    contract = make(org, customer, [*LINES, {"product_id": product.pk}], title="年度合同")

    assert contract.number == f"HT-{timezone.localdate().year}-000001"
    assert (contract.status, contract.owner, contract.department) == ("draft", org.rep, org.rep.department)
    assert contract.amount == D("153000.00")  # 10 × 2,500 + 128,000
    assert [(line.name, line.unit, line.amount) for line in contract.lines.all()] == [
        ("实施服务", "人天", D("25000.00")),
        ("CRM 企业版", "套", D("128000.00")),
    ]
    entry = activity_timeline(customer.pk).get(verb="contract.created")
    assert entry.data["amount"] == "153000.00"


def test_an_explicit_amount_wins_over_the_lines(org, customer):
    assert make(org, customer, amount="28250.00").amount == D("28250.00")  # e.g. with tax


@pytest.mark.parametrize(
    ("lines", "data", "message"),
    [
        ([{"name": "", "unit_price": "1"}], {}, "choose a product or describe the item"),
        ([{"name": "x"}], {}, "give the unit price"),
        ([{"name": "x", "unit_price": "-5"}], {}, "must be positive numbers"),
        ([{"product_id": 99999}], {}, "there is no such product"),
        (LINES, {"amount": "abc"}, "Enter an amount"),
        (LINES, {"title": ""}, "Give the contract a title"),
        (LINES, {"starts_on": "2026-12-01", "ends_on": "2026-11-01"}, "cannot end before it starts"),
        (LINES, {"currency": "1€"}, "three-letter"),
        (LINES, {"status": "approved"}, "cannot be set here"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(org, customer, lines, data, message):
    data = {"title": "合同", **data}
    with pytest.raises(ValidationError, match=message):
        make(org, customer, lines, **data)
    assert not Contract.objects.exists()


def test_scope_only_on_customers_the_actor_sees(org, customer):
    with pytest.raises(PermissionDeniedError):
        make(org, customer, actor=org.peer_rep, title="x")
    contract = make(org, customer, title="x")
    with pytest.raises(PermissionDeniedError):
        services.contract_update(actor=org.peer_rep, contract=contract, data={"title": "y"})
    services.contract_update(actor=org.dept_manager, contract=contract, data={"title": "经理改"})


def test_from_a_won_opportunity_with_an_accepted_quote(org, customer):
    contact = ContactFactory(customer=customer, name="周建华")
    opportunity = OpportunityFactory(owner=org.rep, customer=customer, title="ERP 一期")
    quote = quotes.quote_create(
        actor=org.rep,
        opportunity=opportunity,
        data={"discount_percent": "5"},
        lines=[{"name": "实施", "quantity": "3", "unit_price": "1000", "tax_rate": "6"}],
        contact=contact,
    )
    quote = quotes.quote_mark_sent(actor=org.rep, quote=quotes.quote_submit(actor=org.rep, quote=quote))
    quotes.quote_mark_accepted(actor=org.rep, quote=quote)

    with pytest.raises(ConflictError, match="won opportunity"):
        services.contract_create_from_opportunity(actor=org.rep, opportunity=opportunity)
    opportunity.status = OpportunityStatus.WON
    opportunity.save()
    contract = services.contract_create_from_opportunity(actor=org.rep, opportunity=opportunity)

    quote.refresh_from_db()
    assert (contract.opportunity, contract.quote, contract.signing_contact) == (opportunity, quote, contact)
    assert contract.amount == quote.total == D("3021.00")  # 3,000 − 5 % = 2,850 + 6 % tax
    assert [(line.name, line.quantity, line.unit_price) for line in contract.lines.all()] == [
        ("实施", D("3.00"), D("1000.00"))
    ]


def test_from_a_won_opportunity_without_a_quote_takes_its_lines(org, customer):
    opportunity = OpportunityFactory(
        owner=org.rep, customer=customer, status=OpportunityStatus.WON, amount=D("80000")
    )
    contract = services.contract_create_from_opportunity(actor=org.rep, opportunity=opportunity)
    assert (contract.amount, contract.title, contract.lines.count()) == (D("80000.00"), opportunity.title, 0)


# Life cycle ------------------------------------------------------------------------------------------------


def test_approval_makes_it_signed_and_the_customer_a_deal_customer(org, customer):
    amount_flow(org.admin, org.team_lead)
    contract = services.contract_submit(actor=org.rep, contract=make(org, customer, amount="150000"))
    assert contract.status == ContractStatus.PENDING
    with pytest.raises(ConflictError, match="locked"):
        services.contract_update(actor=org.rep, contract=contract, data={"title": "改"})

    approval_approve(actor=org.team_lead, task=ApprovalTask.objects.get())

    contract.refresh_from_db()
    customer.refresh_from_db()
    assert (contract.status, contract.signed_on) == (ContractStatus.APPROVED, timezone.localdate())
    assert customer.status == "deal"
    with pytest.raises(ConflictError, match="amend it instead"):
        services.contract_update(actor=org.rep, contract=contract, data={"title": "改"})


def test_under_every_threshold_it_is_approved_at_once_keeping_its_signing_date(org, customer):
    amount_flow(org.admin, org.team_lead)
    contract = make(org, customer, signed_on="2026-11-02")
    contract = services.contract_submit(actor=org.rep, contract=contract)
    assert (contract.status, str(contract.signed_on)) == (ContractStatus.APPROVED, "2026-11-02")


def test_rejected_then_edited_then_resubmitted(org, customer):
    amount_flow(org.admin, org.team_lead)
    contract = services.contract_submit(actor=org.rep, contract=make(org, customer, amount="150000"))
    approval_reject(actor=org.team_lead, task=ApprovalTask.objects.get(), comment="付款条件不清")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.REJECTED

    contract = services.contract_update(actor=org.rep, contract=contract, data={"terms": "预付 30%"})
    assert contract.status == ContractStatus.DRAFT
    assert services.contract_submit(actor=org.rep, contract=contract).status == ContractStatus.PENDING


def test_executing_completed_and_refused_moves(org, customer):
    contract = services.contract_submit(actor=org.rep, contract=make(org, customer))
    with pytest.raises(ConflictError):
        services.contract_complete(actor=org.rep, contract=contract)
    contract = services.contract_start(actor=org.rep, contract=contract)
    assert contract.status == ContractStatus.EXECUTING
    assert contract.started_at
    contract = services.contract_complete(actor=org.rep, contract=contract)
    assert contract.status == ContractStatus.COMPLETED
    with pytest.raises(ConflictError):
        services.contract_terminate(actor=org.rep, contract=contract, reason="x")


def test_terminate_needs_a_reason_and_a_pending_contract_is_withdrawn_first(org, customer):
    amount_flow(org.admin, org.team_lead)
    contract = services.contract_submit(actor=org.rep, contract=make(org, customer, amount="150000"))
    with pytest.raises(ConflictError):
        services.contract_terminate(actor=org.rep, contract=contract, reason="客户撤单")
    contract = services.contract_withdraw(actor=org.rep, contract=contract)
    with pytest.raises(DomainError, match="Give the reason"):
        services.contract_terminate(actor=org.rep, contract=contract, reason=" ")
    contract = services.contract_terminate(actor=org.rep, contract=contract, reason="客户撤单")
    assert (contract.status, contract.termination_reason) == (ContractStatus.TERMINATED, "客户撤单")


def test_amendment_records_what_changed_and_why(org, customer):
    contract = services.contract_submit(actor=org.rep, contract=make(org, customer))
    with pytest.raises(DomainError, match="reason"):
        services.contract_amend(actor=org.rep, contract=contract, reason="", data={"title": "新"})
    with pytest.raises(DomainError, match="Nothing changes"):
        services.contract_amend(actor=org.rep, contract=contract, reason="无", data={"title": contract.title})
    with pytest.raises(ValidationError, match="cannot be set here"):
        services.contract_amend(actor=org.rep, contract=contract, reason="x", data={"status": "draft"})

    amendment = services.contract_amend(
        actor=org.rep,
        contract=contract,
        reason="客户追加 5 人天",
        data={"ends_on": "2027-06-30"},
        lines=[{**LINES[0], "quantity": "15"}],
    )

    contract.refresh_from_db()
    assert contract.amount == D("37500.00")
    assert (amendment.sequence, amendment.amount_before, amendment.amount_after) == (
        1,
        D("25000.00"),
        D("37500.00"),
    )
    assert amendment.changes["amount"] == ["25000.00", "37500.00"]
    assert amendment.changes["ends_on"] == ["None", "2027-06-30"]
    assert amendment.changes["lines"][1] == ["实施服务 × 15.00 @ 2500.00"]
    assert activity_timeline(customer.pk).filter(verb="contract.amended").exists()


def test_a_draft_never_submitted_goes_to_the_recycle_bin_others_stay(org, customer):
    draft = make(org, customer)
    with pytest.raises(PermissionDeniedError):
        services.contract_delete(actor=org.rep, contract=draft)  # reps have no delete_contract
    services.contract_delete(actor=org.dept_manager, contract=draft)
    assert Contract.objects.get(pk=draft.pk).deleted_at is not None
    approved = services.contract_submit(actor=org.rep, contract=make(org, customer))
    with pytest.raises(ConflictError):
        services.contract_delete(actor=org.dept_manager, contract=approved)


# Attachments -----------------------------------------------------------------------------------------------


def test_attachments_checked_kept_once_approved(org, customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.KEHU_ATTACHMENT_MAX_MB = 1
    contract = make(org, customer)
    with pytest.raises(DomainError, match="Attach a PDF"):
        services.contract_attach(actor=org.rep, contract=contract, upload=SimpleUploadedFile("x.exe", b"MZ"))
    with pytest.raises(DomainError, match="at most 1 MB"):
        services.contract_attach(
            actor=org.rep, contract=contract, upload=SimpleUploadedFile("big.pdf", b"%" * (1024 * 1024 + 1))
        )

    scan = services.contract_attach(
        actor=org.rep, contract=contract, upload=SimpleUploadedFile("签字版.pdf", b"%PDF-1.7 ...")
    )
    assert (scan.name, scan.size) == ("签字版.pdf", 12)
    assert scan.file.storage.exists(scan.file.name)

    approved = services.contract_submit(actor=org.rep, contract=contract)
    with pytest.raises(ConflictError, match="stay"):
        services.contract_attachment_delete(
            actor=org.rep, attachment=ContractAttachment.objects.get(contract=approved)
        )


def test_an_attachment_removed_from_a_draft_leaves_no_file(
    org, customer, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    contract = make(org, customer)
    scan = services.contract_attach(
        actor=org.rep, contract=contract, upload=SimpleUploadedFile("a.pdf", b"%PDF")
    )
    stored = scan.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_attachment_delete(actor=org.rep, attachment=scan)
    assert not ContractAttachment.objects.exists()
    assert not scan.file.storage.exists(stored)


def test_dates_given_as_text_are_read_as_dates(org, customer):
    contract = services.contract_submit(actor=org.rep, contract=make(org, customer, starts_on="2026-01-01"))
    amendment = services.contract_amend(
        actor=org.rep, contract=contract, reason="延期", data={"ends_on": "2028-03-31"}
    )
    assert amendment.changes == {"ends_on": ["None", "2028-03-31"]}
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        services.contract_amend(actor=org.rep, contract=contract, reason="x", data={"ends_on": "next year"})
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        services.contract_amend(actor=org.rep, contract=contract, reason="x", data={"ends_on": "2025-12-31"})


def test_contracts_being_drafted_or_in_force_follow_their_customer_to_a_new_owner(org, customer):
    draft = services.contract_create(actor=org.rep, customer=customer, data={"amount": "1"}, lines=[])
    signed = services.contract_submit(
        actor=org.rep,
        contract=services.contract_create(actor=org.rep, customer=customer, data={"amount": "2"}, lines=[]),
    )
    done = services.contract_complete(
        actor=org.rep,
        contract=services.contract_start(
            actor=org.rep,
            contract=services.contract_submit(
                actor=org.rep,
                contract=services.contract_create(
                    actor=org.rep, customer=customer, data={"amount": "3"}, lines=[]
                ),
            ),
        ),
    )

    pending = services.contract_create(actor=org.rep, customer=customer, data={"amount": "4"}, lines=[])
    Contract.objects.filter(pk=pending.pk).update(status=ContractStatus.PENDING)  # as if a flow held it

    customer_transfer(actor=org.dept_manager, customer_ids=[customer.pk], new_owner=org.east_rep)

    owners = dict(Contract.objects.values_list("pk", "owner_id"))
    assert owners == {
        draft.pk: org.east_rep.pk,
        signed.pk: org.east_rep.pk,
        pending.pk: org.east_rep.pk,  # the approval goes on; approved, it is the new owner's to collect
        done.pk: org.rep.pk,
    }
    moved = Activity.objects.filter(verb="contract.transferred")
    assert sorted(moved.values_list("subject_id", flat=True)) == sorted([draft.pk, signed.pk, pending.pk])
    entry = moved.get(subject_id=signed.pk)
    assert activity_sentence(entry) == (
        f"transferred the contract {signed.number} {signed.title} from {org.rep} to {org.east_rep}"
    )
    signed.refresh_from_db()
    assert signed.department_id == org.east_rep.department_id
    assert services.contracts_pass_to_owner(customer_ids=[customer.pk], new_owner_id=None) == 0
