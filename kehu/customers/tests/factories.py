import factory

from kehu.customers.models import Contact, Customer, Tag


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"标签{n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer owned by `owner`, filed under the owner's department like the services do."""

    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"上海测试科技有限公司{n}")
    department = factory.LazyAttribute(lambda c: c.owner.department if c.owner else None)
    search_text = factory.LazyAttribute(lambda c: c.name.lower())


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
