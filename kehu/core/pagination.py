"""Page-number pagination for HTML lists: bounded page sizes and a bounded count."""

from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZES = (20, 50, 100)
COUNT_CAP = 10_000
# A keyword search that matches thousands of rows is refined, not paged through: counting further
# would read every match of a two-character word that no trigram index can serve.
SEARCH_COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows, so a broad filter over a million customers is not counted in full.

    Past the cap the page says so and offers the first COUNT_CAP rows; a narrower filter finds the rest.
    """

    def __init__(self, *args, cap: int = COUNT_CAP, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cap = cap

    @cached_property
    def raw_count(self) -> int:
        return self.object_list.order_by()[: self.cap + 1].count()  # any cap + 1 rows will do

    @cached_property
    def count(self) -> int:
        return min(self.raw_count, self.cap)

    @property
    def is_capped(self) -> bool:
        return self.raw_count > self.cap


def paginate(request: HttpRequest, queryset: QuerySet, default_size: int = 20) -> Page:
    """A page of `queryset`; a keyword search (`q`) counts at most SEARCH_COUNT_CAP rows."""
    try:
        size = int(request.GET.get("size", default_size))
    except ValueError:
        size = default_size
    if size not in PAGE_SIZES:
        size = default_size
    cap = SEARCH_COUNT_CAP if request.GET.get("q", "").strip() else COUNT_CAP
    return CappedPaginator(queryset, size, cap=cap).get_page(request.GET.get("page"))
