"""Leads, the rules that assign them, the log of every assignment, imports and public web forms."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.models import OwnedModel, SoftDeleteQuerySet
from kehu.customers.choices import CustomerSource, Industry
from kehu.leads.choices import (
    OPEN_STATUSES,
    AssignmentReason,
    AssignmentStrategy,
    DuplicateKey,
    Fallback,
    ImportMode,
    ImportStatus,
    InvalidReason,
    LeadChannel,
    LeadStatus,
)


class LeadQuerySet(SoftDeleteQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def in_pool(self):
        """Leads nobody owns that reps may claim."""
        return self.filter(owner__isnull=True, status=LeadStatus.NEW, deleted_at__isnull=True)


class Lead(OwnedModel):
    """A prospect not yet qualified: a person and perhaps their company, and how to reach them."""

    name = models.CharField(_("contact name"), max_length=100, blank=True)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("Stored in E.164 form."))
    email = models.EmailField(_("email"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=64, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    province = models.CharField(_("province"), max_length=32, blank=True)
    city = models.CharField(_("city"), max_length=32, blank=True)
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    source = models.CharField(
        pgettext_lazy("lead", "source"), max_length=32, choices=CustomerSource.choices, blank=True
    )
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    remark = models.TextField(_("remark"), blank=True, max_length=5000)
    extra = models.JSONField(_("custom fields"), default=dict, blank=True)

    channel = models.CharField(
        _("captured through"), max_length=16, choices=LeadChannel.choices, default=LeadChannel.MANUAL
    )
    status = models.CharField(_("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW)
    invalid_reason = models.CharField(_("reason"), max_length=16, choices=InvalidReason.choices, blank=True)
    invalid_note = models.CharField(_("note"), max_length=500, blank=True)

    name_key = models.CharField(max_length=200, blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    duplicate_customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("duplicate of customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicate_leads",
    )
    duplicate_key = models.CharField(
        _("duplicate by"), max_length=16, choices=DuplicateKey.choices, blank=True
    )

    rule = models.ForeignKey(
        "leads.AssignmentRule",
        verbose_name=_("assignment rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    sla_due_at = models.DateTimeField(_("contact due by"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("first contacted at"), null=True, blank=True)
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("converted to customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="converted_leads",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    import_job = models.ForeignKey(
        "leads.LeadImport",
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    search_text = models.TextField(editable=False, default="")

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("claim_lead", _("Can claim leads from the lead pool")),
            ("assign_lead", _("Can assign leads to others")),
            ("import_lead", _("Can import leads")),
            ("convert_lead", _("Can convert leads to customers")),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="lead_created_idx"),
            models.Index(
                fields=["owner", "-created_at", "-id", "status", "deleted_at"], name="lead_owner_created_idx"
            ),
            models.Index(
                fields=["department", "-created_at", "-id", "owner", "status", "deleted_at"],
                name="lead_dept_created_idx",
            ),
            models.Index(
                fields=["status", "-created_at", "-id", "department", "owner", "deleted_at"],
                name="lead_status_created_idx",
            ),
            models.Index(fields=["owner", "assigned_at"], name="lead_owner_assigned_idx"),
            models.Index(
                fields=["owner"],
                condition=Q(status__in=OPEN_STATUSES, deleted_at__isnull=True),
                name="lead_owner_open_idx",
            ),
            models.Index(
                fields=["-created_at"],
                condition=Q(owner__isnull=True, status="new", deleted_at__isnull=True),
                name="lead_pool_idx",
            ),
            models.Index(fields=["sla_due_at"], condition=Q(status="assigned"), name="lead_sla_due_idx"),
            models.Index(fields=["phone"], name="lead_phone_idx"),
            models.Index(fields=["email"], name="lead_email_idx"),
            models.Index(fields=["name_key"], name="lead_name_key_idx"),
            models.Index(fields=["credit_code"], name="lead_credit_code_idx"),
        ]

    def __str__(self) -> str:
        if self.name and self.company_name:
            return f"{self.name} · {self.company_name}"
        return self.name or self.company_name or f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_duplicate(self) -> bool:
        return bool(self.duplicate_key)


class AssignmentRule(models.Model):
    """Which leads go to whom, and how. Rules are tried in `position` order; the first that matches wins.

    Empty match lists match everything. `state` holds the strategy's memory (the smooth weighted
    round-robin counters), kept in the row so that it survives restarts and is guarded by its lock.
    """

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("switched on"), default=False)
    match_sources = models.JSONField(_("sources"), default=list, blank=True)
    match_provinces = models.JSONField(_("provinces"), default=list, blank=True)
    match_industries = models.JSONField(_("industries"), default=list, blank=True)
    match_campaigns = models.JSONField(_("campaigns"), default=list, blank=True)
    match_field = models.CharField(
        _("custom field"),
        max_length=50,
        blank=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_]*$", _("Letters, digits and underscores only."))],
    )
    match_value = models.CharField(_("custom field value"), max_length=200, blank=True)
    strategy = models.CharField(
        _("strategy"),
        max_length=16,
        choices=AssignmentStrategy.choices,
        default=AssignmentStrategy.ROUND_ROBIN,
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignees"),
        through="leads.RuleMember",
        blank=True,
        related_name="+",
    )
    departments = models.ManyToManyField(
        "org.Department",
        verbose_name=_("assignee departments"),
        blank=True,
        related_name="+",
        help_text=_("Everyone in these departments and those below them."),
    )
    daily_cap = models.PositiveIntegerField(
        _("most leads per person per day"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    open_cap = models.PositiveIntegerField(
        _("most open leads per person"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    sla_hours = models.PositiveIntegerField(
        _("hours to first contact"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 90)],
        help_text=_("A lead not contacted within this time is re-assigned."),
    )
    fallback = models.CharField(
        _("when nobody can take it"), max_length=8, choices=Fallback.choices, default=Fallback.POOL
    )
    fallback_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("fallback person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(fallback="user") | Q(fallback_user__isnull=False),
                name="rule_fallback_user_named",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RuleMember(models.Model):
    """A named assignee of a rule, with their weight and monthly capacity."""

    rule = models.ForeignKey(AssignmentRule, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    monthly_capacity = models.PositiveIntegerField(
        _("leads per month"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("assignee")
        verbose_name_plural = _("assignees")
        constraints = [models.UniqueConstraint(fields=["rule", "user"], name="rule_member_unique")]

    def __str__(self) -> str:
        return str(self.user)


class LeadAssignment(models.Model):
    """One assignment decision: which lead went to whom (or to the pool), by which rule, and why."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="assignments")
    created_at = models.DateTimeField(_("time"), db_index=True)
    rule = models.ForeignKey(
        AssignmentRule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.SET_NULL
    )
    strategy = models.CharField(_("strategy"), max_length=16, choices=AssignmentStrategy.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("previous owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=16, choices=AssignmentReason.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("lead assignment")
        verbose_name_plural = _("lead assignments")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["assignee", "reason", "created_at"], name="assignment_assignee_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} → {self.assignee_id or '-'} ({self.reason})"


class LeadImport(models.Model):
    """An uploaded spreadsheet of leads and the progress of its import (a background job)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    original_name = models.CharField(_("file"), max_length=255)
    stored_path = models.CharField(max_length=500, editable=False)
    file_format = models.CharField(_("format"), max_length=8)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    header = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    mode = models.CharField(_("bad rows"), max_length=8, choices=ImportMode.choices, default=ImportMode.SKIP)
    source = models.CharField(
        pgettext_lazy("lead", "source"), max_length=32, choices=CustomerSource.choices, blank=True
    )
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows read"), default=0)
    created_count = models.PositiveIntegerField(_("leads created"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead import")
        verbose_name_plural = _("lead imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return min(99, self.processed_rows * 100 // self.total_rows) if self.total_rows else 0


class LeadImportError(models.Model):
    """A row of an import that could not be used: where, and why."""

    job = models.ForeignKey(LeadImport, on_delete=models.CASCADE, related_name="errors")
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=100, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["job", "row", "id"]
        indexes = [models.Index(fields=["job", "row"], name="import_error_job_row_idx")]

    def __str__(self) -> str:
        return f"{self.row}: {self.reason}"


class WebForm(models.Model):
    """A public lead form, embeddable in a website, that files its leads under a source and campaign."""

    slug = models.SlugField(pgettext_lazy("web form", "address"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(
        pgettext_lazy("lead", "source"),
        max_length=32,
        choices=CustomerSource.choices,
        default=CustomerSource.WEBSITE,
    )
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    is_active = models.BooleanField(_("open"), default=True)
    intro = models.TextField(_("introduction"), blank=True, max_length=1000)
    thank_you = models.CharField(_("thank-you message"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
