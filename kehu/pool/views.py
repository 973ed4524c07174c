"""Pool pages: the pools I may use, one pool's customers (filters, claim one or several, assign, move), the
pool's settings with a dry-run preview, and the release / claim / assign actions of the customer page."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap

from kehu.core.exceptions import ConflictError, DomainError, FilterError, raise_if_forbidden
from kehu.core.htmx import hx_redirect, render_partial, toast
from kehu.core.pagination import paginate
from kehu.core.scopes import DataScope
from kehu.customers.choices import CustomerLevel, Industry
from kehu.customers.models import Customer
from kehu.org.http import AuthenticatedHttpRequest
from kehu.org.models import User
from kehu.org.selectors import user_assignable_list
from kehu.pool import services
from kehu.pool.forms import AssignForm, IdsForm, MoveForm, PoolForm, ReleaseForm
from kehu.pool.models import Pool, PoolEvent, PoolEventKind, PoolRule
from kehu.pool.selectors import pool_customers, pool_get, pool_list

MINUTE = timedelta(minutes=1)
ENTRIES = {
    PoolEventKind.RELEASED.value: _lazy("Released"),
    PoolEventKind.RECLAIMED.value: _lazy("Reclaimed"),
    PoolEventKind.MOVED.value: _lazy("Moved"),
}
AGES = {  # time in the pool: (at least, less than) days
    "day": (None, 1),
    "week": (1, 7),
    "month": (7, 30),
    "older": (30, None),
}
AGE_LABELS = {
    "day": _lazy("Less than a day"),
    "week": _lazy("1–7 days"),
    "month": _lazy("7–30 days"),
    "older": _lazy("More than 30 days"),
}
SORTS = {
    "-pooled": ("-pooled_at", "-id"),
    "pooled": ("pooled_at", "id"),
    "name": ("name", "id"),
    "level": ("level", "-pooled_at", "-id"),
}
SORT_LABELS = {
    "-pooled": _lazy("Newest in the pool"),
    "pooled": _lazy("Longest in the pool"),
    "name": _lazy("Name"),
    "level": _lazy("Level"),
}


def _start_of_day(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def _claims_today(user: User, pools: list[Pool], now: datetime) -> dict[int, int]:
    """{pool id: customers the user claimed from it today}, in one query."""
    rows = (
        PoolEvent.objects.filter(
            to_user=user, pool__in=pools, kind=PoolEventKind.CLAIMED, created_at__gte=_start_of_day(now)
        )
        .order_by()
        .values_list("pool_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def rule_summary(pool: Pool) -> list[str]:
    """The pool's rules in words, one sentence each."""
    parts = []
    if pool.no_followup_days:
        parts.append(_("Back after %(n)d days without follow-up") % {"n": pool.no_followup_days})
    for level, days in sorted((pool.level_days or {}).items()):
        if days:
            parts.append(_("level %(level)s after %(n)d days") % {"level": level, "n": days})
    if pool.not_closed_days:
        parts.append(_("back after %(n)d days not closed") % {"n": pool.not_closed_days})
    if pool.claims_per_day:
        parts.append(_("%(n)d claims a day") % {"n": pool.claims_per_day})
    if pool.reclaim_cooldown_days:
        parts.append(_("%(n)d days' cooldown") % {"n": pool.reclaim_cooldown_days})
    if pool.claim_wait_hours:
        parts.append(_("claimable %(n)d hours after entry") % {"n": pool.claim_wait_hours})
    if pool.max_private_customers:
        parts.append(_("at most %(n)d customers per rep") % {"n": pool.max_private_customers})
    return parts or [_("No reclaim rules: customers come only when released.")]


def _can_assign(user: User, pool: Pool) -> bool:
    return user.has_perm("pool.assign_pool_customer") or services.pool_is_admin(user, pool)


def _can_configure(user: User, pool: Pool) -> bool:
    return user.has_perm("pool.change_pool") or services.pool_is_admin(user, pool)


def _assign_owners(user: User, pool: Pool) -> QuerySet[User]:
    """Whom the user may give the pool's customers to: their team (as for transfers); a pool admin also
    every member of the pool."""
    owners = user_assignable_list(user=user)
    if user.data_scope == DataScope.ALL or not services.pool_is_admin(user, pool):
        return owners
    members = Q(pools=pool)
    for path in pool.departments.values_list("path", flat=True):
        members |= Q(department__path__startswith=path)
    return (
        User.objects.assignable()
        .filter(Q(pk__in=owners.values("pk")) | members)
        .distinct()
        .select_related("department")
        .order_by("department__path", "username")
    )


def _move_targets(user: User, pool: Pool) -> QuerySet[Pool]:
    qs = Pool.objects.active().exclude(pk=pool.pk)
    return qs if user.is_superuser else qs.filter(admins=user)


# --- the pools --------------------------------------------------------------------------------------------


@require_safe
@login_required
def pool_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    pools = list(
        pool_list(user=request.user).annotate(
            customer_count=Count("customers", filter=Q(customers__deleted_at__isnull=True))
        )
    )
    can_create = request.user.has_perm("pool.add_pool")
    if len(pools) == 1 and not can_create:
        return redirect("pool:detail", pools[0].pk)
    claims = _claims_today(request.user, pools, timezone.now())
    cards = [
        {
            "pool": p,
            "rules": rule_summary(p),
            "claims": claims.get(p.pk, 0),
            "is_admin": _can_configure(request.user, p),
        }
        for p in pools
    ]
    return TemplateResponse(request, "pool/pool_list.html", {"cards": cards, "can_create": can_create})


# --- one pool's customers ---------------------------------------------------------------------------------


def _service_filters(params: QueryDict, now: datetime) -> dict:
    filters = {k: params.get(k, "") for k in ("q", "level", "industry", "province", "entry")}
    reason = params.get("rule", "")
    if reason in PoolRule.values:
        filters["entry"], filters["rule"] = PoolEventKind.RECLAIMED.value, reason
    elif reason:
        filters["rule"] = reason[:100]
    least, most = AGES.get(params.get("age", ""), (None, None))
    if least is not None:
        filters["pooled_before"] = now - timedelta(days=least)
    if most is not None:
        filters["pooled_after"] = now - timedelta(days=most)
    return filters


def _reason(kind: str | None, reason: str | None) -> str:
    if kind == PoolEventKind.RECLAIMED and reason in PoolRule.values:
        return _("Reclaimed: %(rule)s") % {"rule": PoolRule(reason).label}
    if kind == PoolEventKind.RELEASED:
        return _("Released: %(reason)s") % {"reason": reason} if reason else str(ENTRIES[kind])
    if kind in ENTRIES:
        return f"{ENTRIES[kind]}: {reason}" if reason else str(ENTRIES[kind])
    return ""


def _rows(customers: list[Customer], pool: Pool, now: datetime) -> list[dict]:
    """The page's customers with their previous owner, time in the pool, why and when claimable (1 query)."""
    previous: dict[int, User | None] = {}
    events = (
        PoolEvent.objects.filter(
            customer_id__in=[c.pk for c in customers],
            kind__in=[PoolEventKind.RELEASED, PoolEventKind.RECLAIMED],
        )
        .select_related("from_user")
        .order_by("customer_id", "-created_at", "-id")
    )
    for event in events:
        previous.setdefault(event.customer_id, event.from_user)
    rows = []
    for c in customers:
        opens = c.pooled_at + timedelta(hours=pool.claim_wait_hours) if pool.claim_wait_hours else None
        rows.append(
            {
                "customer": c,
                "previous_owner": previous.get(c.pk),
                "age": timesince(c.pooled_at, max(now, c.pooled_at + MINUTE), depth=1) if c.pooled_at else "",
                "reason": _reason(getattr(c, "entry_kind", None), getattr(c, "entry_reason", None)),
                "opens_at": opens if opens and opens > now else None,
            }
        )
    return rows


def _selects(params: QueryDict) -> list[dict]:
    selects = [
        ("level", _("Level"), CustomerLevel.choices, True),
        ("industry", _("Industry"), Industry.choices, True),
        ("rule", _("Why it came"), [*PoolRule.choices, ("released", _("Released"))], True),
        ("age", _("Time in the pool"), list(AGE_LABELS.items()), True),
        ("sort", _("Sort"), list(SORT_LABELS.items()), False),
    ]
    return [
        {"name": name, "label": label, "choices": choices, "any": any_, "current": params.get(name, "")}
        for name, label, choices, any_ in selects
    ]


def _table_context(request: AuthenticatedHttpRequest, pool: Pool, params: QueryDict) -> dict:
    now = timezone.now()
    params = params.copy()
    if params.get("rule") == "released":
        params["rule"], params["entry"] = "", PoolEventKind.RELEASED.value
    try:
        customers = pool_customers(user=request.user, pool=pool, filters=_service_filters(params, now))
    except FilterError:
        customers = pool_customers(user=request.user, pool=pool)
        messages.warning(request, _("Some filters were not understood and were ignored."))
    customers = customers.order_by(*SORTS.get(params.get("sort", ""), SORTS["-pooled"]))
    query = QueryDict(mutable=True)
    for key, values in params.lists():
        if key != "page" and any(values):
            query.setlist(key, values)
    page = paginate(request, customers)
    flags = _row_flags(request.user, pool)
    move_targets = _move_targets(request.user, pool)
    can_move = services.pool_is_admin(request.user, pool) and move_targets.exists()
    return {
        **flags,
        "page": page,
        "rows": _rows(list(page.object_list), pool, now),
        "query": query.urlencode(),
        "owners": _assign_owners(request.user, pool) if flags["can_assign"] else [],
        "move_targets": move_targets,
        "can_move": can_move,
        "bulk": flags["can_claim"] or flags["can_assign"] or can_move,
        "claims": _claims_today(request.user, [pool], now).get(pool.pk, 0),
    }


def _row_flags(user: User, pool: Pool) -> dict:
    can_claim = user.has_perm("pool.claim_pool_customer") and services.pool_is_member(user, pool)
    return {"pool": pool, "can_claim": can_claim, "can_assign": _can_assign(user, pool)}


@require_safe
@login_required
def pool_detail_view(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    pool = pool_get(user=request.user, pk=pk)
    context = _table_context(request, pool, request.GET)
    context |= {
        "selects": _selects(request.GET),
        "rules": rule_summary(pool),
        "can_configure": _can_configure(request.user, pool),
        "pools": pool_list(user=request.user),
    }
    return render_partial(request, "pool/pool_detail.html", context, target="pool-table", partial="table")


def _after_bulk(request, pool: Pool, message: str, level: str = "success") -> HttpResponse:
    """htmx: the refreshed table with a toast (the table stays, ticks and all, when nothing changed);
    otherwise back to the list with a message."""
    params = QueryDict(request.POST.get("next_query", ""))
    if not request.htmx:
        getattr(messages, level)(request, message)
        url = reverse("pool:detail", args=[pool.pk])
        return redirect(url + (f"?{params.urlencode()}" if params else ""))
    if level == "error":
        return toast(reswap(HttpResponse(), "none"), message, "error")
    context = _table_context(request, pool, params)
    return toast(TemplateResponse(request, "pool/pool_detail.html#table", context), message, level)


def _bulk(request, pool: Pool, form, action) -> HttpResponse:
    if not form.is_valid():
        errors = [" ".join(e) for e in form.errors.values()]
        return _after_bulk(request, pool, " ".join(errors), "error")
    try:
        message = action(form.cleaned_data)
    except DomainError as exc:
        raise_if_forbidden(exc)
        return _after_bulk(request, pool, exc.message, "error")
    return _after_bulk(request, pool, message)


def _in_pool(pool: Pool, ids: list[int]) -> list[int]:
    if Customer.objects.filter(pk__in=ids).exclude(pool=pool).exists():
        raise ConflictError(_("Some of these customers are no longer in the pool."))
    return ids


@require_POST
@login_required
def pool_claim_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Claim the ticked customers: all or none."""
    pool = pool_get(user=request.user, pk=pk)

    def claim(data) -> str:
        done = services.customers_claim(actor=request.user, customer_ids=_in_pool(pool, data["ids"]))
        n = len(done)
        return ngettext("You claimed %(n)d customer.", "You claimed %(n)d customers.", n) % {"n": n}

    return _bulk(request, pool, IdsForm(request.POST), claim)


@require_POST
@login_required
def pool_assign_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    pool = pool_get(user=request.user, pk=pk)
    if not _can_assign(request.user, pool):
        raise PermissionDenied
    form = AssignForm(request.POST, owners=_assign_owners(request.user, pool))

    def assign(data) -> str:
        n = services.customers_assign(
            actor=request.user,
            customer_ids=_in_pool(pool, data["ids"]),
            owner=data["owner"],
            reason=data["reason"],
        )
        return ngettext(
            "%(n)d customer assigned to %(owner)s.", "%(n)d customers assigned to %(owner)s.", n
        ) % {"n": n, "owner": data["owner"]}

    return _bulk(request, pool, form, assign)


@require_POST
@login_required
def pool_move_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    pool = pool_get(user=request.user, pk=pk)
    form = MoveForm(request.POST, pools=_move_targets(request.user, pool))

    def move(data) -> str:
        n = services.customers_move(
            actor=request.user, customer_ids=_in_pool(pool, data["ids"]), pool=data["target"]
        )
        return ngettext(
            "%(n)d customer moved to the pool %(pool)s.", "%(n)d customers moved to the pool %(pool)s.", n
        ) % {"n": n, "pool": data["target"]}

    return _bulk(request, pool, form, move)


@require_POST
@login_required
def pool_reclaim_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Run the reclaim job for this pool now (its admins), as the hourly job would."""
    pool = pool_get(user=request.user, pk=pk)
    if not _can_configure(request.user, pool):
        raise PermissionDenied
    summary = services.pool_reclaim(pool=pool).get(pool.pk, {"no_followup": 0, "not_closed": 0})
    n = summary["no_followup"] + summary["not_closed"]
    messages.success(
        request,
        ngettext(
            "The reclaim brought %(n)d customer back to this pool.",
            "The reclaim brought %(n)d customers back to this pool.",
            n,
        )
        % {"n": n},
    )
    return hx_redirect(request, reverse("pool:detail", args=[pool.pk]))


# --- settings ---------------------------------------------------------------------------------------------


def _settings_page(request: AuthenticatedHttpRequest, pool: Pool | None) -> HttpResponse:
    rules_only = pool is not None and not request.user.has_perm("pool.change_pool")
    form = PoolForm(request.POST or None, instance=pool or Pool(), rules_only=rules_only)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if pool is None and not data["is_default"]:
            del data["is_default"]  # the first pool becomes the default by itself
        try:
            saved = services.pool_save(actor=request.user, pool=pool, data=data)
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, DomainError):
                raise_if_forbidden(exc)
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Pool “%(name)s” saved.") % {"name": saved.name})
            return hx_redirect(request, reverse("pool:settings", args=[saved.pk]))
    context = {"form": form, "pool": pool}
    return render_partial(request, "pool/pool_form.html", context, target="form-card", partial="form")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def pool_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("pool.add_pool"):
        raise PermissionDenied
    return _settings_page(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def pool_settings_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    pool = pool_get(user=request.user, pk=pk)
    if not _can_configure(request.user, pool):
        raise PermissionDenied
    return _settings_page(request, pool)


@require_POST
@login_required
def pool_preview_view(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    """Dry run of the unsaved rules in the settings form: what reclaim would move now. Nothing is saved."""
    pool = pool_get(user=request.user, pk=pk)
    if not _can_configure(request.user, pool):
        raise PermissionDenied
    rules_only = not request.user.has_perm("pool.change_pool")
    form = PoolForm(request.POST, instance=Pool.objects.get(pk=pool.pk), rules_only=rules_only)
    context: dict = {"form": form, "pool": pool}
    if form.is_valid():
        try:
            summary = services.pool_preview(pool=pool, changes=form.rule_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            names = {u.pk: u for u in User.objects.filter(pk__in=list(summary["by_owner"]))}
            context["preview"] = {
                **summary,
                "total": summary["no_followup"] + summary["not_closed"],
                "owners": [
                    (names.get(owner_id, owner_id), n)
                    for owner_id, n in sorted(summary["by_owner"].items(), key=lambda i: (-i[1], i[0]))
                ],
            }
    return render_partial(request, "pool/pool_form.html", context, target="pool-preview", partial="preview")


# --- one customer (the customer page's actions) -----------------------------------------------------------


def _customer_url(customer_id: int) -> str:
    return reverse("customers:detail", args=[customer_id])


def _pooled(request: AuthenticatedHttpRequest, customer_pk: int) -> tuple[Customer, Pool]:
    """A pooled customer in a pool the user may see; 404 otherwise."""
    customer = Customer.objects.alive().filter(pk=customer_pk).first()
    if customer is None:
        raise Http404
    if customer.pool_id is None:  # taken meanwhile: the service says so to those who could have claimed it
        last = PoolEvent.objects.filter(customer=customer).values_list("pool_id", flat=True).first()
        if last is None:
            raise Http404
        return customer, pool_get(user=request.user, pk=last)
    return customer, pool_get(user=request.user, pk=customer.pool_id)


@require_POST
@login_required
def customer_claim_view(request: AuthenticatedHttpRequest, customer_pk: int) -> HttpResponse:
    """Claim one customer. From the pool's list (htmx) the row is replaced; otherwise a redirect."""
    customer, pool = _pooled(request, customer_pk)
    row_target = request.htmx and request.htmx.target == f"pool-row-{customer_pk}"
    try:
        services.customer_claim(actor=request.user, customer_id=customer.pk)
    except DomainError as exc:
        raise_if_forbidden(exc)
        if row_target:
            row = _rows([_annotated(request, pool, customer)], pool, timezone.now())[0]
            taken = exc.message if isinstance(exc, ConflictError) else ""
            context = {**_row_flags(request.user, pool), "row": row, "taken": taken, "bulk": True}
            response = TemplateResponse(request, "pool/pool_detail.html#row", context)
            return toast(response, exc.message, "error")
        messages.error(request, exc.message)
        return hx_redirect(request, _customer_url(customer.pk))
    done = _("You claimed “%(name)s”.") % {"name": customer.name}
    if row_target:
        context = {"row": {"customer": customer}, "claimed": True, "pool": pool, "bulk": True}
        return toast(TemplateResponse(request, "pool/pool_detail.html#row", context), done)
    messages.success(request, done)
    return hx_redirect(request, _customer_url(customer.pk))


def _annotated(request, pool: Pool, customer: Customer) -> Customer:
    return pool_customers(user=request.user, pool=pool).filter(pk=customer.pk).first() or customer


@require_POST
@login_required
def customer_assign_view(request: AuthenticatedHttpRequest, customer_pk: int) -> HttpResponse:
    customer, pool = _pooled(request, customer_pk)
    if not _can_assign(request.user, pool):
        raise PermissionDenied
    form = AssignForm(
        {**request.POST.dict(), "ids": [customer.pk]}, owners=_assign_owners(request.user, pool)
    )
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
        return hx_redirect(request, _customer_url(customer.pk))
    owner = form.cleaned_data["owner"]
    try:
        services.customers_assign(
            actor=request.user, customer_ids=[customer.pk], owner=owner, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        raise_if_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(name)s” assigned to %(owner)s.") % {"name": customer, "owner": owner})
    return hx_redirect(request, _customer_url(customer.pk))


def release_pools(user: User) -> QuerySet[Pool]:
    """The active pools a user may release to by name (the form's empty choice: the company-wide pool)."""
    return pool_list(user=user).filter(is_active=True)


@require_POST
@login_required
def customer_release_view(request: AuthenticatedHttpRequest, customer_pk: int) -> HttpResponse:
    customer = Customer.objects.visible_to(request.user).alive().filter(pk=customer_pk).first()
    if customer is None:
        raise Http404
    form = ReleaseForm(request.POST, pools=release_pools(request.user))
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
        return hx_redirect(request, _customer_url(customer.pk))
    try:
        services.customer_release(
            actor=request.user,
            customer_ids=[customer.pk],
            reason=form.cleaned_data["reason"],
            pool=form.cleaned_data["pool"],
        )
    except DomainError as exc:
        raise_if_forbidden(exc)
        messages.error(request, exc.message)
        return hx_redirect(request, _customer_url(customer.pk))
    messages.success(request, _("“%(name)s” released to the pool.") % {"name": customer.name})
    customer.refresh_from_db(fields=["pool"])
    if pool_list(user=request.user).filter(pk=customer.pool_id).exists():
        return hx_redirect(request, _customer_url(customer.pk))
    return hx_redirect(request, reverse("customers:list"))


@require_POST
@login_required
def customer_lock_view(request: AuthenticatedHttpRequest, customer_pk: int) -> HttpResponse:
    """Lock (`locked=1`) or unlock an owned customer from its page."""
    customer = Customer.objects.visible_to(request.user).alive().filter(pk=customer_pk).first()
    if customer is None:
        raise Http404
    locked = request.POST.get("locked") == "1"
    try:
        services.customer_lock(actor=request.user, customer=customer, locked=locked)
    except DomainError as exc:
        raise_if_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Customer locked.") if locked else _("Customer unlocked."))
    return hx_redirect(request, _customer_url(customer.pk))
