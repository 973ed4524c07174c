"""Background jobs of the workbench, run by the huey consumer (`kehu serve` or `manage.py run_huey`)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kehu.workbench.digest import digests_send

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="23", minute="30"))  # huey schedules in UTC: 07:30 in Asia/Shanghai
def send_daily_digests() -> None:
    """Each user's day by email, before work starts."""
    sent = digests_send()
    logger.info("%d daily digests sent.", len(sent))
