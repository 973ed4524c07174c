"""Writes for customers and contacts. Every rule about them lives here; pages, API and import call these."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.activity import activity_record, activity_record_many
from kehu.core.exceptions import ConflictError, DomainError
from kehu.core.permissions import ensure_in_scope, ensure_perm
from kehu.customers.choices import CustomerKind
from kehu.customers.models import Contact, Customer, Tag
from kehu.customers.signals import owner_changed
from kehu.customers.validators import (
    normalize_company_name,
    normalize_credit_code,
    normalize_phone,
    search_key,
)
from kehu.org.models import User
from kehu.org.selectors import user_assignable_list

CUSTOMER_FIELDS = (
    "kind",
    "name",
    "status",
    "intent_level",
    "level",
    "focus_points",
    "purchase_motivation",
    "estimated_value",
    "currency",
    "industry",
    "size",
    "source",
    "province",
    "city",
    "district",
    "address",
    "phone",
    "email",
    "website",
    "credit_code",
    "birthday",
    "remark",
)
CONTACT_FIELDS = ("name", "title", "mobile", "phone", "email", "wechat", "birthday", "is_primary", "remark")
MAX_TAGS = 20


def _normalized(field: str, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
    if value in ("", None):
        return None if field in ("estimated_value", "birthday") else ""
    if field in ("phone", "mobile"):
        return normalize_phone(value)
    if field == "credit_code":
        return normalize_credit_code(value)
    if field == "email":
        return value.lower()
    if field == "currency":
        return value.upper()
    return value


def _apply(instance: Any, data: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, list[Any]]:
    """Set the allowed fields from data; return {field: [old, new]} for those that changed."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    changes: dict[str, list[Any]] = {}
    for field, raw in data.items():
        try:
            value = _normalized(field, raw)
        except ValidationError as exc:
            errors[field] = exc.messages
            continue
        old = getattr(instance, field)
        if old != value:
            changes[field] = [_jsonable(old), _jsonable(value)]
            setattr(instance, field, value)
    if errors:
        raise ValidationError(errors)
    return changes


def _jsonable(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, bool)) else str(value)


def _full_clean(instance: Any, exclude: list[str]) -> None:
    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def _ensure_can_change(actor: User, customer: Customer) -> None:
    ensure_perm(actor, "customers.change_customer")
    ensure_in_scope(actor, Customer.objects.alive(), customer.pk)


def _prepare_for_save(customer: Customer) -> None:
    if customer.kind == CustomerKind.PERSON and customer.credit_code:
        raise ValidationError({"credit_code": _("A person has no unified social credit code.")})
    customer.name_key = normalize_company_name(customer.name) if customer.kind == CustomerKind.COMPANY else ""


def customer_refresh_search_text(customer: Customer) -> None:
    contacts = (
        Contact.objects.alive().filter(customer=customer).values_list("name", "mobile", "phone", "email")
    )
    text = search_key(
        customer.name,
        customer.phone,
        customer.email,
        customer.credit_code,
        *(part for contact in contacts for part in contact),
    )
    Customer.objects.filter(pk=customer.pk).update(search_text=text)
    customer.search_text = text


def _ensure_can_receive(actor: User, owner: User) -> None:
    """The new owner must be one the actor may hand customers to: active, not on leave, in their team."""
    if not user_assignable_list(user=actor).filter(pk=owner.pk).exists():
        raise DomainError(
            _("%(user)s cannot receive customers from you (inactive, on leave or outside your team).")
            % {"user": owner},
            field="owner",
        )


def _owner_for(actor: User, owner: User | None) -> User:
    if owner is None or owner.pk == actor.pk:
        return actor
    ensure_perm(actor, "customers.transfer_customer")
    _ensure_can_receive(actor, owner)
    return owner


@transaction.atomic
def customer_create(
    *, actor: User, data: Mapping[str, Any], owner: User | None = None, tags: Iterable[str] = ()
) -> Customer:
    ensure_perm(actor, "customers.add_customer")
    owner = _owner_for(actor, owner)
    customer = Customer(owner=owner, department_id=owner.department_id, received_at=timezone.now())
    _apply(customer, data, CUSTOMER_FIELDS)
    _prepare_for_save(customer)
    _full_clean(customer, exclude=["owner", "department", "tags"])
    customer.save()
    if tags:
        customer.tags.set(_tags_from_names(tags))
    customer_refresh_search_text(customer)
    activity_record(
        actor=actor,
        subject=customer,
        verb="customer.created",
        data={"name": customer.name, "owner": str(owner)},
    )
    return customer


@transaction.atomic
def customer_update(*, actor: User, customer: Customer, data: Mapping[str, Any]) -> Customer:
    _ensure_can_change(actor, customer)
    changes = _apply(customer, data, CUSTOMER_FIELDS)
    if not changes:
        return customer
    _prepare_for_save(customer)
    _full_clean(customer, exclude=["owner", "department", "tags"])
    customer.save()
    customer_refresh_search_text(customer)
    activity_record(actor=actor, subject=customer, verb="customer.updated", data={"changes": changes})
    return customer


def _tags_from_names(names: Iterable[str]) -> list[Tag]:
    cleaned = sorted({n.strip()[:40] for n in names if n and n.strip()})
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": _("A customer can carry at most %(n)d tags.") % {"n": MAX_TAGS}})
    existing = {t.name: t for t in Tag.objects.filter(name__in=cleaned)}
    missing = [Tag(name=n) for n in cleaned if n not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=cleaned))


@transaction.atomic
def customer_set_tags(*, actor: User, customer: Customer, names: Iterable[str]) -> Customer:
    _ensure_can_change(actor, customer)
    before = sorted(customer.tags.values_list("name", flat=True))
    tags = _tags_from_names(names)
    after = sorted(t.name for t in tags)
    if before != after:
        customer.tags.set(tags)
        Customer.objects.filter(pk=customer.pk).update(updated_at=timezone.now())
        activity_record(
            actor=actor,
            subject=customer,
            verb="customer.tagged",
            data={"changes": {"tags": [", ".join(before), ", ".join(after)]}},
        )
    return customer


@transaction.atomic
def customer_transfer(*, actor: User, customer_ids: Iterable[int], new_owner: User, reason: str = "") -> int:
    """Give customers to another rep in one statement; each timeline records who had it before."""
    ensure_perm(actor, "customers.transfer_customer")
    ids = sorted(set(customer_ids))
    if not ids:
        raise DomainError(_("Choose at least one customer."), field="customer_ids")
    _ensure_can_receive(actor, new_owner)
    ensure_in_scope(actor, Customer.objects.alive(), *ids)
    customers = list(
        Customer.objects.alive()
        .filter(pk__in=ids)
        .select_related("owner")
        .select_for_update(of=("self",))
        .exclude(owner=new_owner)
    )
    previous = {c.pk: str(c.owner) if c.owner else "" for c in customers}
    now = timezone.now()
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(
        owner=new_owner, department_id=new_owner.department_id, received_at=now, updated_at=now
    )
    owner_changed.send(Customer, customer_ids=[c.pk for c in customers], new_owner_id=new_owner.pk)
    activity_record_many(
        actor=actor,
        verb="customer.transferred",
        entries=(
            (c, {"from": previous[c.pk], "to": str(new_owner), "reason": reason[:500]}) for c in customers
        ),
    )
    return len(customers)


@transaction.atomic
def customer_delete(*, actor: User, customer: Customer) -> Customer:
    ensure_perm(actor, "customers.delete_customer")
    ensure_in_scope(actor, Customer.objects.alive(), customer.pk)
    customer.deleted_at = timezone.now()
    customer.save(update_fields=["deleted_at", "updated_at"])
    activity_record(actor=actor, subject=customer, verb="customer.deleted", data={"name": customer.name})
    return customer


@transaction.atomic
def customer_restore(*, actor: User, customer: Customer) -> Customer:
    ensure_perm(actor, "customers.delete_customer")
    ensure_in_scope(actor, Customer.objects.deleted(), customer.pk)
    if customer.deleted_at is None:
        raise ConflictError(_("This customer is not in the recycle bin."))
    customer.deleted_at = None
    customer.save(update_fields=["deleted_at", "updated_at"])
    activity_record(actor=actor, subject=customer, verb="customer.restored", data={"name": customer.name})
    return customer


def _ensure_one_primary(contact: Contact) -> None:
    if contact.is_primary:
        Contact.objects.filter(customer_id=contact.customer_id, is_primary=True).exclude(
            pk=contact.pk
        ).update(is_primary=Value(False))


@transaction.atomic
def contact_create(*, actor: User, customer: Customer, data: Mapping[str, Any]) -> Contact:
    _ensure_can_change(actor, customer)
    contact = Contact(customer=customer)
    _apply(contact, data, CONTACT_FIELDS)
    _full_clean(contact, exclude=["customer"])
    if not Contact.objects.alive().filter(customer=customer).exists():
        contact.is_primary = True
    _ensure_one_primary(contact)
    contact.save()
    customer_refresh_search_text(customer)
    activity_record(
        actor=actor,
        subject=customer,
        verb="contact.created",
        data={"contact_id": contact.pk, "name": contact.name},
    )
    return contact


@transaction.atomic
def contact_update(*, actor: User, contact: Contact, data: Mapping[str, Any]) -> Contact:
    _ensure_can_change(actor, contact.customer)
    changes = _apply(contact, data, CONTACT_FIELDS)
    if not changes:
        return contact
    _full_clean(contact, exclude=["customer"])
    _ensure_one_primary(contact)
    contact.save()
    customer_refresh_search_text(contact.customer)
    activity_record(
        actor=actor,
        subject=contact.customer,
        verb="contact.updated",
        data={"contact_id": contact.pk, "name": contact.name, "changes": changes},
    )
    return contact


@transaction.atomic
def contact_delete(*, actor: User, contact: Contact) -> Contact:
    _ensure_can_change(actor, contact.customer)
    contact.deleted_at = timezone.now()
    contact.is_primary = False
    contact.save(update_fields=["deleted_at", "is_primary", "updated_at"])
    customer_refresh_search_text(contact.customer)
    activity_record(
        actor=actor,
        subject=contact.customer,
        verb="contact.deleted",
        data={"contact_id": contact.pk, "name": contact.name},
    )
    return contact
