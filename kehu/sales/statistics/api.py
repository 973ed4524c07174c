"""Purchase statistics API: the same figures, filters and scope as the page."""

from django.http import HttpRequest
from ninja import Query, Router

from kehu.sales.statistics.schemas import PurchaseStatisticsFilterSchema, PurchaseStatisticsOut
from kehu.sales.statistics.selectors import PurchaseStatistics, purchase_statistics

router = Router(tags=["statistics"])


@router.get("/reports/purchases", response=PurchaseStatisticsOut)
def purchases_report(
    request: HttpRequest, filters: Query[PurchaseStatisticsFilterSchema]
) -> PurchaseStatistics:
    """Purchases (confirmed, shipped and completed orders) in your scope over a period: count, amount, cost,
    gross profit and margin, by month, by rep and by department; the products ranked by amount and by gross
    profit; the receipts against the instalments due in the period. Filters: `date_from`, `date_to` (this
    year by default), `owner`, `department` (with its sub-departments), `product`, `level`."""
    return purchase_statistics(user=request.user, filters=filters.filter_data(), top=filters.top)
