"""The product list's filters, shared by the page, the export and the API."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kehu.core.filters import IdFilter
from kehu.sales.products.models import Product, ProductCategory


def category_subtree_ids(category_id: int) -> list[int]:
    """The category and every category below it (the tree is small: read it once)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in ProductCategory.objects.values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = [], [category_id]
    while todo:
        pk = todo.pop()
        if pk in found:
            continue
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    category = IdFilter(method="in_category", label=_("Category"))
    active = django_filters.BooleanFilter(field_name="active", label=_("Active"))

    class Meta:
        model = Product
        fields = ["q", "category", "active"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset

    def in_category(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(category_id__in=category_subtree_ids(int(value)))
