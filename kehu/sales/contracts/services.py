"""Writes for contracts. Every rule about them lives here; pages and API call these.

Who may do what: contracts follow the data scope of their owner and department. `add_contract` creates
(on a customer the actor may see), `change_contract` edits, submits, starts, completes, terminates,
amends and attaches, `delete_contract` deletes a draft never submitted.

Life cycle: draft → (submit) → waiting for approval → approved (signed: the customer becomes a deal
customer) | rejected (edited back to draft, submitted again) → executing → completed; terminated with a
reason at any point before completion (a pending contract is withdrawn first). Once approved, the content
changes only through an amendment, which records what changed, from what to what, and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from kehu.approvals.models import ApprovalRequest
from kehu.approvals.services import approval_cancel, approval_ensure_unlocked, approval_submit
from kehu.core.activity import activity_record, activity_record_many
from kehu.core.exceptions import ConflictError, DomainError
from kehu.core.keep import KEEP, Keep
from kehu.core.money import MAX_MONEY, cents, decimal_or_none
from kehu.core.params import id_param
from kehu.core.permissions import ensure_in_scope, ensure_perm
from kehu.core.sequences import sequence_next
from kehu.customers.choices import CustomerStatus
from kehu.customers.models import Contact, Customer
from kehu.org.models import User
from kehu.sales.contracts.choices import EDITABLE, IN_FORCE, ContractStatus
from kehu.sales.contracts.models import Contract, ContractAmendment, ContractAttachment, ContractLine
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import Opportunity
from kehu.sales.products.models import Product
from kehu.sales.products.selectors import price_for
from kehu.sales.quotes.choices import QuoteStatus
from kehu.sales.quotes.models import Quote

DOCUMENT_TYPE = "contract"
CONTRACT_FIELDS = frozenset(
    {"title", "amount", "currency", "signed_on", "starts_on", "ends_on", "terms", "notes"}
)
DATE_FIELDS = frozenset({"signed_on", "starts_on", "ends_on"})
AMENDABLE_FIELDS = frozenset({"title", "amount", "ends_on", "terms", "notes"})
MAX_LINES = 200
ATTACHMENT_TYPES = frozenset(
    {
        ".pdf",
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".webp",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".txt",
        ".zip",
        ".ofd",
    }
)


# Checks ----------------------------------------------------------------------------------------------------


def ensure_can_change(actor: User, contract: Contract, perm: str = "contracts.change_contract") -> None:
    ensure_perm(actor, perm)
    ensure_in_scope(actor, Contract.objects.alive(), contract.pk)


def _lock(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk)


def _ensure_status(contract: Contract, allowed: Iterable[str], message: str) -> None:
    if contract.status not in allowed:
        raise ConflictError(message % {"status": contract.get_status_display().lower()})


def _ensure_editable(contract: Contract) -> None:
    approval_ensure_unlocked(contract)
    _ensure_status(
        contract,
        EDITABLE,
        _("A contract that is %(status)s cannot be edited: amend it instead once it is in force."),
    )


# Input -----------------------------------------------------------------------------------------------------


def _money(value: Any, field: str) -> Decimal:
    number = decimal_or_none(value)
    if number is None or not Decimal(0) <= number <= MAX_MONEY:
        raise ValidationError({field: _("Enter an amount from 0 to %(max)s.") % {"max": f"{MAX_MONEY:,.2f}"}})
    return cents(number)


def _clean_fields(data: Mapping[str, Any], allowed: frozenset[str] = CONTRACT_FIELDS) -> dict[str, Any]:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in sorted(unknown)})
    cleaned: dict[str, Any] = {}
    for field, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        if field == "amount" and value is not None:
            value = _money(value, "amount")
        elif field in DATE_FIELDS and isinstance(value, str):
            parsed = parse_date(value) if value else None
            if value and parsed is None:
                raise ValidationError({field: _("Enter a date as YYYY-MM-DD.")})
            value = parsed
        elif field == "currency":
            value = (value or settings.DEFAULT_CURRENCY).upper()
            if not (len(value) == 3 and value.isascii() and value.isalpha()):
                raise ValidationError({field: _("Use a three-letter ISO 4217 code such as CNY.")})
        cleaned[field] = value
    if "title" in cleaned and not cleaned["title"]:
        raise ValidationError({"title": _("Give the contract a title.")})
    return cleaned


def _ensure_dates(contract: Contract) -> None:
    if contract.starts_on and contract.ends_on and contract.ends_on < contract.starts_on:
        raise ValidationError({"ends_on": _("The contract cannot end before it starts.")})


def _clean_lines(contract: Contract, rows: Sequence[Mapping[str, Any]]) -> list[ContractLine]:
    """Lines from rows {product_id?, name?, unit?, quantity, unit_price?}: a product brings its name, unit and
    (unless given) its price today; a free-text line needs a name and a price."""
    if len(rows) > MAX_LINES:
        raise ValidationError({"lines": _("At most %(n)d lines.") % {"n": MAX_LINES}})
    raw = [row.get("product_id") for row in rows if row.get("product_id") not in (None, "")]
    if any(id_param(value) is None for value in raw):
        raise ValidationError({"lines": _("A product id is not a valid id.")})
    products = {p.pk: p for p in Product.objects.filter(pk__in={id_param(v) for v in raw})}
    lines = []
    for position, row in enumerate(rows, start=1):
        at = {"line": position}
        product_id = id_param(row.get("product_id"))
        product = products.get(product_id) if product_id else None
        if product_id and product is None:
            raise ValidationError({"lines": _("Line %(line)s: there is no such product.") % at})
        name = (row.get("name") or (product.name if product else "")).strip()
        if not name:
            raise ValidationError({"lines": _("Line %(line)s: choose a product or describe the item.") % at})
        price = row.get("unit_price")
        if price in (None, ""):
            if product is None:
                raise ValidationError({"lines": _("Line %(line)s: give the unit price.") % at})
            price = price_for(product)
        try:
            quantity, unit_price = _money(row.get("quantity", 1), "lines"), _money(price, "lines")
        except ValidationError:
            raise ValidationError(
                {"lines": _("Line %(line)s: quantity and price must be positive numbers.") % at}
            ) from None
        lines.append(
            ContractLine(
                contract=contract,
                product=product,
                name=name[:200],
                unit=(row.get("unit") or (product.unit if product else "")).strip()[:16],
                quantity=quantity,
                unit_price=unit_price,
                amount=cents(quantity * unit_price),
                position=position,
            )
        )
    if sum((line.amount for line in lines), Decimal(0)) > MAX_MONEY:
        raise ValidationError({"lines": _("The lines add up to more than a contract can hold.")})
    return lines


def _save_lines(contract: Contract, lines: Sequence[ContractLine]) -> None:
    ContractLine.objects.filter(contract=contract).delete()
    ContractLine.objects.bulk_create(lines)


def _lines_total(lines: Sequence[ContractLine]) -> Decimal:
    return sum((line.amount for line in lines), Decimal(0))


def _contact_of(customer_id: int, contact: Contact | None) -> Contact | None:
    if contact is not None and (contact.customer_id != customer_id or contact.deleted_at):
        raise DomainError(_("The signatory does not belong to the customer."), field="signing_contact")
    return contact


def _signatory(user: User | None) -> User | None:
    if user is not None and not user.is_active:
        raise DomainError(_("%(user)s has left and cannot sign.") % {"user": user}, field="signatory")
    return user


def _record(actor: User, contract: Contract, verb: str, **data: Any) -> None:
    data = {"number": contract.number, "title": contract.title, **data}
    activity_record(actor=actor, subject=contract, verb=verb, data=data, customer_id=contract.customer_id)


def _full_clean(contract: Contract) -> None:
    exclude = ["owner", "department", "customer", "opportunity", "quote", "signing_contact", "signatory"]
    contract.full_clean(exclude=[*exclude, "created_by"], validate_unique=False, validate_constraints=False)


# Create and edit -------------------------------------------------------------------------------------------


def _source(customer: Customer, opportunity: Opportunity | None, quote: Quote | None) -> None:
    if opportunity is not None:
        if opportunity.customer_id != customer.pk or opportunity.deleted_at is not None:
            raise DomainError(_("The opportunity belongs to another customer."), field="opportunity")
        if opportunity.status != OpportunityStatus.WON:
            raise ConflictError(_("Only a won opportunity becomes a contract: mark it as won first."))
    if quote is not None and (opportunity is None or quote.opportunity_id != opportunity.pk):
        raise DomainError(_("The quote belongs to another opportunity."), field="quote")
    if quote is not None and quote.status != QuoteStatus.ACCEPTED:
        raise ConflictError(_("Only a quote the customer accepted becomes a contract."))


@transaction.atomic
def contract_create(
    *,
    actor: User,
    customer: Customer,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] = (),
    opportunity: Opportunity | None = None,
    quote: Quote | None = None,
    signing_contact: Contact | None = None,
    signatory: User | None = None,
) -> Contract:
    """A draft contract of a customer the actor may see, owned by the opportunity's owner (else the
    customer's, else the actor). Without an amount, it is the lines' sum."""
    ensure_perm(actor, "contracts.add_contract")
    ensure_in_scope(actor, Customer.objects.alive(), customer.pk)
    _source(customer, opportunity, quote)
    cleaned = _clean_fields(data)
    cleaned.setdefault("title", opportunity.title if opportunity else customer.name)
    owner = (opportunity.owner if opportunity else None) or customer.owner or actor
    contract = Contract(
        customer=customer,
        opportunity=opportunity,
        quote=quote,
        owner=owner,
        department_id=owner.department_id,
        signing_contact=_contact_of(customer.pk, signing_contact),
        signatory=_signatory(signatory),
        created_by=actor,
        **{k: v for k, v in cleaned.items() if k != "amount"},
    )
    contract_lines = _clean_lines(contract, lines)
    amount = cleaned.get("amount")
    contract.amount = _lines_total(contract_lines) if amount is None else amount
    _ensure_dates(contract)
    _full_clean(contract)
    contract.number = sequence_next(DOCUMENT_TYPE, prefix="HT-")
    contract.save()
    _save_lines(contract, contract_lines)
    _record(actor, contract, "contract.created", amount=f"{contract.amount:.2f}")
    return contract


def contract_source_quote(opportunity: Opportunity) -> Quote | None:
    """The quote a contract of the opportunity is made from: the one the customer accepted last."""
    return opportunity.quotes.filter(status=QuoteStatus.ACCEPTED).order_by("-closed_at", "-id").first()


@transaction.atomic
def contract_create_from_opportunity(*, actor: User, opportunity: Opportunity) -> Contract:
    """A draft contract of a won opportunity: the lines and total of the quote the customer accepted (the
    amount is the quote's total with tax), else the opportunity's lines and amount."""
    quote = contract_source_quote(opportunity)
    if quote is not None:
        rows = [
            {
                "product_id": line.product_id,
                "name": line.name,
                "unit": line.unit,
                "quantity": line.quantity,
                "unit_price": cents(line.amount / line.quantity) if line.quantity else line.unit_price,
            }
            for line in quote.lines.all()
        ]
        data = {"title": quote.title, "amount": quote.total, "currency": quote.currency, "terms": quote.terms}
    else:
        rows = [
            {"product_id": line.product_id, "name": line.product_name, "quantity": line.quantity,
             "unit_price": line.unit_price}
            for line in opportunity.lines.all()
        ]  # fmt: skip
        data = {"title": opportunity.title, "amount": opportunity.amount, "currency": opportunity.currency}
    contact = next(iter(opportunity.contacts.filter(deleted_at__isnull=True)), None)
    return contract_create(
        actor=actor,
        customer=opportunity.customer,
        data=data,
        lines=rows,
        opportunity=opportunity,
        quote=quote,
        signing_contact=quote.contact if quote is not None and quote.contact else contact,
    )


@transaction.atomic
def contract_update(
    *,
    actor: User,
    contract: Contract,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] | None = None,
    signing_contact: Contact | Keep | None = KEEP,
    signatory: User | Keep | None = KEEP,
) -> Contract:
    """Change a draft or rejected contract (a rejected one is a draft again); `lines` replaces every line;
    sending lines without an amount makes the amount their sum."""
    ensure_can_change(actor, contract)
    contract = _lock(contract)
    _ensure_editable(contract)
    cleaned = _clean_fields(data)
    changes = {
        f: [str(getattr(contract, f)), str(v)] for f, v in cleaned.items() if getattr(contract, f) != v
    }
    for field, value in cleaned.items():
        if value is not None or field != "amount":
            setattr(contract, field, value)
    if not isinstance(signing_contact, Keep):
        contract.signing_contact = _contact_of(contract.customer_id, signing_contact)
    if not isinstance(signatory, Keep):
        contract.signatory = _signatory(signatory)
    if lines is not None:
        contract_lines = _clean_lines(contract, lines)
        if cleaned.get("amount") is None:
            old = contract.amount
            contract.amount = _lines_total(contract_lines)
            if old != contract.amount:
                changes["amount"] = [f"{old:.2f}", f"{contract.amount:.2f}"]
    _ensure_dates(contract)
    _full_clean(contract)
    contract.status = ContractStatus.DRAFT
    contract.save()
    if lines is not None:
        _save_lines(contract, contract_lines)
    _record(actor, contract, "contract.updated", changes=changes)
    return contract


@transaction.atomic
def contract_delete(*, actor: User, contract: Contract) -> None:
    """Delete a draft never submitted (it moves to the recycle bin); anything else stays, for its history."""
    ensure_can_change(actor, contract, "contracts.delete_contract")
    contract = _lock(contract)
    if contract.status != ContractStatus.DRAFT or ApprovalRequest.objects.for_document(contract).exists():
        raise ConflictError(_("Only a draft that was never submitted can be deleted."))
    contract.deleted_at = timezone.now()
    contract.save(update_fields=["deleted_at", "updated_at"])
    _record(actor, contract, "contract.deleted")


# Approval ---------------------------------------------------------------------------------------------------


@transaction.atomic
def contract_submit(*, actor: User, contract: Contract) -> Contract:
    """Submit a draft or rejected contract: approved at once when no flow's conditions hold, else pending."""
    ensure_can_change(actor, contract)
    contract = _lock(contract)
    _ensure_editable(contract)
    if contract.amount <= 0:
        raise DomainError(_("Give the contract's amount before submitting it."), field="amount")
    contract.submitted_at = timezone.now()
    contract.save(update_fields=["submitted_at", "updated_at"])
    approval_submit(actor=actor, document_type=DOCUMENT_TYPE, document=contract)
    contract.refresh_from_db()
    return contract


@transaction.atomic
def contract_withdraw(*, actor: User, contract: Contract) -> Contract:
    """The submitter takes a pending contract back; it is a draft again."""
    ensure_can_change(actor, contract)
    request = ApprovalRequest.objects.for_document(contract).pending().first()
    if request is None:
        raise ConflictError(_("This contract is not waiting for approval."))
    approval_cancel(actor=actor, request=request)
    contract.refresh_from_db()
    return contract


def contract_mark_approved(contract: Contract, *, actor: User | None) -> None:
    """Called by the approval engine: the contract is approved, so signed (on its signing date, or today);
    the customer's first signed contract makes them a deal customer."""
    now = timezone.now()
    contract.status, contract.approved_at = ContractStatus.APPROVED, now
    contract.signed_on = contract.signed_on or timezone.localdate()
    contract.save(update_fields=["status", "approved_at", "signed_on", "updated_at"])
    customer = Customer.objects.select_for_update().get(pk=contract.customer_id)
    if customer.status != CustomerStatus.DEAL:
        old = customer.status
        customer.status = CustomerStatus.DEAL
        customer.save(update_fields=["status", "updated_at"])
        activity_record(
            actor=actor,
            subject=customer,
            verb="customer.updated",
            data={"changes": {"status": [old, CustomerStatus.DEAL]}},
        )


# In force ---------------------------------------------------------------------------------------------------


def _move(
    actor: User, contract: Contract, *, allowed: Iterable[str], to: str, verb: str, **data: Any
) -> Contract:
    ensure_can_change(actor, contract)
    contract = _lock(contract)
    _ensure_status(contract, allowed, _("A contract that is %(status)s cannot do this."))
    contract.status = to
    now = timezone.now()
    stamp = {ContractStatus.EXECUTING: "started_at", ContractStatus.COMPLETED: "completed_at"}.get(to)
    if to == ContractStatus.TERMINATED:
        contract.terminated_at, contract.termination_reason = now, data["reason"]
    elif stamp:
        setattr(contract, stamp, now)
    contract.save()
    _record(actor, contract, verb, **data)
    return contract


@transaction.atomic
def contract_start(*, actor: User, contract: Contract) -> Contract:
    """An approved contract goes into execution."""
    return _move(
        actor,
        contract,
        allowed=[ContractStatus.APPROVED],
        to=ContractStatus.EXECUTING,
        verb="contract.started",
    )


@transaction.atomic
def contract_complete(*, actor: User, contract: Contract) -> Contract:
    return _move(
        actor,
        contract,
        allowed=[ContractStatus.EXECUTING],
        to=ContractStatus.COMPLETED,
        verb="contract.completed",
    )


@transaction.atomic
def contract_terminate(*, actor: User, contract: Contract, reason: str) -> Contract:
    """End a contract for good, with a reason; a pending one is withdrawn first."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for terminating the contract."), field="reason")
    allowed = [*EDITABLE, *IN_FORCE]
    return _move(
        actor,
        contract,
        allowed=allowed,
        to=ContractStatus.TERMINATED,
        verb="contract.terminated",
        reason=reason[:500],
    )


@transaction.atomic
def contract_amend(
    *,
    actor: User,
    contract: Contract,
    reason: str,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] | None = None,
) -> ContractAmendment:
    """Change a contract in force (approved or executing) with a recorded amendment: title, amount, end
    date, terms, notes, lines. Without an amount, sending lines makes the amount their sum."""
    ensure_can_change(actor, contract)
    contract = _lock(contract)
    _ensure_status(contract, IN_FORCE, _("Only a contract in force is amended; this one is %(status)s."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the amendment."), field="reason")
    cleaned = _clean_fields(data, AMENDABLE_FIELDS)
    before = contract.amount
    changes = {
        f: [str(getattr(contract, f)), str(v)] for f, v in cleaned.items() if getattr(contract, f) != v
    }
    for field, value in cleaned.items():
        setattr(contract, field, value)
    if lines is not None:
        old_lines = [f"{line.name} × {line.quantity} @ {line.unit_price}" for line in contract.lines.all()]
        contract_lines = _clean_lines(contract, lines)
        new_lines = [f"{line.name} × {line.quantity} @ {line.unit_price}" for line in contract_lines]
        if old_lines != new_lines:
            changes["lines"] = [old_lines, new_lines]
        if "amount" not in cleaned:
            contract.amount = _lines_total(contract_lines)
            if contract.amount != before:
                changes["amount"] = [f"{before:.2f}", f"{contract.amount:.2f}"]
    if not changes:
        raise DomainError(_("Nothing changes: an amendment needs at least one change."))
    _ensure_dates(contract)
    _full_clean(contract)
    contract.save()
    if lines is not None:
        _save_lines(contract, contract_lines)
    amendment = ContractAmendment.objects.create(
        contract=contract,
        sequence=contract.amendments.count() + 1,
        reason=reason[:500],
        changes=changes,
        amount_before=before,
        amount_after=contract.amount,
        actor=actor,
    )
    _record(actor, contract, "contract.amended", sequence=amendment.sequence, reason=amendment.reason)
    return amendment


# Attachments -----------------------------------------------------------------------------------------------


@transaction.atomic
def contract_attach(*, actor: User, contract: Contract, upload: UploadedFile) -> ContractAttachment:
    """Attach a file (a scan of the signed contract, a technical annex…): PDF, images, Office documents,
    text, ZIP or OFD, up to KEHU_ATTACHMENT_MAX_MB."""
    ensure_can_change(actor, contract)
    name = PurePath(upload.name or "").name[:200]
    if PurePath(name).suffix.lower() not in ATTACHMENT_TYPES:
        raise DomainError(
            _("Attach a PDF, an image, an Office document, a text, ZIP or OFD file."), field="file"
        )
    limit = settings.KEHU_ATTACHMENT_MAX_MB * 1024 * 1024
    if not upload.size or upload.size > limit:
        raise DomainError(
            _("A file must hold something and be at most %(mb)s MB.")
            % {"mb": settings.KEHU_ATTACHMENT_MAX_MB},
            field="file",
        )
    attachment = ContractAttachment(contract=contract, name=name, size=upload.size, uploaded_by=actor)
    attachment.file.save(name, upload, save=False)
    stored = attachment.file.name
    try:
        attachment.save()
        _record(actor, contract, "contract.attached", file=name)
    except Exception:
        attachment.file.storage.delete(stored)
        raise
    return attachment


@transaction.atomic
def contract_attachment_delete(*, actor: User, attachment: ContractAttachment) -> None:
    """Remove an attachment while the contract is a draft or rejected; after that, files stay (history)."""
    contract = attachment.contract
    ensure_can_change(actor, contract)
    _ensure_status(
        contract,
        EDITABLE,
        _("The files of a contract that is %(status)s stay: attach a new version instead."),
    )
    stored, storage = attachment.file.name, attachment.file.storage
    _record(actor, contract, "contract.detached", file=attachment.name)
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored))


# When customers change owner -------------------------------------------------------------------------------

# A contract being drafted, waiting for approval or in force goes with its customer, so that the new owner
# finishes it and collects its payments (an approval goes on as it was submitted); finished ones stay with
# who sold them.
FOLLOWS_CUSTOMER = (*EDITABLE, ContractStatus.PENDING, *IN_FORCE)


def _give(contracts: Sequence[Contract], to_user: User, actor: User | None) -> int:
    """Give `contracts` to `to_user` (and their department): one UPDATE, one INSERT of timeline entries."""
    if not contracts:
        return 0
    Contract.objects.filter(pk__in=[c.pk for c in contracts]).update(
        owner=to_user, department_id=to_user.department_id, updated_at=timezone.now()
    )
    activity_record_many(
        actor=actor,
        verb="contract.transferred",
        entries=(
            (c, {"number": c.number, "title": c.title, "from": str(c.owner or ""), "to": str(to_user)})
            for c in contracts
        ),
    )
    return len(contracts)


def contracts_pass_to_owner(
    *, customer_ids: list[int], new_owner_id: int | None, actor: User | None = None
) -> int:
    """Give the customers' contracts being drafted, waiting for approval or in force to their new owner;
    returns how many moved. A customer put in a pool (no owner) keeps them where they are."""
    if new_owner_id is None or not customer_ids:
        return 0
    moving = (
        Contract.objects.filter(customer_id__in=customer_ids, status__in=FOLLOWS_CUSTOMER)
        .exclude(owner_id=new_owner_id)
        .select_related("owner")
    )
    return _give(list(moving), User.objects.get(pk=new_owner_id), actor)


def contracts_follow_new_owner(
    sender: Any, *, customer_ids: list[int], new_owner_id: int | None, **kwargs: Any
) -> None:
    """Receiver of `kehu.customers.signals.owner_changed`."""
    contracts_pass_to_owner(customer_ids=customer_ids, new_owner_id=new_owner_id)


def contracts_left_by(user: User) -> QuerySet[Contract]:
    """The user's contracts being drafted, waiting for approval or in force: what a handover must place."""
    return Contract.objects.filter(owner=user, status__in=FOLLOWS_CUSTOMER)


def contracts_hand_over(*, from_user: User, actor: User) -> int:
    """After a handover moved `from_user`'s customers: their contracts being drafted, waiting for approval
    or in force that are still theirs go to each customer's owner, or to `actor` (the manager handing over)
    when the customer is in a pool, so that someone collects what they owe. Returns how many moved."""
    receivers: dict[int, tuple[User, list[Contract]]] = {}
    for contract in contracts_left_by(from_user).select_related("owner", "customer__owner"):
        receiver = contract.customer.owner or actor
        if receiver.pk != from_user.pk:
            receivers.setdefault(receiver.pk, (receiver, []))[1].append(contract)
    return sum(_give(contracts, receiver, actor) for receiver, contracts in receivers.values())
