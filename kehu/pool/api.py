"""Pool API: pools and their rules (with a dry-run preview), pooled customers, release, claim, assign."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kehu.core.api import Pagination
from kehu.core.exceptions import DomainError, PermissionDeniedError
from kehu.customers.models import Customer
from kehu.customers.schemas import CustomerOut
from kehu.customers.selectors import customer_get
from kehu.org.models import User
from kehu.pool import services
from kehu.pool.models import Pool, PoolEvent, PoolEventKind
from kehu.pool.schemas import (
    AssignBatchIn,
    AssignIn,
    ClaimBatchIn,
    CountOut,
    PoolCustomerFilterSchema,
    PoolCustomerOut,
    PoolIn,
    PoolOut,
    PoolPatch,
    PoolRulesIn,
    PreviewOut,
    ReleaseIn,
)
from kehu.pool.selectors import pool_customers, pool_get, pool_list

router = Router(tags=["pool"])


def _user(pk: int) -> User:
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise DomainError(_("There is no user with id %(id)s.") % {"id": pk}, field="owner")
    return user


def _pool_ref(request: HttpRequest, pk: int) -> Pool:
    pool = pool_list(user=request.user).filter(pk=pk).first()
    if pool is None:
        raise DomainError(_("There is no pool with id %(id)s.") % {"id": pk}, field="pool")
    return pool


@router.get("/pools", response=list[PoolOut])
def list_pools(request: HttpRequest) -> QuerySet[Pool]:
    """Pools you belong to or administer, and the company-wide default (every pool for superusers)."""
    return pool_list(user=request.user).prefetch_related("users", "departments", "admins")


@router.post("/pools", response={201: PoolOut})
def create_pool(request: HttpRequest, payload: PoolIn):
    pool = services.pool_save(actor=request.user, data=payload.service_data())
    return Status(201, pool_get(user=request.user, pk=pool.pk))


@router.get("/pools/{int:pool_id}", response=PoolOut)
def get_pool(request: HttpRequest, pool_id: int) -> Pool:
    return pool_get(user=request.user, pk=pool_id)


@router.patch("/pools/{int:pool_id}", response=PoolOut)
def update_pool(request: HttpRequest, pool_id: int, payload: PoolPatch) -> Pool:
    pool = pool_get(user=request.user, pk=pool_id)
    services.pool_save(actor=request.user, pool=pool, data=payload.service_data())
    return pool_get(user=request.user, pk=pool_id)


@router.get("/pools/{int:pool_id}/customers", response=list[PoolCustomerOut])
@paginate(Pagination)
def list_pool_customers(
    request: HttpRequest, pool_id: int, filters: Query[PoolCustomerFilterSchema]
) -> QuerySet[Customer]:
    """The pool's customers, newest in the pool first."""
    pool = pool_get(user=request.user, pk=pool_id)
    return pool_customers(user=request.user, pool=pool, filters=filters.filter_data())


@router.post("/pools/{int:pool_id}/preview", response=PreviewOut)
def preview_pool(request: HttpRequest, pool_id: int, payload: PoolRulesIn) -> dict:
    """Dry run: what reclaim would move now if the pool had these rules. Nothing is saved or moved."""
    pool = pool_get(user=request.user, pk=pool_id)
    if not (request.user.has_perm("pool.change_pool") or services.pool_is_admin(request.user, pool)):
        raise PermissionDeniedError(_("You do not have permission to do this."))
    summary = services.pool_preview(pool=pool, changes=payload.service_data())
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=list(summary["by_owner"]))}
    by_owner = [
        {"owner": pk, "owner_name": names.get(pk, ""), "count": n}
        for pk, n in sorted(summary["by_owner"].items(), key=lambda item: (-item[1], item[0]))
    ]
    total = summary["no_followup"] + summary["not_closed"]
    return {**summary, "total": total, "by_owner": by_owner}


@router.post("/pools/{int:pool_id}/claim", response={200: CountOut, 409: dict})
def claim_pool_customers(request: HttpRequest, pool_id: int, payload: ClaimBatchIn) -> dict:
    """Claim several customers of the pool at once: all or none."""
    pool = pool_get(user=request.user, pk=pool_id)
    _ensure_in_pool(pool, payload.customer_ids)
    return {"count": len(services.customers_claim(actor=request.user, customer_ids=payload.customer_ids))}


@router.post("/pools/{int:pool_id}/assign", response=CountOut)
def assign_pool_customers(request: HttpRequest, pool_id: int, payload: AssignBatchIn) -> dict:
    pool = pool_get(user=request.user, pk=pool_id)
    _ensure_in_pool(pool, payload.customer_ids)
    owner = _user(payload.owner)
    ids = payload.customer_ids
    count = services.customers_assign(
        actor=request.user, customer_ids=ids, owner=owner, reason=payload.reason
    )
    return {"count": count}


def _ensure_in_pool(pool: Pool, customer_ids: list[int]) -> None:
    if Customer.objects.filter(pk__in=customer_ids).exclude(pool=pool).exists():
        raise DomainError(_("Some of these customers are not in this pool."), field="customer_ids")


@router.post("/customers/{int:customer_id}/release", response=CountOut, tags=["pool"])
def release_customer(request: HttpRequest, customer_id: int, payload: ReleaseIn) -> dict:
    """Give the customer up to a pool (default: the company-wide pool), with a reason."""
    customer = customer_get(user=request.user, pk=customer_id)
    pool = _pool_ref(request, payload.pool) if payload.pool else None
    count = services.customer_release(
        actor=request.user, customer_ids=[customer.pk], reason=payload.reason, pool=pool
    )
    return {"count": count}


@router.post("/customers/{int:customer_id}/claim", response={200: CustomerOut, 409: dict})
def claim_customer(request: HttpRequest, customer_id: int) -> Customer:
    """Take the customer from its pool: 200 to the one who gets it, 409 to everyone else."""
    _pooled_customer(request, customer_id)
    services.customer_claim(actor=request.user, customer_id=customer_id)
    return customer_get(user=request.user, pk=customer_id)


@router.post("/customers/{int:customer_id}/assign", response=CountOut)
def assign_customer(request: HttpRequest, customer_id: int, payload: AssignIn) -> dict:
    _pooled_customer(request, customer_id)
    owner = _user(payload.owner)
    count = services.customers_assign(
        actor=request.user, customer_ids=[customer_id], owner=owner, reason=payload.reason
    )
    return {"count": count}


def _pooled_customer(request: HttpRequest, customer_id: int) -> None:
    """404 unless the customer is in a pool the caller may see, was taken from one just now (the losers of
    a claim race get the service's 409), or is an owned one the caller may see (the service refuses it
    clearly): a customer outside all three looks exactly like a missing one."""
    pools = pool_list(user=request.user)
    alive = Customer.objects.alive().filter(pk=customer_id)
    if alive.filter(pool__in=pools).exists() or alive.visible_to(request.user).exists():
        return
    taken = PoolEvent.objects.filter(
        customer_id=customer_id,
        pool__in=pools,
        kind__in=[PoolEventKind.CLAIMED, PoolEventKind.ASSIGNED],
        created_at__gte=timezone.now() - services.JUST_NOW,
    )
    if not taken.exists():
        raise Http404


@router.post("/customers/{int:customer_id}/lock", response=CustomerOut)
def lock_customer(request: HttpRequest, customer_id: int) -> Customer:
    """Lock an owned customer: pools that exempt locked customers never reclaim it. Capped per rep by the
    owner's pool (`max_locked_customers`)."""
    services.customer_lock(actor=request.user, customer=customer_get(user=request.user, pk=customer_id))
    return customer_get(user=request.user, pk=customer_id)


@router.post("/customers/{int:customer_id}/unlock", response=CustomerOut)
def unlock_customer(request: HttpRequest, customer_id: int) -> Customer:
    customer = customer_get(user=request.user, pk=customer_id)
    services.customer_lock(actor=request.user, customer=customer, locked=False)
    return customer_get(user=request.user, pk=customer_id)
