"""Leads for tests, captured through the services: duplicate check, assignment, log and timeline included."""

from kehu.leads import services
from kehu.leads.choices import LeadChannel
from kehu.leads.models import Lead
from kehu.leads.tests.rules import lead_data, make_rule

__all__ = ["LeadFactory", "lead_data", "make_rule"]


class LeadFactory:
    """`LeadFactory(owner=org.rep, company_name="星河")` captures one lead, as a factory_boy call builds one.

    With an `owner` the rules are skipped (an assignment by hand); without one the active rules decide, and
    a lead that no rule matches stays in the lead pool. Unnamed fields get a unique name and phone.
    """

    def __new__(cls, *, owner=None, actor=None, channel=LeadChannel.API, **fields) -> Lead:
        return services.lead_capture(actor=actor, data=lead_data(**fields), channel=channel, owner=owner)

    @classmethod
    def create_batch(cls, size: int, **kwargs) -> list[Lead]:
        return [cls(**kwargs) for _ in range(size)]
