"""Writes for who holds an opportunity: transfer, the team, and the handover of a departing user's book."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.activity import activity_record, activity_record_many
from kehu.core.exceptions import ConflictError, DomainError
from kehu.core.permissions import ensure_perm
from kehu.org.models import User
from kehu.sales.opportunities.choices import MemberRole, OpportunityStatus
from kehu.sales.opportunities.models import Opportunity, OpportunityMember
from kehu.sales.opportunities.services.opportunities import ensure_can_receive, ensure_manages


@transaction.atomic
def opportunity_transfer(
    *, actor: User, opportunity: Opportunity, new_owner: User, reason: str = ""
) -> Opportunity:
    ensure_perm(actor, "opportunities.transfer_opportunity")
    ensure_manages(actor, opportunity)
    ensure_can_receive(actor, new_owner)
    if opportunity.owner_id == new_owner.pk:
        raise ConflictError(_("%(user)s owns this opportunity already.") % {"user": new_owner}, field="owner")
    previous = str(opportunity.owner) if opportunity.owner_id else ""
    opportunity.owner, opportunity.department_id = new_owner, new_owner.department_id
    opportunity.save(update_fields=["owner", "department", "updated_at"])
    activity_record(
        actor=actor,
        subject=opportunity,
        verb="opportunity.transferred",
        data={
            "title": opportunity.title,
            "from": previous,
            "to": str(new_owner),
            "reason": reason.strip()[:500],
        },
    )
    return opportunity


# Team ------------------------------------------------------------------------------------------------------


@transaction.atomic
def opportunity_member_add(
    *,
    actor: User,
    opportunity: Opportunity,
    user: User,
    role: str = MemberRole.MEMBER,
    can_edit: bool = False,
) -> OpportunityMember:
    """Add a colleague to the team, or change their role and rights if they are on it."""
    ensure_perm(actor, "opportunities.change_opportunity")
    ensure_manages(actor, opportunity)
    if role not in MemberRole.values:
        raise DomainError(_("Choose a team role."), field="role")
    if not user.is_active:
        raise DomainError(_("%(user)s is deactivated.") % {"user": user}, field="user")
    if user.pk == opportunity.owner_id:
        raise DomainError(_("The owner is on the team already."), field="user")
    member, _created = OpportunityMember.objects.update_or_create(
        opportunity=opportunity, user=user, defaults={"role": role, "can_edit": can_edit}
    )
    activity_record(
        actor=actor,
        subject=opportunity,
        verb="opportunity.member_added",
        data={"title": opportunity.title, "user": str(user), "role": role, "can_edit": can_edit},
    )
    return member


@transaction.atomic
def opportunity_member_remove(*, actor: User, opportunity: Opportunity, user: User) -> None:
    ensure_perm(actor, "opportunities.change_opportunity")
    ensure_manages(actor, opportunity)
    deleted, _rows = OpportunityMember.objects.filter(opportunity=opportunity, user=user).delete()
    if not deleted:
        raise DomainError(_("%(user)s is not on the team.") % {"user": user}, field="user")
    activity_record(
        actor=actor,
        subject=opportunity,
        verb="opportunity.member_removed",
        data={"title": opportunity.title, "user": str(user)},
    )


# Handover --------------------------------------------------------------------------------------------------


def opportunities_pass_to_owner(
    *, customer_ids: Iterable[int], from_user: User | None, to_user: User, actor: User | None = None
) -> int:
    """The handover: the open and suspended opportunities `from_user` owns on these customers (whoever owns
    them, if `from_user` is None) go to `to_user`, set-based: one SELECT, one UPDATE and one INSERT of
    timeline entries. Won, lost and terminated ones stay with who closed them. Returns how many moved.

    The caller (the handover or a transfer) has checked the rights; this runs inside its transaction."""
    qs = Opportunity.objects.alive().filter(
        customer_id__in=list(customer_ids),
        status__in=[OpportunityStatus.OPEN, OpportunityStatus.SUSPENDED],
    )
    if from_user is not None:
        qs = qs.filter(owner=from_user)
    moving = list(qs.exclude(owner=to_user).only("id", "title", "customer_id"))
    if not moving:
        return 0
    Opportunity.objects.filter(pk__in=[o.pk for o in moving]).update(
        owner=to_user, department_id=to_user.department_id, updated_at=timezone.now()
    )
    previous = str(from_user) if from_user else ""
    activity_record_many(
        actor=actor,
        verb="opportunity.transferred",
        entries=((o, {"title": o.title, "from": previous, "to": str(to_user), "reason": ""}) for o in moving),
    )
    return len(moving)
