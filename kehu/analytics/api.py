"""Reports API: the sales funnel, with the same filters, definitions and scope as the page."""

from django.http import HttpRequest
from ninja import Query, Router

from kehu.analytics.schemas import FunnelFilterSchema, FunnelOut
from kehu.analytics.selectors import Funnel, funnel
from kehu.core.permissions import ensure_perm

router = Router(tags=["reports"])


@router.get("/reports/funnel", response=FunnelOut)
def funnel_report(request: HttpRequest, filters: Query[FunnelFilterSchema]) -> Funnel:
    """The sales funnel of the opportunities created in a period, in your scope: per funnel stage in order,
    how many reached it (by stage history), their amount, the conversion to the next stage and the average
    days spent in it; the lost deals by reason, competitor and stage. Filters: `pipeline`, `date_from`,
    `date_to` (this year by default), `view`, `department` (with its sub-departments), `owner`."""
    ensure_perm(request.user, "opportunities.view_opportunity")
    return funnel(user=request.user, filters=filters.filter_data())
