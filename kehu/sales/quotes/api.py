"""Quotes API: thin endpoints over the selectors (scope) and services. Approve and reject through
/api/v1/approvals."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kehu.core.api import Pagination
from kehu.core.exceptions import DomainError
from kehu.customers.models import Contact
from kehu.sales.opportunities.models import Opportunity
from kehu.sales.opportunities.selectors import opportunity_get
from kehu.sales.products.models import PriceList
from kehu.sales.quotes import services
from kehu.sales.quotes.models import Quote
from kehu.sales.quotes.schemas import (
    DeclineIn,
    QuoteDetailOut,
    QuoteFilterSchema,
    QuoteIn,
    QuoteOut,
    QuotePatch,
)
from kehu.sales.quotes.selectors import quote_get, quote_list

router = Router(tags=["quotes"])


def _opportunity(request: HttpRequest, pk: int) -> Opportunity:
    try:
        return opportunity_get(user=request.user, pk=pk)
    except Http404:
        raise DomainError(
            _("There is no opportunity with id %(id)s.") % {"id": pk}, field="opportunity"
        ) from None


def _contact(pk: int | None) -> Contact | None:
    if pk is None:
        return None
    contact = Contact.objects.filter(pk=pk).first()
    if contact is None:
        raise DomainError(_("There is no contact with id %(id)s.") % {"id": pk}, field="contact")
    return contact


def _price_list(pk: int | None) -> PriceList | None:
    if pk is None:
        return None
    price_list = PriceList.objects.filter(pk=pk).first()
    if price_list is None:
        raise DomainError(_("There is no price list with id %(id)s.") % {"id": pk}, field="price_list")
    return price_list


def _detail(request: HttpRequest, pk: int) -> Quote:
    return quote_get(user=request.user, pk=pk)


@router.get("/quotes", response=list[QuoteOut])
@paginate(Pagination)
def list_quotes(request: HttpRequest, filters: Query[QuoteFilterSchema]) -> QuerySet[Quote]:
    """The quotes of the opportunities you see, newest first."""
    return quote_list(user=request.user, filters=filters.filter_data())


@router.post("/quotes", response={201: QuoteDetailOut})
def create_quote(request: HttpRequest, payload: QuoteIn) -> Quote:
    """A draft quote of an opportunity you may edit."""
    quote = services.quote_create(
        actor=request.user,
        opportunity=_opportunity(request, payload.opportunity),
        data=payload.service_data(),
        lines=[line.service_row() for line in payload.lines],
        contact=_contact(payload.contact),
        price_list=_price_list(payload.price_list),
    )
    return _detail(request, quote.pk)


@router.get("/quotes/{int:quote_id}", response=QuoteDetailOut)
def get_quote(request: HttpRequest, quote_id: int) -> Quote:
    return _detail(request, quote_id)


@router.patch("/quotes/{int:quote_id}", response=QuoteDetailOut)
def update_quote(request: HttpRequest, quote_id: int, payload: QuotePatch) -> Quote:
    sent = payload.model_fields_set
    extra: dict[str, Any] = {}
    if "contact" in sent:
        extra["contact"] = _contact(payload.contact)
    if "price_list" in sent:
        extra["price_list"] = _price_list(payload.price_list)
    services.quote_update(
        actor=request.user,
        quote=_detail(request, quote_id),
        data=payload.service_data(),
        lines=None if payload.lines is None else [line.service_row() for line in payload.lines],
        **extra,
    )
    return _detail(request, quote_id)


@router.delete("/quotes/{int:quote_id}", response={204: None})
def delete_quote(request: HttpRequest, quote_id: int) -> Status:
    """Only a draft that was never submitted."""
    services.quote_delete(actor=request.user, quote=_detail(request, quote_id))
    return Status(204, None)


@router.post("/quotes/{int:quote_id}/submit", response=QuoteDetailOut)
def submit_quote(request: HttpRequest, quote_id: int) -> Quote:
    """Status `approved` at once when no approval flow applies, else `pending` until the approvers decide."""
    services.quote_submit(actor=request.user, quote=_detail(request, quote_id))
    return _detail(request, quote_id)


@router.post("/quotes/{int:quote_id}/withdraw", response=QuoteDetailOut)
def withdraw_quote(request: HttpRequest, quote_id: int) -> Quote:
    """The submitter takes a pending quote back to draft."""
    services.quote_withdraw(actor=request.user, quote=_detail(request, quote_id))
    return _detail(request, quote_id)


@router.post("/quotes/{int:quote_id}/send", response=QuoteDetailOut)
def send_quote(request: HttpRequest, quote_id: int) -> Quote:
    """Record that the approved quote went to the customer."""
    services.quote_mark_sent(actor=request.user, quote=_detail(request, quote_id))
    return _detail(request, quote_id)


@router.post("/quotes/{int:quote_id}/accept", response=QuoteDetailOut)
def accept_quote(request: HttpRequest, quote_id: int) -> Quote:
    services.quote_mark_accepted(actor=request.user, quote=_detail(request, quote_id))
    return _detail(request, quote_id)


@router.post("/quotes/{int:quote_id}/decline", response=QuoteDetailOut)
def decline_quote(request: HttpRequest, quote_id: int, payload: DeclineIn) -> Quote:
    services.quote_mark_declined(actor=request.user, quote=_detail(request, quote_id), reason=payload.reason)
    return _detail(request, quote_id)


@router.post("/quotes/{int:quote_id}/copy", response={201: QuoteDetailOut})
def copy_quote(request: HttpRequest, quote_id: int) -> Quote:
    """A new draft with the same content: how an approved, sent or closed quote is revised."""
    copy = services.quote_copy(actor=request.user, quote=_detail(request, quote_id))
    return _detail(request, copy.pk)
