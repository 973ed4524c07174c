"""Background jobs of the leads app, run by the huey consumer (`kehu serve` or `manage.py run_huey`)."""

import logging
import threading

from huey import crontab
from huey.contrib.djhuey import close_db, db_periodic_task, db_task, on_startup

from kehu.leads import imports, services

logger = logging.getLogger(__name__)
_resume_lock = threading.Lock()
_resumed = False


@db_task()
def run_import(job_id: int) -> None:
    """Import a queued spreadsheet of leads (see kehu.leads.imports.run.import_run)."""
    imports.import_run(job_id)


@db_periodic_task(crontab(minute="*/5"))
def reassign_overdue_leads() -> None:
    """The lead SLA: assigned leads nobody contacted in time go to someone else of their rule."""
    moved = services.leads_reassign_overdue()
    if moved:
        logger.info("%d overdue leads re-assigned.", moved)


@on_startup()
@close_db
def resume_imports() -> None:
    """When the consumer starts, imports a stopped worker left running continue after their last batch.

    Huey calls this in every worker; the first one of the process queues the imports. A second consumer
    doing the same is harmless: the run that starts last takes the job over and the other stops. Huey
    logs an exception here (an unmigrated database) and starts anyway.
    """
    global _resumed
    with _resume_lock:
        if _resumed:
            return
        _resumed = True
    ids = imports.import_resume_running()
    if ids:
        logger.info("Resuming imports %s.", ids)
