from django.db import models
from django.utils.translation import pgettext_lazy


class OrderStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("order status", "Draft")
    CONFIRMED = "confirmed", pgettext_lazy("order status", "Confirmed")
    SHIPPED = "shipped", pgettext_lazy("order status", "Shipped")
    COMPLETED = "completed", pgettext_lazy("order status", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("order status", "Cancelled")


# Statuses in which the order's content may still change.
EDITABLE = (OrderStatus.DRAFT, OrderStatus.CONFIRMED)
# Statuses that count as a purchase in the customer's history and the statistics.
PURCHASES = (OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.COMPLETED)
# Statuses in which nothing changes any more.
CLOSED = (OrderStatus.COMPLETED, OrderStatus.CANCELLED)
