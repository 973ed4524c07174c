"""Reads for the organisation: who a user may hand records to, their tokens."""

from django.db.models import Q, QuerySet

from kehu.core.scopes import DataScope
from kehu.org.models import ApiToken, Department, User


def user_assignable_list(*, user: User) -> QuerySet[User]:
    """Users this user may give records to: active, not on leave, inside their team unless they see all."""
    qs = User.objects.assignable().order_by("department__path", "username")
    if user.data_scope == DataScope.ALL:
        return qs
    return qs.filter(Q(pk=user.pk) | Q(department_id__in=user.scope_department_ids()))


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def department_visible_list(*, user: User) -> QuerySet[Department]:
    """Departments whose records the user may see: all, or their own subtree."""
    if user.data_scope == DataScope.ALL:
        return Department.objects.all()
    return Department.objects.filter(id__in=user.scope_department_ids())
