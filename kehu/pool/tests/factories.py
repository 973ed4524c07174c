import factory
from django.utils import timezone

from kehu.customers.tests.factories import CustomerFactory
from kehu.pool.models import Pool


class PoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pool
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"公海{n}")

    @factory.post_generation
    def users(self, create, extracted, **kwargs):
        if create and extracted:
            self.users.set(extracted)

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.set(extracted)

    @factory.post_generation
    def admins(self, create, extracted, **kwargs):
        if create and extracted:
            self.admins.set(extracted)


def pooled_customer(pool: Pool, *, pooled_at=None, **kwargs):
    """A customer sitting in `pool` (no owner, no department), as release and reclaim leave it."""
    return CustomerFactory(owner=None, pool=pool, pooled_at=pooled_at or timezone.now(), **kwargs)
