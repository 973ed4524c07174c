"""Page-number pagination for HTML lists: bounded page sizes and a bounded count."""

from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZES = (20, 50, 100)
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows, so a broad filter over a million customers is not counted in full.

    Past the cap the page says so and offers the first COUNT_CAP rows; a narrower filter finds the rest.
    """

    @cached_property
    def raw_count(self) -> int:
        return self.object_list.order_by()[: COUNT_CAP + 1].count()  # any COUNT_CAP + 1 rows will do

    @cached_property
    def count(self) -> int:
        return min(self.raw_count, COUNT_CAP)

    @property
    def is_capped(self) -> bool:
        return self.raw_count > COUNT_CAP


def paginate(request: HttpRequest, queryset: QuerySet, default_size: int = 20) -> Page:
    try:
        size = int(request.GET.get("size", default_size))
    except ValueError:
        size = default_size
    if size not in PAGE_SIZES:
        size = default_size
    return CappedPaginator(queryset, size).get_page(request.GET.get("page"))
