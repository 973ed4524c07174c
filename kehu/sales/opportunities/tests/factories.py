from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from kehu.customers.tests.factories import CustomerFactory
from kehu.sales.opportunities.models import Opportunity, Pipeline, Stage, weighted_amount


def default_stages() -> dict[str, Stage]:
    """The default pipeline's stages (created by the data migration), by name."""
    return {s.name: s for s in Stage.objects.filter(pipeline__is_default=True)}


class OpportunityFactory(factory.django.DjangoModelFactory):
    """An open opportunity written straight to the table (no history, no timeline entry)."""

    class Meta:
        model = Opportunity

    title = factory.Sequence(lambda n: f"ERP项目{n}")
    customer = factory.SubFactory(CustomerFactory, owner=factory.SelfAttribute("..owner"))
    department = factory.LazyAttribute(lambda o: o.owner.department if o.owner else None)
    pipeline = factory.LazyFunction(lambda: Pipeline.objects.get(is_default=True))
    stage = factory.LazyAttribute(lambda o: o.pipeline.stages.order_by("position").first())
    probability = factory.LazyAttribute(lambda o: o.stage.probability)
    amount = Decimal("100000.00")
    weighted_amount = factory.LazyAttribute(lambda o: weighted_amount(o.amount, o.probability))
    stage_entered_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
