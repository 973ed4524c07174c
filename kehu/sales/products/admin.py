"""Admin for products, categories and price lists (configuration; the pages and the API use the services)."""

from django.contrib import admin

from kehu.sales.products.models import PriceList, PriceListItem, Product, ProductCategory


@admin.register(ProductCategory)
class ProductCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "position"]
    list_select_related = ["parent"]
    search_fields = ["name"]
    ordering = ["parent__name", "position", "name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "unit", "list_price", "cost", "tax_rate", "active"]
    list_filter = ["active", "category"]
    list_select_related = ["category"]
    search_fields = ["code", "name"]


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    autocomplete_fields = ["product"]
    extra = 0


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "region", "currency", "valid_from", "valid_to", "active", "is_default"]
    list_filter = ["active", "is_default", "channel"]
    search_fields = ["name", "channel", "region"]
    inlines = [PriceListItemInline]


@admin.register(PriceListItem)
class PriceListItemAdmin(admin.ModelAdmin):
    list_display = ["price_list", "product", "price"]
    list_select_related = ["price_list", "product"]
    list_filter = ["price_list"]
    search_fields = ["product__code", "product__name", "price_list__name"]
    autocomplete_fields = ["product"]
