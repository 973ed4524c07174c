"""Background jobs of the core app, run by the huey consumer (`kehu serve` or `manage.py run_huey`)."""

import logging
from importlib import import_module

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="19", minute="17"))  # huey schedules in UTC: 03:17 in Asia/Shanghai
def purge_expired_sessions() -> None:
    """Delete expired sessions once a day: Django's `clearsessions`, on a schedule."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    logger.info("Expired sessions purged.")
