"""`{% approvals_pending_count user as n %}`: the nav badge, in one query."""

from django import template

from kehu.approvals.choices import TaskStatus
from kehu.approvals.models import ApprovalTask

register = template.Library()


@register.simple_tag
def approvals_pending_count(user) -> int:
    """How many pending approval steps wait for `user` (0 for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return ApprovalTask.objects.filter(status=TaskStatus.PENDING, approvers=user).count()
