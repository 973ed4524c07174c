import factory

from kehu.notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    verb = "lead.assigned"
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = ""
    url = ""
