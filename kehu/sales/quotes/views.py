"""Quote pages (being written)."""

from django.http import HttpResponse


def quote_list_view(request, *args, **kwargs):
    return HttpResponse("")


quote_create_view = quote_detail_view = quote_edit_view = quote_print_view = quote_action_view = (
    quote_list_view
)
