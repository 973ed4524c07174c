"""Template helpers shared by all pages."""

from django import forms, template
from django.utils.safestring import SafeString

from kehu.core import verbs

register = template.Library()


@register.filter
def bootstrap(field: forms.BoundField) -> SafeString:
    """Render a form field's widget with Bootstrap classes and its error state."""
    widget = field.field.widget
    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
    if field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def timeline_entries(activities) -> list:
    """Activities as (activity, sentence, changes), the rows `components/timeline.html` shows."""
    return verbs.timeline_entries(activities)
