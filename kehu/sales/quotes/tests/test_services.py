"""Quote services: creation with product and free-text lines, totals, numbering, scope, the approval
life cycle (at once, pending and locked, approved, rejected → edited → resubmitted, withdrawn), the
customer's answer, copies and deletion."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehu.approvals.choices import RequestStatus, StepKind
from kehu.approvals.flows import approval_flow_create
from kehu.approvals.models import ApprovalRequest, ApprovalTask
from kehu.approvals.services import approval_approve, approval_reject
from kehu.core.activity import activity_for, activity_timeline
from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.core.verbs import activity_sentence
from kehu.customers.tests.factories import ContactFactory, CustomerFactory
from kehu.notifications.models import Notification
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import OpportunityMember
from kehu.sales.opportunities.tests.factories import OpportunityFactory
from kehu.sales.products.tests.factories import PriceListFactory, PriceListItemFactory, ProductFactory
from kehu.sales.quotes import services
from kehu.sales.quotes.choices import QuoteStatus
from kehu.sales.quotes.models import Quote

pytestmark = pytest.mark.django_db


def flow(admin, name, approver, conditions, position=0):
    return approval_flow_create(
        actor=admin,
        data={
            "document_type": "quote",
            "name": name,
            "position": position,
            "conditions": [{"field": f, "operator": o, "value": v} for f, o, v in conditions],
            "steps": [{"kind": StepKind.USER, "users": [approver.pk]}],
        },
    )


@pytest.fixture
def opportunity(org):
    return OpportunityFactory(owner=org.rep, title="OA 升级")


@pytest.fixture
def product():
    return ProductFactory(
        code="CRM-STD", name="CRM 标准版", unit="套", list_price=D("1000.00"), tax_rate=D("13")
    )


def make(org, opportunity, *lines, actor=None, **data):
    return services.quote_create(
        actor=actor or org.rep,
        opportunity=opportunity,
        data=data,
        lines=list(lines) or [{"name": "实施服务", "unit_price": "500"}],
    )


def test_create_takes_product_prices_and_free_text_lines_and_stores_the_totals(org, opportunity, product):
    quote = make(
        org,
        opportunity,
        {"product_id": product.pk, "quantity": "10", "discount_percent": "5"},
        {"name": "上门培训", "unit": "天", "quantity": "2", "unit_price": "3000", "tax_rate": "6"},
        discount_percent="10",
    )

    first, second = quote.lines.all()
    assert (first.name, first.unit, first.list_price, first.unit_price, first.tax_rate) == (
        "CRM 标准版",
        "套",
        D("1000.00"),
        D("1000.00"),
        D("13.00"),
    )
    assert (first.amount, second.amount, second.list_price, second.tax_rate) == (
        D("9500.00"),
        D("6000.00"),
        D("3000.00"),
        D("6.00"),
    )
    quote.refresh_from_db()
    assert quote.subtotal == D("15500.00")
    assert quote.discount_amount == D("1550.00")
    assert quote.net_amount == D("13950.00")
    assert quote.tax_amount == D("1435.50")  # 9,500 × .9 × 13 % = 1,111.50 + 6,000 × .9 × 6 % = 324.00
    assert quote.total == D("15385.50")
    assert quote.effective_discount == D("12.81")  # (16,000 − 13,950) / 16,000 = 12.8125 %
    assert quote.status == QuoteStatus.DRAFT
    assert quote.number == f"QT-{timezone.localdate().year}-000001"
    assert quote.title == "OA 升级"
    assert quote.customer_id == opportunity.customer_id
    assert quote.valid_until == timezone.localdate() + timedelta(days=30)
    entry = activity_timeline(opportunity.customer_id).get(verb="quote.created")
    assert activity_sentence(entry) == f"created the quote {quote.number} OA 升级 (15385.50)"


def test_product_price_comes_from_the_quotes_price_list(org, opportunity, product):
    today = timezone.localdate()
    item = PriceListItemFactory(
        product=product, price=D("880.00"), price_list=PriceListFactory(valid_from=today, valid_to=today)
    )

    quote = services.quote_create(
        actor=org.rep,
        opportunity=opportunity,
        data={},
        lines=[{"product_id": product.pk}],
        price_list=item.price_list,
    )

    line = quote.lines.get()
    assert (line.list_price, line.unit_price, quote.total) == (D("880.00"), D("880.00"), D("994.40"))


def test_numbers_follow_each_other(org, opportunity):
    numbers = [make(org, opportunity).number for _ in range(3)]
    year = timezone.localdate().year
    assert numbers == [f"QT-{year}-00000{n}" for n in (1, 2, 3)]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"name": "", "unit_price": "1"}, "Line 1: choose a product or describe the item."),
        ({"name": "x", "unit_price": "-1"}, "Line 1: quantity and price must be positive"),
        ({"name": "x", "unit_price": "abc"}, "Line 1: enter a number."),
        (
            {"name": "x", "unit_price": "1", "discount_percent": "101"},
            "Line 1: a percentage is between 0 and 100.",
        ),
        ({"product_id": 999999}, "There is no product with id 999999."),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_saved(org, opportunity, line, message):
    with pytest.raises(ValidationError, match=message):
        make(org, opportunity, line)
    assert Quote.objects.count() == 0


def test_inactive_product_and_bad_total_discount_are_refused(org, opportunity, product):
    product.active = False
    product.save()
    with pytest.raises(ValidationError, match="no longer sold"):
        make(org, opportunity, {"product_id": product.pk})
    with pytest.raises(ValidationError, match="between 0 and 100"):
        make(org, opportunity, discount_percent="120")


def test_scope_a_rep_quotes_only_opportunities_they_may_edit(org, opportunity):
    with pytest.raises(PermissionDeniedError):
        make(org, opportunity, actor=org.peer_rep)
    OpportunityMember.objects.create(opportunity=opportunity, user=org.peer_rep, can_edit=False)
    with pytest.raises(PermissionDeniedError):
        make(org, opportunity, actor=org.peer_rep)
    OpportunityMember.objects.filter(user=org.peer_rep).update(can_edit=True)
    assert make(org, opportunity, actor=org.peer_rep).created_by == org.peer_rep
    with pytest.raises(PermissionDeniedError):
        make(org, opportunity, actor=org.outsider)


def test_closed_opportunity_takes_no_quote(org, opportunity):
    opportunity.status = OpportunityStatus.LOST
    opportunity.save()
    with pytest.raises(ConflictError, match="closed"):
        make(org, opportunity)


def test_contact_must_belong_to_the_customer(org, opportunity):
    stranger = ContactFactory(customer=CustomerFactory(owner=org.peer_rep))
    with pytest.raises(DomainError, match="does not belong"):
        services.quote_create(actor=org.rep, opportunity=opportunity, data={}, lines=[], contact=stranger)


# Approval -------------------------------------------------------------------------------------------------


def test_submit_under_every_threshold_is_approved_at_once(org, opportunity):
    flow(org.admin, "Big discounts", org.team_lead, [("discount_percent", ">", "10")])
    quote = make(
        org,
        opportunity,
        {"name": "服务", "unit_price": "1000", "list_price": "1000", "discount_percent": "10"},
    )

    quote = services.quote_submit(actor=org.rep, quote=quote)

    assert quote.status == QuoteStatus.APPROVED
    assert ApprovalRequest.objects.count() == 0
    assert [a.verb for a in activity_for(quote)][:1] == ["approval.not_required"]


def test_discounted_quote_waits_is_locked_and_is_approved_by_the_approver(org, opportunity, product):
    flow(org.admin, "Big discounts", org.team_lead, [("discount_percent", ">", "10")])
    quote = make(org, opportunity, {"product_id": product.pk, "unit_price": "850"})  # 15 % under list

    quote = services.quote_submit(actor=org.rep, quote=quote)

    assert quote.status == QuoteStatus.PENDING
    assert quote.submitted_at
    request = ApprovalRequest.objects.get()
    assert request.values["discount_percent"] == "15.00"
    assert Notification.objects.filter(recipient=org.team_lead, verb="approval.requested").exists()
    with pytest.raises(ConflictError, match="locked"):
        services.quote_update(actor=org.rep, quote=quote, data={"title": "改"})
    with pytest.raises(ConflictError, match="locked"):
        services.quote_submit(actor=org.rep, quote=quote)
    with pytest.raises(PermissionDeniedError):
        approval_approve(actor=org.peer_rep, task=ApprovalTask.objects.get())

    approval_approve(actor=org.team_lead, task=ApprovalTask.objects.get(), comment="同意")

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED
    assert Notification.objects.filter(recipient=org.rep, verb="approval.approved").exists()
    with pytest.raises(ConflictError, match="copy it into a new draft"):
        services.quote_update(actor=org.rep, quote=quote, data={"title": "改"})


def test_amount_threshold_and_line_discount_are_conditions_too(org, opportunity, product):
    flow(org.admin, "Large", org.director, [("amount", ">", "500000")], position=1)
    flow(org.admin, "Line discount", org.team_lead, [("line_discount_percent", ">=", "20")], position=2)
    big = make(org, opportunity, {"name": "整体方案", "unit_price": "450000"})  # 508,500 with tax
    services.quote_submit(actor=org.rep, quote=big)
    small = make(org, opportunity, {"product_id": product.pk, "discount_percent": "20"})
    services.quote_submit(actor=org.rep, quote=small)

    flows = dict(ApprovalRequest.objects.values_list("document_id", "flow__name"))
    assert flows == {big.pk: "Large", small.pk: "Line discount"}


def test_rejected_quote_is_edited_and_resubmitted_with_its_history_kept(org, opportunity, product):
    flow(org.admin, "Big discounts", org.team_lead, [("discount_percent", ">", "10")])
    quote = services.quote_submit(
        actor=org.rep, quote=make(org, opportunity, {"product_id": product.pk, "unit_price": "700"})
    )

    approval_reject(actor=org.team_lead, task=ApprovalTask.objects.get(), comment="折扣太大")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.REJECTED

    quote = services.quote_update(
        actor=org.rep, quote=quote, data={}, lines=[{"product_id": product.pk, "unit_price": "880"}]
    )
    assert (quote.status, quote.effective_discount) == (QuoteStatus.DRAFT, D("12.00"))
    quote = services.quote_submit(actor=org.rep, quote=quote)
    assert quote.status == QuoteStatus.PENDING

    statuses = list(
        ApprovalRequest.objects.for_document(quote).order_by("id").values_list("status", flat=True)
    )
    assert statuses == [RequestStatus.REJECTED, RequestStatus.PENDING]
    verbs = [a.verb for a in activity_for(quote)]
    assert {"approval.rejected", "quote.updated", "approval.submitted"} <= set(verbs)


def test_only_the_submitter_withdraws_and_the_quote_is_a_draft_again(org, opportunity, product):
    flow(org.admin, "Big discounts", org.team_lead, [("discount_percent", ">", "10")])
    quote = services.quote_submit(
        actor=org.rep, quote=make(org, opportunity, {"product_id": product.pk, "unit_price": "500"})
    )

    with pytest.raises(PermissionDeniedError):
        services.quote_withdraw(actor=org.team_lead, quote=quote)
    quote = services.quote_withdraw(actor=org.rep, quote=quote)

    assert quote.status == QuoteStatus.DRAFT
    with pytest.raises(ConflictError, match="not waiting"):
        services.quote_withdraw(actor=org.rep, quote=quote)


def test_submit_needs_lines_and_a_validity_to_come(org, opportunity):
    empty = services.quote_create(actor=org.rep, opportunity=opportunity, data={}, lines=[])
    with pytest.raises(DomainError, match="at least one line"):
        services.quote_submit(actor=org.rep, quote=empty)
    old = make(org, opportunity, valid_until=timezone.localdate() - timedelta(days=1))
    with pytest.raises(DomainError, match="validity has passed"):
        services.quote_submit(actor=org.rep, quote=old)


# After approval ---------------------------------------------------------------------------------------------


@pytest.fixture
def approved(org, opportunity):
    return services.quote_submit(actor=org.rep, quote=make(org, opportunity))


def test_sent_then_accepted(org, approved):
    with pytest.raises(ConflictError):
        services.quote_mark_sent(actor=org.rep, quote=make(org, approved.opportunity))  # a draft
    quote = services.quote_mark_sent(actor=org.rep, quote=approved)
    assert quote.status == QuoteStatus.SENT
    assert quote.sent_at
    quote = services.quote_mark_accepted(actor=org.rep, quote=quote)
    assert quote.status == QuoteStatus.ACCEPTED
    assert quote.closed_at
    with pytest.raises(ConflictError):
        services.quote_mark_declined(actor=org.rep, quote=quote)


def test_declined_with_a_reason_on_the_timeline(org, approved):
    quote = services.quote_mark_declined(actor=org.rep, quote=approved, reason="预算不足")
    assert (quote.status, quote.decline_reason) == (QuoteStatus.DECLINED, "预算不足")
    entry = activity_for(quote).get(verb="quote.declined")
    assert activity_sentence(entry).endswith("(reason: 预算不足)")


def test_an_expired_quote_cannot_be_accepted(org, approved):
    Quote.objects.filter(pk=approved.pk).update(valid_until=date(2020, 1, 1))
    approved.refresh_from_db()
    assert approved.is_expired()
    with pytest.raises(ConflictError, match="expired"):
        services.quote_mark_accepted(actor=org.rep, quote=approved)


def test_others_cannot_change_the_answer(org, approved):
    with pytest.raises(PermissionDeniedError):
        services.quote_mark_sent(actor=org.peer_rep, quote=approved)


def test_copy_is_a_new_draft_with_the_same_content(org, approved):
    copy = services.quote_copy(actor=org.rep, quote=approved)
    assert copy.number != approved.number
    assert copy.revision_of == approved
    assert copy.status == QuoteStatus.DRAFT
    assert (copy.total, copy.lines.get().name) == (approved.total, "实施服务")


def test_only_a_never_submitted_draft_is_deleted(org, opportunity, approved):
    with pytest.raises(ConflictError):
        services.quote_delete(actor=org.dept_manager, quote=approved)
    draft = make(org, opportunity)
    with pytest.raises(PermissionDeniedError):  # reps have no delete_quote
        services.quote_delete(actor=org.rep, quote=draft)
    services.quote_delete(actor=org.dept_manager, quote=draft)
    assert not Quote.objects.filter(pk=draft.pk).exists()


def test_a_product_that_stops_selling_may_stay_on_its_quote_and_copies(org, opportunity, product):
    quote = make(org, opportunity, {"product_id": product.pk, "quantity": "2"})
    product.active = False
    product.save()

    quote = services.quote_update(
        actor=org.rep, quote=quote, data={}, lines=[{"product_id": product.pk, "quantity": "3"}]
    )
    assert quote.lines.get().quantity == D("3.00")
    assert services.quote_copy(actor=org.rep, quote=quote).lines.get().product == product
    other = make(org, opportunity)
    with pytest.raises(ValidationError, match="no longer sold"):
        services.quote_update(actor=org.rep, quote=other, data={}, lines=[{"product_id": product.pk}])


def test_the_price_list_must_be_in_the_quotes_currency(org, opportunity, product):
    dollars = PriceListFactory(currency="USD", valid_from=timezone.localdate(), valid_to=None)
    PriceListItemFactory(price_list=dollars, product=product, price=D("150.00"))
    with pytest.raises(DomainError, match="in USD, the quote in CNY"):
        services.quote_create(actor=org.rep, opportunity=opportunity, data={}, price_list=dollars)
    quote = make(org, opportunity)
    with pytest.raises(DomainError, match="in USD"):
        services.quote_update(actor=org.rep, quote=quote, data={}, price_list=dollars)
    with pytest.raises(ValidationError, match="Send the lines again"):
        services.quote_update(actor=org.rep, quote=quote, data={"currency": "USD"}, price_list=dollars)

    quote = services.quote_update(
        actor=org.rep,
        quote=quote,
        data={"currency": "USD"},
        price_list=dollars,
        lines=[{"product_id": product.pk}],
    )
    assert (quote.currency, quote.lines.get().unit_price) == ("USD", D("150.00"))


def test_a_quote_in_another_currency_never_takes_list_prices(org, opportunity, product):
    with pytest.raises(ValidationError, match="has no price in USD: give its unit price"):
        make(org, opportunity, {"product_id": product.pk}, currency="USD")
    quote = make(org, opportunity, {"product_id": product.pk, "unit_price": "140"}, currency="usd")
    assert (quote.currency, quote.lines.get().unit_price, quote.lines.get().list_price) == ("USD", 140, 140)
    with pytest.raises(ValidationError, match="three-letter ISO 4217"):
        make(org, opportunity, currency="1€")


def test_a_free_text_line_needs_its_price(org, opportunity):
    with pytest.raises(ValidationError, match="Line 1: give the unit price of “上门培训”"):
        make(org, opportunity, {"name": "上门培训", "quantity": "2"})


def test_an_expired_quote_is_not_sent(org, approved):
    Quote.objects.filter(pk=approved.pk).update(valid_until=date(2020, 1, 1))
    approved.refresh_from_db()
    with pytest.raises(ConflictError, match="expired"):
        services.quote_mark_sent(actor=org.rep, quote=approved)


def test_rights_come_before_the_state_for_accept_and_withdraw(org, opportunity, product):
    flow(org.admin, "Big discounts", org.team_lead, [("discount_percent", ">", "10")])
    expired = services.quote_submit(actor=org.rep, quote=make(org, opportunity))
    Quote.objects.filter(pk=expired.pk).update(valid_until=date(2020, 1, 1))
    expired.refresh_from_db()
    with pytest.raises(PermissionDeniedError):
        services.quote_mark_accepted(actor=org.peer_rep, quote=expired)
    pending = services.quote_submit(
        actor=org.rep, quote=make(org, opportunity, {"product_id": product.pk, "unit_price": "1"})
    )
    opportunity.owner = org.peer_rep
    opportunity.save()
    with pytest.raises(PermissionDeniedError):
        services.quote_withdraw(actor=org.rep, quote=pending)


def test_a_submitter_who_lost_the_opportunity_cannot_withdraw_on_the_approvals_page(
    client, org, opportunity, product
):
    flow(org.admin, "Big discounts", org.team_lead, [("discount_percent", ">", "10")])
    quote = services.quote_submit(
        actor=org.rep, quote=make(org, opportunity, {"product_id": product.pk, "unit_price": "1"})
    )
    opportunity.owner = org.peer_rep
    opportunity.save()
    request = ApprovalRequest.objects.get()
    client.force_login(org.rep)

    response = client.post(f"/approvals/{request.pk}/withdraw/")

    assert response.status_code == 403
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.PENDING
