"""Document numbers from named sequences (QT-2026-000123): gap-tolerant, never repeated.

A sequence is created on first use with the caller's defaults; administrators may change its prefix,
padding and yearly restart in the Django admin. The next number is taken under a row lock (PostgreSQL;
SQLite serialises writers), inside the caller's transaction, so a rolled-back document gives its number
back and two concurrent documents never share one.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NumberSequence(models.Model):
    key = models.SlugField(_("key"), max_length=40, unique=True)
    prefix = models.CharField(_("prefix"), max_length=20, blank=True)
    padding = models.PositiveSmallIntegerField(
        _("digits"), default=6, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    yearly = models.BooleanField(
        _("restart every year"), default=True, help_text=_("Puts the year in the number: QT-2026-000123.")
    )
    year = models.PositiveSmallIntegerField(_("year"), default=0, editable=False)
    last_value = models.PositiveBigIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    def format(self, value: int, year: int) -> str:
        middle = f"{year}-" if self.yearly else ""
        return f"{self.prefix}{middle}{value:0{self.padding}d}"


def sequence_next(key: str, *, prefix: str, padding: int = 6, yearly: bool = True) -> str:
    """The next number of sequence `key` (created with these defaults on first use)."""
    year = timezone.localdate().year
    with transaction.atomic():
        try:
            with transaction.atomic():
                NumberSequence.objects.get_or_create(
                    key=key, defaults={"prefix": prefix, "padding": padding, "yearly": yearly, "year": year}
                )
        except IntegrityError:  # created by a concurrent first use
            pass
        sequence = NumberSequence.objects.select_for_update().get(key=key)
        if sequence.yearly and sequence.year != year:
            sequence.year, sequence.last_value = year, 0
        sequence.last_value += 1
        sequence.save(update_fields=["year", "last_value"])
        return sequence.format(sequence.last_value, sequence.year)
