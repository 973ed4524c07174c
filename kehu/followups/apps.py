from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "kehu.followups"
    label = "followups"
    verbose_name = _("Follow-ups")

    def ready(self) -> None:
        from kehu.customers.signals import owner_changed
        from kehu.followups.services import plans_follow_new_owner

        owner_changed.connect(plans_follow_new_owner, dispatch_uid="followups.plans_follow_new_owner")
