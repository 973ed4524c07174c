from datetime import timedelta

import factory
from django.utils import timezone

from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.choices import FollowUpMethod, PlanStatus
from kehu.followups.models import FollowUp, FollowUpPlan


class FollowUpFactory(factory.django.DjangoModelFactory):
    """A follow-up written straight to the table; the services' side effects are not applied."""

    class Meta:
        model = FollowUp

    customer = factory.SubFactory(CustomerFactory)
    method = FollowUpMethod.PHONE
    content = factory.Sequence(lambda n: f"电话沟通第{n}次")
    occurred_at = factory.LazyFunction(timezone.now)
    created_by = factory.LazyAttribute(lambda f: f.customer.owner)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpPlan

    customer = factory.SubFactory(CustomerFactory)
    owner = factory.LazyAttribute(lambda p: p.customer.owner)
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    action = "回访"
    status = PlanStatus.OPEN
    created_by = factory.LazyAttribute(lambda p: p.customer.owner)
