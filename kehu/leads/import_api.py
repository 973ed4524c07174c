"""Lead imports API: upload a spreadsheet and start it, follow its progress, read its row errors.

Mounted at /api/v1/ next to the leads router. A caller sees only the imports they started.
"""

import json
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kehu.core.api import Pagination
from kehu.core.exceptions import DomainError
from kehu.leads import imports
from kehu.leads.choices import ImportMode, ImportStatus
from kehu.leads.models import LeadImport, LeadImportError
from kehu.leads.selectors import import_get, import_list

router = Router(tags=["lead imports"])


class ImportOut(Schema):
    id: int
    status: str = Field(json_schema_extra={"enum": ImportStatus.values})
    mode: str = Field(json_schema_extra={"enum": ImportMode.values})
    original_name: str
    file_format: str
    encoding: str
    source: str
    campaign: str
    header: list[str] = Field(description="The first row of the file: the column names.")
    mapping: dict[str, str] = Field(description='{"column index": "lead field" or "extra:<key>"}.')
    total_rows: int = Field(description="An estimate while the import runs; rows with content once done.")
    processed_rows: int
    created_count: int
    duplicate_count: int
    error_count: int = Field(description="Rows with errors (each may have several).")
    message: str
    phase: str = Field(json_schema_extra={"enum": ["waiting", "checking", "importing", "finished"]})
    percent: int
    errors_url: str = Field(description="The row errors as JSON (this API).")
    report_url: str = Field(description="The row errors as an Excel file (login session).")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_phase(obj: LeadImport) -> str:
        return imports.import_progress(obj)[0]

    @staticmethod
    def resolve_percent(obj: LeadImport) -> int:
        return imports.import_progress(obj)[1]

    @staticmethod
    def resolve_errors_url(obj: LeadImport) -> str:
        return f"/api/v1/leads/imports/{obj.pk}/errors"

    @staticmethod
    def resolve_report_url(obj: LeadImport) -> str:
        return reverse("leads:import_errors", args=[obj.pk])


class ImportErrorOut(Schema):
    row: int = Field(description="Row number in the spreadsheet; the column names are row 1.")
    column: str
    value: str
    reason: str


def _mapping(raw: str) -> dict[str, Any] | None:
    if not raw.strip():
        return None
    try:
        mapping = json.loads(raw)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict):
        raise DomainError(
            _('Give the mapping as a JSON object: {"column index or name": "lead field"}.'), field="mapping"
        )
    return mapping


@router.post("/leads/import", response={202: ImportOut})
def create_import(
    request: HttpRequest,
    file: File[UploadedFile],
    mode: Form[str] = ImportMode.SKIP.value,
    source: Form[str] = "",
    campaign: Form[str] = "",
    mapping: Form[str] = "",
):
    """Upload an .xlsx or .csv file (multipart) and start importing it in the background.

    `mapping` is a JSON object of column index (or column name) → lead field (`name`, `company_name`,
    `phone`, …, or `extra:<key>` for a custom field); without it the columns are guessed from their names.
    `mode`: `skip` (import the good rows) or `all` (nothing unless every row is good). Poll the job.
    """
    job = imports.import_create(
        actor=request.user, file=file, mapping=_mapping(mapping), mode=mode, source=source, campaign=campaign
    )
    return Status(202, job)


@router.get("/leads/imports", response=list[ImportOut])
@paginate(Pagination)
def list_imports(request: HttpRequest) -> QuerySet[LeadImport]:
    return import_list(user=request.user)


@router.get("/leads/imports/{import_id}", response=ImportOut)
def get_import(request: HttpRequest, import_id: int) -> LeadImport:
    """The job's status and counts; poll it until `status` is `done` or `failed`."""
    return import_get(user=request.user, pk=import_id)


@router.get("/leads/imports/{import_id}/errors", response=list[ImportErrorOut])
@paginate(Pagination)
def list_import_errors(request: HttpRequest, import_id: int) -> QuerySet[LeadImportError]:
    """Row errors in row order: row number, column name, the value and why it was refused."""
    return import_get(user=request.user, pk=import_id).errors.all()
