"""Lead import pages: my imports, upload, column mapping and start, progress (htmx polling), error report."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_safe

from kehu.core.excel import xlsx_response
from kehu.core.exceptions import DomainError, raise_if_forbidden
from kehu.core.htmx import render_partial
from kehu.core.pagination import paginate
from kehu.customers.choices import CustomerSource
from kehu.leads import imports
from kehu.leads.choices import ImportMode, ImportStatus
from kehu.leads.models import LeadImport
from kehu.leads.selectors import import_get, import_list
from kehu.org.http import AuthenticatedHttpRequest

ERRORS_SHOWN = 100


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_lazy("File"))
    mode = forms.ChoiceField(
        label=_lazy("Rows with errors"),
        choices=ImportMode.choices,
        initial=ImportMode.SKIP,
        widget=forms.RadioSelect,
    )
    source = forms.ChoiceField(
        label=_lazy("Source"), choices=[("", "—"), *CustomerSource.choices], required=False
    )
    campaign = forms.CharField(label=_lazy("Campaign"), max_length=100, required=False)

    def add_service_errors(self, exc: ValidationError | DomainError) -> None:
        if isinstance(exc, DomainError):
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
            return
        for field, errors in exc.message_dict.items():
            self.add_error(field if field in self.fields else None, errors)


@require_safe
@login_required
def import_list_view(request: AuthenticatedHttpRequest) -> TemplateResponse:
    page = paginate(request, import_list(user=request.user))
    rows = [(job, *imports.import_progress(job)) for job in page.object_list]
    return TemplateResponse(request, "leads/import_list.html", {"page": page, "rows": rows})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("leads.import_lead", raise_exception=True)
def import_upload_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_upload(actor=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            form.add_service_errors(exc)
        else:
            return redirect("leads:import_detail", pk=job.pk)
    limit = settings.KEHU_IMPORT_MAX_BYTES // (1024 * 1024)
    return TemplateResponse(request, "leads/import_upload.html", {"form": form, "limit_mb": limit})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The column mapping and Start (while uploaded), then the progress and the result."""
    job = import_get(user=request.user, pk=pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        options = {k: request.POST.get(k, "") for k in ("mode", "source", "campaign")}
        mapping = {str(i): request.POST.get(f"column-{i}", "") for i in range(len(job.header))}
        try:
            imports.import_start(actor=request.user, job=job, mapping=mapping, **options)
        except ValidationError as exc:
            errors = exc.message_dict
            job.mapping = {k: v for k, v in mapping.items() if v}
        except DomainError as exc:
            raise_if_forbidden(exc)
            messages.error(request, exc.message)
            return redirect("leads:import_detail", pk=job.pk)
        else:
            return redirect("leads:import_detail", pk=job.pk)
    return _detail(request, job, errors)


@require_safe
@login_required
def import_progress_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The progress fragment that the page polls every second (a plain request gets the whole page)."""
    return _detail(request, import_get(user=request.user, pk=pk))


@require_safe
@login_required
def import_errors_view(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """Every row error as .xlsx: row, column, value, reason (cells that look like formulas are quoted)."""
    job = import_get(user=request.user, pk=pk)
    rows = job.errors.values_list("row", "column", "value", "reason").iterator(chunk_size=2000)
    return xlsx_response(
        filename=f"import-{job.pk}-errors.xlsx",
        sheet=_("Row errors"),
        header=[_("Row"), _("Column"), _("Value"), _("Reason")],
        rows=rows,
    )


def _detail(
    request: AuthenticatedHttpRequest, job: LeadImport, errors: dict[str, list[str]] | None = None
) -> TemplateResponse:
    phase, percent = imports.import_progress(job)
    context = {"job": job, "phase": phase, "percent": percent, "form_errors": errors or {}}
    if job.status == ImportStatus.UPLOADED:
        context |= _mapping_context(job, request.POST if request.method == "POST" else None)
    if job.is_finished:
        context["errors"] = job.errors.all()[:ERRORS_SHOWN]
    return render_partial(
        request, "leads/import_detail.html", context, target="import-progress", partial="progress"
    )


def _mapping_context(job: LeadImport, posted=None) -> dict:
    width = len(job.header)
    columns = [
        {
            "index": i,
            "name": imports.column_label(job.header, i),
            "value": job.mapping.get(str(i), ""),
            "extra": imports.EXTRA_PREFIX + imports.extra_key(job.header, i),
        }
        for i in range(width)
    ]
    options = posted or {"mode": job.mode, "source": job.source, "campaign": job.campaign}
    return {
        "columns": columns,
        "grid": [[row[i] if i < len(row) else "" for i in range(width)] for row in job.preview],
        "choices": imports.mapping_choices(),
        "modes": ImportMode.choices,
        "sources": CustomerSource.choices,
        "options": {k: options.get(k, "") for k in ("mode", "source", "campaign")},
    }
