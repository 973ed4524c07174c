"""Background jobs of the follow-ups app, run by the huey consumer (`kehu serve` or `manage.py run_huey`)."""

import logging

from django.conf import settings
from django.utils import translation
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kehu.followups import services

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def remind_due_plans() -> None:
    """In-app reminders at the planned time: one notification per plan that fell due, once."""
    with translation.override(settings.LANGUAGE_CODE):
        sent = services.plans_remind_due()
    if sent:
        logger.info("%d follow-up reminders sent.", sent)
