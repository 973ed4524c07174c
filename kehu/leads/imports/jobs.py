"""The job before it runs: upload (store the file, read its header), start (check and queue), resume.

There is no cancel: once started, an import runs to its end (done or failed).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.core.activity import activity_record
from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.core.permissions import ensure_perm
from kehu.customers.choices import CustomerSource
from kehu.leads.choices import ImportMode, ImportStatus
from kehu.leads.imports.files import FORMATS, inspect, stored_file
from kehu.leads.imports.mapping import mapping_clean, mapping_guess
from kehu.leads.models import LeadImport
from kehu.org.models import User


def import_upload(
    *,
    actor: User,
    file: File,
    source: str = "",
    campaign: str = "",
    mode: str = ImportMode.SKIP,
) -> LeadImport:
    """Store an uploaded .xlsx or .csv file, read its header and first rows, and guess the mapping.

    A file that is not what its name says (a picture renamed .xlsx, binary data named .csv), too big,
    empty, or without a header row is refused with a DomainError on `file`; nothing is kept.
    """
    ensure_perm(actor, "leads.import_lead")
    _check_options(mode=mode, source=source, campaign=campaign)
    name = Path(file.name or "").name
    extension = Path(name).suffix.lower().lstrip(".")
    if extension == "xls":
        raise DomainError(
            _("Old Excel files (.xls) cannot be read: save the file as .xlsx and upload it again."),
            field="file",
        )
    if extension not in FORMATS:
        raise DomainError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."), field="file")
    if not file.size:
        raise DomainError(_("The file is empty."), field="file")
    limit = settings.KEHU_IMPORT_MAX_BYTES
    if file.size > limit:
        raise DomainError(
            _("The file is larger than %(size)d MB, the limit.") % {"size": limit // (1024 * 1024)},
            field="file",
        )
    relative = f"uploads/imports/{uuid.uuid4().hex}.{extension}"
    path = stored_file(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    try:
        encoding, total, header, preview = inspect(path, extension)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    job = LeadImport.objects.create(
        created_by=actor,
        original_name=name[:255],
        stored_path=relative,
        file_format=extension,
        encoding=encoding,
        header=header,
        preview=preview,
        mapping=mapping_guess(header),
        mode=mode,
        source=source,
        campaign=campaign.strip(),
        total_rows=total,
    )
    activity_record(
        actor=actor, subject=job, verb="lead_import.uploaded", data={"file": job.original_name, "rows": total}
    )
    return job


def _check_options(*, mode: str, source: str, campaign: str) -> None:
    errors = {}
    if mode not in ImportMode.values:
        errors["mode"] = [_("Choose what happens to rows with errors.")]
    if source and source not in CustomerSource.values:
        errors["source"] = [_("“%(value)s” is not one of the choices.") % {"value": source}]
    if len(campaign.strip()) > 100:
        errors["campaign"] = [_("At most %(n)d characters.") % {"n": 100}]
    if errors:
        raise ValidationError(errors)


def _ensure_own(actor: User, job: LeadImport) -> None:
    ensure_perm(actor, "leads.import_lead")
    if job.created_by_id != actor.pk and not actor.is_superuser:
        raise PermissionDeniedError(_("You do not have permission to do this."))


@transaction.atomic
def import_start(
    *,
    actor: User,
    job: LeadImport,
    mapping: Mapping[str, Any],
    mode: str,
    source: str = "",
    campaign: str = "",
) -> LeadImport:
    """Check the mapping and the options, and queue the import; it runs once this transaction commits."""
    _ensure_own(actor, job)
    job = LeadImport.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.UPLOADED:
        raise ConflictError(_("This import has already been started."))
    _check_options(mode=mode, source=source, campaign=campaign)
    job.mapping = mapping_clean(job, mapping)
    job.mode, job.source, job.campaign, job.status = mode, source, campaign.strip(), ImportStatus.QUEUED
    job.save(update_fields=["mapping", "mode", "source", "campaign", "status"])
    activity_record(
        actor=actor, subject=job, verb="lead_import.started", data={"mode": mode, "mapping": job.mapping}
    )
    transaction.on_commit(lambda: enqueue(job.pk), robust=True)
    return job


def import_create(
    *,
    actor: User,
    file: File,
    mapping: Mapping[str, Any] | None = None,
    mode: str = ImportMode.SKIP,
    source: str = "",
    campaign: str = "",
) -> LeadImport:
    """Upload and start in one step (the API); without `mapping`, the guessed one. Refused: nothing kept."""
    with transaction.atomic():
        job = import_upload(actor=actor, file=file, source=source, campaign=campaign, mode=mode)
        try:
            return import_start(
                actor=actor,
                job=job,
                mapping=job.mapping if mapping is None else mapping,
                mode=mode,
                source=source,
                campaign=campaign,
            )
        except BaseException:
            stored_file(job.stored_path).unlink(missing_ok=True)
            raise


def enqueue(job_id: int) -> None:
    """Queue the background task that runs the import (`run.import_run`)."""
    from kehu.leads.tasks import run_import

    run_import(job_id)


def import_resume_running() -> list[int]:
    """Queue again the imports a stopped worker left running; they continue after their last batch."""
    ids = list(LeadImport.objects.filter(status=ImportStatus.RUNNING).values_list("pk", flat=True))
    for pk in ids:
        enqueue(pk)
    return ids
