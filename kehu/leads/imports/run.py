"""The run of an import, in the background task: batches of rows through `services.leads_create`.

The file is streamed and handed over in batches of BATCH_SIZE rows, so a lead from a file gets the same
checks, duplicate detection, assignment, log and timeline as one typed in. Nobody is notified per batch:
when the run ends, `notices` sends one message per person for the whole import.

The run is resumable: each batch is one transaction that also saves `processed_rows`, the counts and the
batch's row errors, so a run that is killed and started again continues after the last batch it saved.
Every run takes the job over by writing its own start time into `started_at`; a run that finds another
start time there has been replaced and stops, so two runs never import the same rows.

All or nothing reads the file twice: a first pass checks every row and saves only the row errors; if
there are none, the second imports the rows the first kept in a temporary file.
"""

from __future__ import annotations

import itertools
import logging
import pickle
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kehu.core.activity import activity_record
from kehu.leads import services
from kehu.leads.choices import ImportMode, ImportStatus, LeadChannel
from kehu.leads.imports.files import data_rows, is_empty, stored_file
from kehu.leads.imports.notices import finish_messages
from kehu.leads.imports.rows import Plan, RowError, row_clean
from kehu.leads.models import Lead, LeadImport, LeadImportError
from kehu.notifications.services import notify

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000

_Batch = tuple[tuple[int, Sequence[Any]], ...]


class _Superseded(Exception):
    """Another run has taken the job over (or it was finished meanwhile): stop without writing."""


def import_run(job_id: int) -> LeadImport | None:
    """Run a queued import (or continue one a stopped worker left running). The huey task calls this.

    Returns the finished job, or None when another run took it over.
    """
    token = timezone.now()
    if not LeadImport.objects.filter(
        pk=job_id, status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING)
    ).update(status=ImportStatus.RUNNING, started_at=token):
        return LeadImport.objects.filter(pk=job_id).first()
    job = LeadImport.objects.select_related("created_by").get(pk=job_id)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            status, message = _run(job, token)
        except _Superseded:
            logger.info("Import %s was taken over by another run.", job_id)
            return None
        except Exception as exc:
            logger.exception("Import %s stopped.", job_id)
            status = ImportStatus.FAILED
            message = _("The import stopped after %(rows)d rows: %(error)s") % {
                "rows": job.processed_rows,
                "error": str(exc)[:300],
            }
        return _finish(job, token, status, message)


def _run(job: LeadImport, token: datetime) -> tuple[str, str]:
    plan = Plan.of(job)
    if job.mode != ImportMode.ALL_OR_NOTHING or job.created_count:
        _insert(job, plan, token, job.processed_rows, _batches(job, job.processed_rows))
        return ImportStatus.DONE, ""
    # All or nothing, and nothing created yet: (re)check every row first, then import from the top. The
    # first pass keeps the rows it read in a temporary file, so the second need not parse the file again.
    with tempfile.TemporaryFile() as spool:
        if not _check_all(job, plan, token, spool):
            message = _(
                "%(n)d rows have errors, so nothing was imported. Correct them and upload the file again."
            )
            return ImportStatus.FAILED, message % {"n": job.error_count}
        spool.seek(0)
        _insert(job, plan, token, 0, _spooled(spool))
    return ImportStatus.DONE, ""


def _batches(job: LeadImport, skip: int) -> Iterator[_Batch]:
    with closing(data_rows(job, skip=skip)) as rows:
        yield from itertools.batched(rows, BATCH_SIZE)


def _locked(job: LeadImport, token: datetime) -> None:
    """Inside a transaction: the job's row, locked, must still belong to this run."""
    current = LeadImport.objects.select_for_update().filter(pk=job.pk).values("status", "started_at").first()
    if current != {"status": ImportStatus.RUNNING, "started_at": token}:
        raise _Superseded


def _error_rows(job: LeadImport, row: int, errors: list[RowError]) -> list[LeadImportError]:
    return [
        LeadImportError(job=job, row=row, column=column[:100], value=value[:200], reason=reason[:300])
        for column, value, reason in errors
    ]


def _check_all(job: LeadImport, plan: Plan, token: datetime, spool: IO[bytes]) -> bool:
    """All or nothing, first pass: check every row and save only the row errors. True if none."""
    with transaction.atomic():
        _locked(job, token)
        job.errors.all().delete()
        counts = _save_counts(job, processed_rows=0, error_count=0)
    job.__dict__.update(counts)
    for chunk in _batches(job, 0):
        pickle.dump(chunk, spool, pickle.HIGHEST_PROTOCOL)
        pending: list[LeadImportError] = []
        bad_rows = 0
        for number, cells in chunk:
            if not is_empty(cells):
                _cleaned, errors = row_clean(cells, plan)
                if errors:
                    bad_rows += 1
                    pending += _error_rows(job, number, errors)
        with transaction.atomic():
            _locked(job, token)
            LeadImportError.objects.bulk_create(pending, batch_size=BATCH_SIZE)
            counts = _save_counts(
                job, processed_rows=job.processed_rows + len(chunk), error_count=job.error_count + bad_rows
            )
        job.__dict__.update(counts)
    return job.error_count == 0


def _spooled(spool: IO[bytes]) -> Iterator[_Batch]:
    """The batches `_check_all` kept (a file this process wrote itself: safe to unpickle)."""
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def _insert(job: LeadImport, plan: Plan, token: datetime, start: int, batches: Iterable[_Batch]) -> None:
    """Batches of rows → leads_create; each batch, its counts and its row errors in one transaction."""
    processed = start
    for chunk in batches:
        now = timezone.now()
        leads: list[Lead] = []
        bad: list[LeadImportError] = []
        bad_rows = 0
        for number, cells in chunk:
            if is_empty(cells):
                continue
            cleaned, errors = row_clean(cells, plan)
            if cleaned is None:
                bad_rows += 1
                bad += _error_rows(job, number, errors)
            else:
                leads.append(
                    services.lead_build(
                        cleaned,
                        actor=job.created_by,
                        channel=LeadChannel.IMPORT,
                        import_job_id=job.pk,
                        now=now,
                    )
                )
        processed += len(chunk)
        with transaction.atomic():
            _locked(job, token)
            # nobody is notified per batch: _finish sums up the whole import for each person
            services.leads_create(actor=job.created_by, leads=leads, now=now, notify_people=False)
            LeadImportError.objects.bulk_create(bad, batch_size=BATCH_SIZE)
            counts = _save_counts(
                job,
                processed_rows=processed,
                created_count=job.created_count + len(leads),
                duplicate_count=job.duplicate_count + sum(1 for lead in leads if lead.duplicate_key),
                error_count=job.error_count + bad_rows,
            )
        job.__dict__.update(counts)  # once saved: the job in memory never runs ahead of the database


def _save_counts(job: LeadImport, **counts: int) -> dict[str, int]:
    LeadImport.objects.filter(pk=job.pk).update(**counts)
    return counts


def _finish(job: LeadImport, token: datetime, status: str, message: str) -> LeadImport | None:
    """Close the job, tell the importer and the people who received its leads, remove the stored file.

    The messages go out in the same transaction that closes the job, so a job is summed up once only.
    """
    try:
        with transaction.atomic():
            _locked(job, token)
            job.status, job.message, job.finished_at = status, str(message)[:500], timezone.now()
            if status == ImportStatus.DONE:  # rows with content, not the estimate or the empty rows
                job.total_rows = job.created_count + job.error_count
            job.save(update_fields=["status", "message", "finished_at", "total_rows"])
            activity_record(
                actor=job.created_by, subject=job, verb="lead_import.finished", data=_summary(job)
            )
            notify(messages=finish_messages(job), email=True)
    except _Superseded:
        return None
    stored_file(job.stored_path).unlink(missing_ok=True)
    return job


def _summary(job: LeadImport) -> dict[str, Any]:
    keys = ("status", "total_rows", "created_count", "duplicate_count", "error_count")
    return {key: getattr(job, key) for key in keys}
