"""Excel export of the customer list the user is looking at."""

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.activity import activity_record
from kehu.core.excel import xlsx_response
from kehu.customers.models import Customer
from kehu.customers.validators import display_phone
from kehu.org.models import User


def customer_export(*, actor: User, customers: QuerySet[Customer]) -> FileResponse:
    limit = settings.KEHU_EXPORT_MAX_ROWS
    rows = customers[:limit]
    header = [
        _("ID"),
        _("Name"),
        _("Type"),
        _("Status"),
        _("Level"),
        _("Intent level"),
        _("Industry"),
        _("Province"),
        _("City"),
        _("Phone"),
        _("Email"),
        _("Unified social credit code"),
        _("Estimated value"),
        _("Tags"),
        _("Owner"),
        _("Department"),
        _("Created at"),
        _("Updated at"),
    ]

    def values():
        for c in rows.iterator(chunk_size=2000):
            yield [
                c.pk,
                c.name,
                c.get_kind_display(),
                c.get_status_display(),
                c.level,
                c.get_intent_level_display(),
                c.get_industry_display(),
                c.province,
                c.city,
                display_phone(c.phone),
                c.email,
                c.credit_code,
                c.estimated_value,
                ", ".join(t.name for t in c.tags.all()),
                str(c.owner or ""),
                str(c.department or ""),
                c.created_at,
                c.updated_at,
            ]

    activity_record(
        actor=actor, subject=actor, verb="customer.exported", data={"count": min(customers.count(), limit)}
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(
        filename=f"customers-{stamp}.xlsx", sheet=_("Customers"), header=header, rows=values()
    )
