"""Pipelines and their stages, opportunities (商机) with their team, product lines and stage history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.models import OwnedModel, SoftDeleteQuerySet
from kehu.core.money import cents
from kehu.core.scopes import DataScope, ViewFilter
from kehu.customers.choices import CustomerSource
from kehu.sales.opportunities.choices import MemberRole, OpportunityStatus

HUNDRED = Decimal(100)


def weighted_amount(amount: Decimal, probability: Decimal) -> Decimal:
    """amount × probability / 100, in Decimal, rounded to the cent (half up)."""
    return cents(Decimal(amount) * Decimal(probability) / HUNDRED)


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


def _probability_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **kwargs,
    )


class Pipeline(models.Model):
    """A sales process: ordered stages an opportunity moves through. One pipeline is the default."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(_("default"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="pipeline_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """A step of a pipeline. History rows keep the stage's id and its name at the time, so stages may be
    renamed, reordered and added freely."""

    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="stages"
    )
    name = models.CharField(_("name"), max_length=50)
    position = models.PositiveIntegerField(_("position"), default=0)
    probability = _probability_field(_("win probability (%)"), default=Decimal(0))
    is_won = models.BooleanField(_("won"), default=False)
    is_lost = models.BooleanField(_("lost"), default=False)
    usual_days = models.PositiveIntegerField(
        _("usual days"), null=True, blank=True, help_text=_("Deals idle longer in this stage are flagged.")
    )

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(is_won=True, is_lost=True), name="stage_not_won_and_lost"),
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=100), name="stage_probability_0_100"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_outcome(self) -> bool:
        return self.is_won or self.is_lost


class OpportunityQuerySet(SoftDeleteQuerySet):
    def in_scope_of(self, user: Any) -> Self:
        """The owner / department data scope only (who may manage), without team membership."""
        return super().visible_to(user)

    def visible_to(self, user: Any) -> Self:
        """The data scope, plus the opportunities the user works on as a team member."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.data_scope == DataScope.ALL:
            return self
        scope = Q(owner_id=user.pk)
        if user.data_scope != DataScope.OWN:
            scope |= Q(department_id__in=user.scope_department_ids())
        return self.filter(scope | _member_of(user))

    def narrowed(self, user: Any, view: str | None) -> Self:
        if view == ViewFilter.MINE:
            if user.data_scope == DataScope.OWN:
                return self  # `visible_to` is already "mine": my own and the teams I am on
            return self.filter(Q(owner_id=user.pk) | _member_of(user))
        return super().narrowed(user, view)

    def open(self) -> Self:
        return self.filter(status=OpportunityStatus.OPEN)

    def closing_before(self, day: date) -> Self:
        return self.filter(expected_close_date__lt=day)


# Team memberships up to this many go into the scope as a list of ids; beyond it, as a subquery.
MEMBER_IDS_LISTED = 500


def _member_of(user: Any) -> Q:
    """`pk IN (…)`: the opportunities the user is on the team of, read now (one small query).

    A list, not a subquery: inside `owner = me OR department IN (…) OR …` a subquery (above all a correlated
    EXISTS) keeps PostgreSQL from combining the owner and department indexes, and it reads every opportunity
    to test each one; with a list it takes a BitmapOr of the indexes. Someone on more teams than
    MEMBER_IDS_LISTED gets the (uncorrelated) subquery instead."""
    memberships = OpportunityMember.objects.filter(user_id=user.pk).order_by("opportunity_id")
    ids = list(memberships.values_list("opportunity_id", flat=True)[: MEMBER_IDS_LISTED + 1])
    if len(ids) > MEMBER_IDS_LISTED:
        return Q(pk__in=memberships.values("opportunity_id"))
    return Q(pk__in=ids)


class Opportunity(OwnedModel):
    """A deal with a customer, moving through the stages of a pipeline."""

    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    contacts = models.ManyToManyField(
        "customers.Contact", verbose_name=_("contacts"), blank=True, related_name="opportunities"
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN
    )
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    probability = _probability_field(_("win probability (%)"), default=Decimal(0))
    probability_overridden = models.BooleanField(
        _("probability set by hand"), default=False, help_text=_("Otherwise it follows the stage.")
    )
    # amount × probability / 100, rounded to the cent: kept by the services so the board sums it in SQL.
    weighted_amount = models.DecimalField(
        _("weighted amount"), max_digits=14, decimal_places=2, default=Decimal(0), editable=False
    )
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    source = models.CharField(
        pgettext_lazy("opportunity", "source"), max_length=32, choices=CustomerSource.choices, blank=True
    )
    campaign = models.CharField(_("campaign"), max_length=200, blank=True)
    sales_method = models.CharField(_("sales method"), max_length=100, blank=True)
    competitors = models.TextField(_("competitors"), blank=True, max_length=2000)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    stage_entered_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=500, blank=True)
    winning_competitor = models.CharField(_("winning competitor"), max_length=200, blank=True)
    review_summary = models.TextField(_("review summary"), blank=True, max_length=5000)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-updated_at", "-id"]
        permissions = [("transfer_opportunity", _("Can transfer opportunities to another owner"))]
        indexes = [
            # The board's open deals. A column's cards: its newest, read in index order until the column is
            # full, the scope tested on owner and department in the index. The column totals: the last three
            # columns make it covering (key columns, not INCLUDE, which SQLite lacks).
            models.Index(
                fields=[
                    "pipeline",
                    "stage",
                    "-updated_at",
                    "-id",
                    "owner",
                    "department",
                    "stage_entered_at",
                    "amount",
                    "weighted_amount",
                ],
                condition=Q(status="open", deleted_at__isnull=True),
                name="opportunity_board_cards_idx",
            ),
            models.Index(fields=["owner", "status"], name="opportunity_owner_status_idx"),
            models.Index(fields=["department", "status"], name="opportunity_dept_status_idx"),
            models.Index(fields=["expected_close_date"], name="opportunity_close_date_idx"),
            models.Index(fields=["-updated_at", "-id"], name="opportunity_updated_idx"),
            models.Index(
                fields=["-deleted_at"],
                condition=Q(deleted_at__isnull=False),
                name="opportunity_recycle_bin_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="opportunity_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=100), name="opportunity_probability_0_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in (OpportunityStatus.WON, OpportunityStatus.LOST, OpportunityStatus.TERMINATED)


class OpportunityMember(models.Model):
    """A colleague on an opportunity's team: sees it, and edits it when `can_edit`."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER)
    can_edit = models.BooleanField(_("may edit"), default=False)
    created_at = models.DateTimeField(_("added at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["opportunity", "id"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "user"], name="opportunity_member_once"),
        ]
        indexes = [models.Index(fields=["user", "opportunity"], name="opportunity_member_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class StageChange(models.Model):
    """One move between stages: the source of truth for stage durations, conversion and the funnel.

    The opportunity's first row has no `from_stage` (it entered the pipeline)."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage,
        verbose_name=_("from stage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_stage = models.ForeignKey(
        Stage, verbose_name=_("to stage"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_stage_name = models.CharField(_("from stage"), max_length=50, blank=True)
    to_stage_name = models.CharField(_("to stage"), max_length=50)
    moved_at = models.DateTimeField(_("moved at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    days_in_from_stage = models.DecimalField(
        _("days in the previous stage"), max_digits=9, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["opportunity", "moved_at", "id"]
        indexes = [
            models.Index(fields=["opportunity", "moved_at"], name="stage_change_opp_idx"),
            models.Index(fields=["to_stage", "moved_at"], name="stage_change_to_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage_name or '—'} → {self.to_stage_name}"


class OpportunityLine(models.Model):
    """A product (or free text) on an opportunity; when lines exist the amount is their sum."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="lines"
    )
    # The name is kept as it was when the line was written.
    product = models.ForeignKey(
        "products.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunity_lines",
    )
    product_name = models.CharField(_("product"), max_length=200)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)]
    )
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal(0))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        ordering = ["opportunity", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0, unit_price__gte=0), name="opportunity_line_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.product_name
