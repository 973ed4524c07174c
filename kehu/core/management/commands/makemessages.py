"""Django's makemessages, also extracting `_lazy("...")`: the name our modules give gettext_lazy
when `_` is already plain gettext (`from django.utils.translation import gettext_lazy as _lazy`).

Without it, xgettext skips those strings and they show untranslated (the detail pages' tabs, for one).
Run it as the docs say: `manage.py makemessages -l zh_Hans --ignore=.venv --ignore=node_modules`.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
