"""Reading a job's progress for the pages and the API."""

from __future__ import annotations

from kehu.leads.choices import ImportMode, ImportStatus
from kehu.leads.models import LeadImport


def import_progress(job: LeadImport) -> tuple[str, int]:
    """(phase, percent) for the progress bar: checking (all or nothing, first pass), importing, finished.

    All or nothing reads the file twice, so each pass fills half of the bar.
    """
    if job.is_finished:
        return "finished", 100
    if job.status != ImportStatus.RUNNING:
        return "waiting", 0
    share = job.percent
    if job.mode != ImportMode.ALL_OR_NOTHING:
        return "importing", share
    if job.created_count == 0:
        return "checking", share // 2
    return "importing", min(99, 50 + share // 2)
