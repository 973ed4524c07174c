from django.contrib import admin

from kehu.sales.opportunities.models import Pipeline, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ("position", "name", "probability", "is_won", "is_lost", "usual_days")
    can_delete = False  # history rows point at stages: rename or reorder them instead


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default", "active")
    inlines = [StageInline]
