"""Approval pages: my queue and the other lists (tabs), one request with its steps, and the decisions
(approve / reject with a comment, withdraw). Flows are administered in the Django admin."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kehu.approvals import registry, services
from kehu.approvals.choices import ApprovalView, RequestStatus, TaskStatus
from kehu.approvals.forms import REJECT, DecisionForm
from kehu.approvals.models import ApprovalRequest, ApprovalTask
from kehu.approvals.selectors import approval_get, approval_list, approval_task_get
from kehu.core.exceptions import DomainError, raise_if_forbidden
from kehu.core.htmx import render_partial, toast
from kehu.core.pagination import paginate
from kehu.org.http import AuthenticatedHttpRequest
from kehu.org.models import User

DETAIL = "approvals/approval_detail.html"


def _views(user: User) -> list[str]:
    views = [ApprovalView.QUEUE, ApprovalView.SUBMITTED, ApprovalView.DECIDED]
    return [*views, ApprovalView.ALL] if user.has_perm("approvals.view_approvalrequest") else views


def _document_urls(approvals: Iterable[ApprovalRequest]) -> dict[int, str]:
    """{request id: its document's page}, one query per document type on the page."""
    by_type: dict[str, list[ApprovalRequest]] = defaultdict(list)
    for approval in approvals:
        by_type[approval.document_type].append(approval)
    urls = {}
    for key, rows in by_type.items():
        entry = registry.document_types().get(key)
        if entry is None or entry.url is None:
            continue
        documents = entry.model._default_manager.in_bulk([r.document_id for r in rows])
        urls |= {
            r.pk: entry.document_url(documents[r.document_id]) for r in rows if r.document_id in documents
        }
    return urls


def _values(approval: ApprovalRequest) -> list[tuple[str, str]]:
    """The condition values as (label, value), labelled as the document type names its fields."""
    entry = registry.document_types().get(approval.document_type)
    labels = entry.fields if entry else {}
    return [(str(labels.get(name, name)), value) for name, value in (approval.values or {}).items()]


def _current_task(approval: ApprovalRequest) -> ApprovalTask | None:
    if approval.status != RequestStatus.PENDING:
        return None
    return next((t for t in approval.tasks.all() if t.status == TaskStatus.PENDING), None)


def _decorate(approvals: Iterable[ApprovalRequest]) -> None:
    urls = _document_urls(approvals)
    for approval in approvals:
        approval.document_url = urls.get(approval.pk, "")
        approval.type_label = registry.document_type_label(approval.document_type)
        approval.value_rows = _values(approval)
        approval.current_task = _current_task(approval)


@require_safe
@login_required
def approval_list_view(request: AuthenticatedHttpRequest) -> TemplateResponse:
    views = _views(request.user)
    view = request.GET.get("view") or ApprovalView.QUEUE
    if view not in views:
        raise Http404
    page = paginate(request, approval_list(user=request.user, filters={"view": view}))
    _decorate(page.object_list)
    tabs = [
        (key, ApprovalView(key).label, approval_list(user=request.user, filters={"view": key}).count())
        for key in views
    ]
    context = {"page": page, "view": view, "tabs": tabs, "query": f"view={view}"}
    return render_partial(
        request, "approvals/approval_list.html", context, target="approval-table", partial="table"
    )


def _detail_context(request: AuthenticatedHttpRequest, pk: int, form: DecisionForm | None = None) -> dict:
    approval = approval_get(user=request.user, pk=pk)
    _decorate([approval])
    task = approval.current_task
    can_decide = task is not None and any(u.pk == request.user.pk for u in task.approvers.all())
    if can_decide and form is None:
        form = DecisionForm(initial={"task": task.pk})
    return {
        "approval": approval,
        "form": form if can_decide else None,
        "can_withdraw": approval.status == RequestStatus.PENDING and approval.submitter_id == request.user.pk,
    }


@require_safe
@login_required
def approval_detail_view(request: AuthenticatedHttpRequest, pk: int) -> TemplateResponse:
    return TemplateResponse(request, DETAIL, _detail_context(request, pk))


def _done(request: AuthenticatedHttpRequest, pk: int, message: str, level: str = "success") -> HttpResponse:
    if request.htmx:
        response = render_partial(
            request, DETAIL, _detail_context(request, pk), target="approval-body", partial="body"
        )
        return toast(response, message, level)
    getattr(messages, level)(request, message)
    return redirect(reverse("approvals:detail", args=[pk]))


@require_POST
@login_required
def approval_decide_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Approve or reject the current step; 403 for whoever is not one of its approvers."""
    form = DecisionForm(request.POST)
    if not form.is_valid():
        task = approval_task_get(pk=form.cleaned_data["task"]) if "task" in form.cleaned_data else None
        if task is None or not task.approvers.filter(pk=request.user.pk).exists():
            raise PermissionDenied(_("You are not an approver of this step."))
        context = _detail_context(request, pk, form)
        return render_partial(request, DETAIL, context, target="approval-body", partial="body")
    task = approval_task_get(pk=form.cleaned_data["task"])
    if task.request_id != pk:
        raise Http404
    decide = (
        services.approval_reject if form.cleaned_data["decision"] == REJECT else services.approval_approve
    )
    try:
        decide(actor=request.user, task=task, comment=form.cleaned_data["comment"])
    except DomainError as exc:
        raise_if_forbidden(exc)
        return _done(request, pk, exc.message, "error")
    rejected = form.cleaned_data["decision"] == REJECT
    return _done(request, pk, _("Rejected.") if rejected else _("Approved."))


@require_POST
@login_required
def approval_withdraw_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The submitter withdraws a pending request."""
    approval = approval_get(user=request.user, pk=pk)
    try:
        services.approval_cancel(actor=request.user, request=approval)
    except DomainError as exc:
        raise_if_forbidden(exc)
        return _done(request, pk, exc.message, "error")
    return _done(request, pk, _("Withdrawn from approval."))
