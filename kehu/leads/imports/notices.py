"""What people are told when an import finishes: one notification each, whatever the size of the file.

- the importer: the result (leads created, duplicates, rows with errors), or why it failed;
- each person who received leads of the import: how many (verb `lead.assigned`);
- each person who works a customer or lead that leads of the import duplicate, and who did not receive
  those leads: how many (verb `lead.duplicate`).

The batches themselves notify nobody (`leads_create(notify_people=False)`); the counts come from two
GROUP BY queries over the job's leads, so they cover every batch, resumed runs included.
"""

from __future__ import annotations

from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehu.leads.choices import ImportStatus
from kehu.leads.models import Lead, LeadImport
from kehu.notifications.services import Message
from kehu.org.models import User


def finish_messages(job: LeadImport) -> list[Message]:
    """The importer's message, then the summaries for those who received or already work these leads.

    Call it in the active language of the messages. A job that created nothing (an all-or-nothing import
    with bad rows) has no summaries.
    """
    messages = [_finished_message(job)]
    if job.created_count:
        leads = Lead.objects.filter(import_job=job).alive()
        received = dict(
            leads.filter(owner__isnull=False).values_list("owner").annotate(n=Count("pk")).order_by()
        )
        duplicated = list(_duplicate_owner_counts(leads))
        people = User.objects.in_bulk({*received, *(row["record_owner"] for row in duplicated)})
        messages += _received_messages(job, received, people)
        messages += _duplicate_messages(job, duplicated, people)
    return messages


def _finished_message(job: LeadImport) -> Message:
    url = reverse("leads:import_detail", args=[job.pk])
    if job.status == ImportStatus.FAILED:
        title = _("Import of %(file)s failed") % {"file": job.original_name}
        return Message(job.created_by, "lead.import_done", title, job.message, url)
    title = _("Import of %(file)s finished: %(n)d leads created") % {
        "file": job.original_name,
        "n": job.created_count,
    }
    body = _("%(duplicates)d of them duplicate earlier leads or customers; %(errors)d rows had errors.") % {
        "duplicates": job.duplicate_count,
        "errors": job.error_count,
    }
    return Message(job.created_by, "lead.import_done", title, body, url)


def _received_messages(job: LeadImport, counts: dict[int, int], people: dict[int, User]) -> list[Message]:
    url = reverse("leads:list") + "?view=mine&status=assigned"
    messages = []
    for pk, n in counts.items():
        title = ngettext(
            "%(n)d new lead for you from the import of %(file)s",
            "%(n)d new leads for you from the import of %(file)s",
            n,
        ) % {"n": n, "file": job.original_name}
        messages.append(Message(people.get(pk), "lead.assigned", title, "", url))
    return messages


def _duplicate_owner_counts(leads: QuerySet[Lead]) -> QuerySet:
    """Per person who works the customer (else the lead) that leads duplicate, unless they received them:
    how many leads, and how many distinct customers and leads they duplicate (to link a single one)."""
    return (
        leads.annotate(record_owner=Coalesce("duplicate_customer__owner", "duplicate_of__owner"))
        .filter(record_owner__isnull=False)
        .filter(Q(owner__isnull=True) | ~Q(record_owner=F("owner")))
        .values("record_owner")
        .annotate(
            n=Count("pk"),
            customers=Count("duplicate_customer", distinct=True),
            originals=Count("duplicate_of", distinct=True),
            customer=Max("duplicate_customer"),
            original=Max("duplicate_of"),
        )
        .order_by()
    )


def _duplicate_messages(job: LeadImport, rows: list[dict], people: dict[int, User]) -> list[Message]:
    messages = []
    for row in rows:
        n = row["n"]
        title = ngettext(
            "%(n)d lead of the import of %(file)s duplicates a record you work on",
            "%(n)d leads of the import of %(file)s duplicate records you work on",
            n,
        ) % {"n": n, "file": job.original_name}
        body = _("Someone else received them; check whether you should work together.")
        url = ""  # several records: no single page shows them
        if (row["customers"], row["originals"]) == (1, 0):
            url = reverse("customers:detail", args=[row["customer"]]) + "?tab=timeline"
        elif (row["customers"], row["originals"]) == (0, 1):
            url = reverse("leads:detail", args=[row["original"]])
        messages.append(Message(people.get(row["record_owner"]), "lead.duplicate", title, body, url))
    return messages
