"""Background jobs of the pool app, run by the huey consumer (`kehu serve` or `manage.py run_huey`)."""

import logging

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from kehu.pool import reclaim

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="7"))
@HUEY.lock_task("pool-reclaim")
def reclaim_neglected_customers() -> None:
    """Hourly: customers not followed up or not closed in time go back to their pools.

    Safe with several workers: huey's lock lets one run at a time (a second start is skipped), and inside,
    the pools are locked FOR UPDATE, so even two unlocked runs would move each customer once.
    """
    summaries = reclaim.pool_reclaim()
    moved = sum(s["no_followup"] + s["not_closed"] for s in summaries.values())
    if moved:
        logger.info("%d customers reclaimed to their pools.", moved)
