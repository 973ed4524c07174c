"""Users, the department tree, roles with data scopes, and personal API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser, Permission
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.scopes import DataScope


class Department(models.Model):
    """A node of the department tree. `path` ("/1/4/9/") makes a subtree one indexed prefix query."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    manager = models.ForeignKey(
        "org.User",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_departments",
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.clean()
        old_path = self.path
        super().save(*args, **kwargs)
        new_path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if new_path == old_path:
            return
        Department.objects.filter(pk=self.pk).update(path=new_path)
        self.path = new_path
        if old_path:
            Department.objects.filter(path__startswith=old_path).update(
                path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
            )

    def clean(self) -> None:
        if self.pk and self.parent_id and self.parent.path.startswith(self.path):
            raise ValidationError(
                {"parent": _("A department cannot be moved under itself or its sub-departments.")}
            )

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    @property
    def indented_name(self) -> str:
        return "— " * self.depth + self.name

    def subtree(self) -> models.QuerySet[Department]:
        return Department.objects.filter(path__startswith=self.path)


class Role(models.Model):
    """What a user may do (permissions) and which owned records they may see (data scope)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    data_scope = models.CharField(
        _("data scope"), max_length=16, choices=DataScope.choices, default=DataScope.OWN
    )
    permissions = models.ManyToManyField(Permission, verbose_name=_("permissions"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(DjangoUserManager):
    def get_queryset(self):
        return super().get_queryset().select_related("role", "department")

    def assignable(self):
        """Users who may receive records: active and not on leave."""
        return self.filter(is_active=True, on_leave=False)


class User(AbstractUser):
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    on_leave = models.BooleanField(_("on leave"), default=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def data_scope(self) -> str:
        if self.is_superuser:
            return DataScope.ALL
        return self.role.data_scope if self.role_id else DataScope.OWN

    def scope_department_ids(self) -> list[int]:
        """Departments whose records this user may see beyond their own."""
        if not self.department_id:
            return []
        if self.data_scope == DataScope.DEPARTMENT:
            return [self.department_id]
        return self.team_department_ids()

    def team_department_ids(self) -> list[int]:
        """The user's department subtree, read once per user object (one request).

        A list, not a subquery: inside `owner = me OR department IN (...)` a subquery keeps PostgreSQL
        from combining indexes (BitmapOr), while a literal list lets it.
        """
        if not self.department_id:
            return []
        key = (self.department_id, self.department.path)
        cached = getattr(self, "_team_department_ids", None)
        if cached is None or cached[0] != key:
            ids = list(Department.objects.filter(path__startswith=key[1]).values_list("id", flat=True))
            cached = self._team_department_ids = (key, ids)
        return cached[1]


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored; the token is shown once, at creation."""

    PREFIX = "kehu_"

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("token"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
