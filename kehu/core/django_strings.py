"""Strings of Django itself that its zh-Hans catalog lacks (as of Django 6.1), listed so that makemessages
puts them in ours, which is searched first (LOCALE_PATHS)."""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    gettext_noop("- Select an option -"),  # django.db.models.fields.BLANK_CHOICE_LABEL
]
