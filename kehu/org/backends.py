"""Permissions come from the user's role as well as from Django groups and direct grants."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class RoleModelBackend(ModelBackend):
    def _get_group_permissions(self, user_obj):
        return Permission.objects.filter(Q(group__user=user_obj) | Q(role__users=user_obj)).distinct()
