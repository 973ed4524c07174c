"""Customers and contacts API: thin endpoints over the selectors (data scope) and services the pages use."""

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kehu.core.api import Pagination
from kehu.core.exceptions import DomainError
from kehu.customers import services
from kehu.customers.models import Contact, Customer
from kehu.customers.schemas import (
    ContactFilterSchema,
    ContactIn,
    ContactOut,
    ContactPatch,
    CustomerDeletedOut,
    CustomerFilterSchema,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    CustomerTagsIn,
    CustomerTagsOut,
    CustomerTransferIn,
    CustomerTransferOut,
)
from kehu.customers.selectors import (
    contact_get,
    contact_list,
    customer_deleted_get,
    customer_deleted_list,
    customer_get,
    customer_list,
)
from kehu.org.models import User

router = Router()


def _assignee(pk: int) -> User:
    """A new owner named in a body; whether the actor may hand customers to them is the service's rule."""
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise DomainError(_("There is no user with id %(id)s.") % {"id": pk}, field="owner")
    return user


def _customer_ref(request: HttpRequest, pk: int) -> Customer:
    """A customer named in a request body: unknown or out of scope is a bad field, not a missing page."""
    try:
        return customer_get(user=request.user, pk=pk)
    except Http404:
        raise DomainError(_("There is no customer with id %(id)s.") % {"id": pk}, field="customer") from None


# Customers -----------------------------------------------------------------------------------------------


@router.get("/customers", response=list[CustomerOut], tags=["customers"])
@paginate(Pagination)
def list_customers(request: HttpRequest, filters: Query[CustomerFilterSchema]) -> QuerySet[Customer]:
    return customer_list(user=request.user, filters=filters.filter_data(), view=filters.view)


@router.post("/customers", response={201: CustomerOut}, tags=["customers"])
def create_customer(request: HttpRequest, payload: CustomerIn) -> Customer:
    owner = None if payload.owner in (None, request.user.pk) else _assignee(payload.owner)
    return services.customer_create(
        actor=request.user, data=payload.service_data(), owner=owner, tags=payload.tags
    )


@router.post("/customers/transfer", response=CustomerTransferOut, tags=["customers"])
def transfer_customers(request: HttpRequest, payload: CustomerTransferIn) -> dict:
    """Give customers to another owner; each customer's timeline records the move and the reason."""
    new_owner = _assignee(payload.owner)
    moved = services.customer_transfer(
        actor=request.user, customer_ids=payload.customer_ids, new_owner=new_owner, reason=payload.reason
    )
    return {"transferred": moved}


@router.get("/customers/deleted", response=list[CustomerDeletedOut], tags=["customers"])
@paginate(Pagination)
def list_deleted_customers(request: HttpRequest) -> QuerySet[Customer]:
    """The recycle bin: deleted customers you may see, most recently deleted first."""
    return customer_deleted_list(user=request.user)


@router.get("/customers/{int:customer_id}", response=CustomerOut, tags=["customers"])
def get_customer(request: HttpRequest, customer_id: int) -> Customer:
    return customer_get(user=request.user, pk=customer_id)


@router.patch("/customers/{int:customer_id}", response=CustomerOut, tags=["customers"])
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Customer:
    customer = customer_get(user=request.user, pk=customer_id)
    with transaction.atomic():
        services.customer_update(actor=request.user, customer=customer, data=payload.service_data())
        if "tags" in payload.model_fields_set:
            services.customer_set_tags(actor=request.user, customer=customer, names=payload.tags or [])
    return customer_get(user=request.user, pk=customer_id)


@router.delete("/customers/{int:customer_id}", response={204: None}, tags=["customers"])
def delete_customer(request: HttpRequest, customer_id: int) -> Status:
    """Move the customer to the recycle bin; POST …/restore brings it back."""
    customer = customer_get(user=request.user, pk=customer_id)
    services.customer_delete(actor=request.user, customer=customer)
    return Status(204, None)


@router.post("/customers/{int:customer_id}/restore", response=CustomerOut, tags=["customers"])
def restore_customer(request: HttpRequest, customer_id: int) -> Customer:
    customer = customer_deleted_get(user=request.user, pk=customer_id)
    services.customer_restore(actor=request.user, customer=customer)
    return customer_get(user=request.user, pk=customer_id)


@router.put("/customers/{int:customer_id}/tags", response=CustomerTagsOut, tags=["customers"])
def set_customer_tags(request: HttpRequest, customer_id: int, payload: CustomerTagsIn) -> dict:
    """Replace the customer's tags; unknown tag names are created."""
    customer = customer_get(user=request.user, pk=customer_id)
    services.customer_set_tags(actor=request.user, customer=customer, names=payload.tags)
    return {"tags": [tag.name for tag in customer.tags.all()]}


@router.get("/customers/{int:customer_id}/contacts", response=list[ContactOut], tags=["contacts"])
@paginate(Pagination)
def list_customer_contacts(request: HttpRequest, customer_id: int) -> QuerySet[Contact]:
    customer = customer_get(user=request.user, pk=customer_id)
    return contact_list(user=request.user, customer_id=customer.pk)


# Contacts ------------------------------------------------------------------------------------------------


@router.get("/contacts", response=list[ContactOut], tags=["contacts"])
@paginate(Pagination)
def list_contacts(request: HttpRequest, filters: Query[ContactFilterSchema]) -> QuerySet[Contact]:
    return contact_list(user=request.user, customer_id=filters.customer, q=filters.q or "")


@router.post("/contacts", response={201: ContactOut}, tags=["contacts"])
def create_contact(request: HttpRequest, payload: ContactIn) -> Contact:
    customer = _customer_ref(request, payload.customer)
    return services.contact_create(actor=request.user, customer=customer, data=payload.service_data())


@router.get("/contacts/{int:contact_id}", response=ContactOut, tags=["contacts"])
def get_contact(request: HttpRequest, contact_id: int) -> Contact:
    return contact_get(user=request.user, pk=contact_id)


@router.patch("/contacts/{int:contact_id}", response=ContactOut, tags=["contacts"])
def update_contact(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Contact:
    contact = contact_get(user=request.user, pk=contact_id)
    return services.contact_update(actor=request.user, contact=contact, data=payload.service_data())


@router.delete("/contacts/{int:contact_id}", response={204: None}, tags=["contacts"])
def delete_contact(request: HttpRequest, contact_id: int) -> Status:
    contact = contact_get(user=request.user, pk=contact_id)
    services.contact_delete(actor=request.user, contact=contact)
    return Status(204, None)
