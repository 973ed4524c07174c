from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kehu.sales.statistics.rollup import rollup_refresh


@db_periodic_task(crontab(minute="*/10"))
def purchase_rollups_refresh() -> None:
    """Build the months of the purchase statistics' rollups that changed since they were built."""
    rollup_refresh()
