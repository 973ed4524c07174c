"""Product and price list pages: list (htmx filtering, paging), forms, export, a price list with its items."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kehu.core.exceptions import DomainError, FilterError, raise_if_forbidden
from kehu.core.htmx import hx_redirect, render_partial
from kehu.core.pagination import paginate
from kehu.org.http import AuthenticatedHttpRequest
from kehu.sales.products import exports, services
from kehu.sales.products.forms import PriceListForm, PriceListItemForm, ProductForm
from kehu.sales.products.imports import ProductImportError, product_import
from kehu.sales.products.models import PriceListItem
from kehu.sales.products.selectors import (
    category_tree,
    price_list_get,
    price_list_list,
    product_get,
    product_list,
)


def _report(form, exc: Exception) -> None:
    """Put a service's refusal on the form; a permission refusal is a 403 page."""
    if isinstance(exc, ValidationError):
        form.add_service_errors(exc)
    elif isinstance(exc, DomainError):
        raise_if_forbidden(exc)
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _form_response(request, form, template: str, context: dict) -> TemplateResponse:
    return render_partial(request, template, {"form": form, **context}, target="form-card", partial="form")


# Products ------------------------------------------------------------------------------------------------


def _filter_selects(request: AuthenticatedHttpRequest) -> list[dict]:
    categories = [(str(c.pk), "— " * depth + c.name) for c, depth in category_tree(user=request.user)]
    selects = [
        ("category", _("Category"), categories),
        ("active", _("Status"), [("true", _("Active")), ("false", _("Inactive"))]),
    ]
    return [
        {"name": name, "label": label, "choices": choices, "any": True, "current": request.GET.get(name, "")}
        for name, label, choices in selects
    ]


@require_safe
@login_required
def product_list_view(request: AuthenticatedHttpRequest) -> TemplateResponse:
    try:
        products = product_list(user=request.user, filters=request.GET)
    except FilterError:
        products = product_list(user=request.user)
        messages.warning(request, _("Some filters were not understood and were ignored."))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": paginate(request, products),
        "query": query.urlencode(),
        "selects": _filter_selects(request),
    }
    return render_partial(
        request, "products/product_list.html", context, target="product-table", partial="table"
    )


@require_safe
@login_required
def product_export_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        products = product_list(user=request.user, filters=request.GET)
    except FilterError:
        return HttpResponseBadRequest(_("Some filters were not understood."))
    return exports.product_export(products=products)


@require_POST
@login_required
@permission_required("products.add_product", raise_exception=True)
def product_import_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Import products from an .xlsx file, all or nothing; row errors come back as a message."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose an Excel file (.xlsx) to import."))
        return redirect("products:list")
    try:
        created, updated = product_import(actor=request.user, file=upload)
    except ProductImportError as exc:
        shown = [_("Row %(row)d: %(error)s") % {"row": row, "error": error} for row, error in exc.rows[:10]]
        messages.error(request, " ".join([exc.message, *shown]))
    except DomainError as exc:
        raise_if_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Import done: %(created)d products created, %(updated)d updated.")
            % {"created": created, "updated": updated},
        )
    return redirect("products:list")


@login_required
@permission_required("products.add_product", raise_exception=True)
def product_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None, categories=category_tree(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(actor=request.user, data=form.service_data())
        except (ValidationError, DomainError) as exc:
            _report(form, exc)
        else:
            messages.success(request, _("Product “%(name)s” created.") % {"name": product.name})
            return hx_redirect(request, reverse("products:list"))
    return _form_response(request, form, "products/product_form.html", {"product": None})


@login_required
@permission_required("products.change_product", raise_exception=True)
def product_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    product = product_get(user=request.user, pk=pk)
    form = ProductForm(request.POST or None, instance=product, categories=category_tree(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(actor=request.user, product=product, data=form.service_data())
        except (ValidationError, DomainError) as exc:
            _report(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return hx_redirect(request, reverse("products:list"))
    return _form_response(request, form, "products/product_form.html", {"product": product})


@require_POST
@login_required
def product_deactivate_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    product = product_get(user=request.user, pk=pk)
    try:
        services.product_deactivate(actor=request.user, product=product)
    except DomainError as exc:
        raise_if_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Product “%(name)s” deactivated.") % {"name": product.name})
    return hx_redirect(request, reverse("products:list"))


# Price lists ---------------------------------------------------------------------------------------------


@require_safe
@login_required
def price_list_list_view(request: AuthenticatedHttpRequest) -> TemplateResponse:
    page = paginate(request, price_list_list(user=request.user))
    return TemplateResponse(request, "products/price_list_list.html", {"page": page, "query": ""})


@require_safe
@login_required
def price_list_detail_view(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    price_list = price_list_get(user=request.user, pk=pk)
    return TemplateResponse(
        request,
        "products/price_list_detail.html",
        {"price_list": price_list, "items": price_list.items.all(), "item_form": PriceListItemForm()},
    )


@login_required
@permission_required("products.add_pricelist", raise_exception=True)
def price_list_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PriceListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            price_list = services.price_list_create(actor=request.user, data=form.service_data())
        except (ValidationError, DomainError) as exc:
            _report(form, exc)
        else:
            messages.success(request, _("Price list “%(name)s” created.") % {"name": price_list.name})
            return hx_redirect(request, reverse("products:price_list", args=[price_list.pk]))
    return _form_response(request, form, "products/price_list_form.html", {"price_list": None})


@login_required
@permission_required("products.change_pricelist", raise_exception=True)
def price_list_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    price_list = price_list_get(user=request.user, pk=pk)
    form = PriceListForm(request.POST or None, instance=price_list)
    if request.method == "POST" and form.is_valid():
        try:
            services.price_list_update(actor=request.user, price_list=price_list, data=form.service_data())
        except (ValidationError, DomainError) as exc:
            _report(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return hx_redirect(request, reverse("products:price_list", args=[price_list.pk]))
    return _form_response(request, form, "products/price_list_form.html", {"price_list": price_list})


def _items_response(request, price_list, item_form) -> TemplateResponse:
    price_list = price_list_get(user=request.user, pk=price_list.pk)
    context = {"price_list": price_list, "items": price_list.items.all(), "item_form": item_form}
    return render_partial(
        request, "products/price_list_detail.html", context, target="price-items", partial="items"
    )


@require_POST
@login_required
@permission_required("products.change_pricelist", raise_exception=True)
def price_list_item_set_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a product to the list, or change its price there; the items table is re-rendered in place."""
    price_list = price_list_get(user=request.user, pk=pk)
    form = PriceListItemForm(request.POST)
    if form.is_valid():
        try:
            services.price_list_item_set(
                actor=request.user,
                price_list=price_list,
                product=form.cleaned_data["product"],
                price=form.cleaned_data["price"],
            )
        except (ValidationError, DomainError) as exc:
            _report(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("Price saved."))
                return redirect("products:price_list", pk=price_list.pk)
            form = PriceListItemForm()
    return _items_response(request, price_list, form)


@require_POST
@login_required
@permission_required("products.change_pricelist", raise_exception=True)
def price_list_item_remove_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(PriceListItem.objects.select_related("product", "price_list"), pk=pk)
    price_list = price_list_get(user=request.user, pk=item.price_list_id)
    services.price_list_item_remove(actor=request.user, item=item)
    if not request.htmx:
        messages.success(request, _("Product removed from the price list."))
        return redirect("products:price_list", pk=price_list.pk)
    return _items_response(request, price_list, PriceListItemForm())
