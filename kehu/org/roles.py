"""The standard roles every installation starts with; administrators may edit or add more."""

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q

from kehu.core.scopes import DataScope
from kehu.org.models import Role

PRODUCT_MODELS = ("product", "productcategory", "pricelist", "pricelistitem")
PRODUCT_VIEW_PERMS = [f"products.view_{m}" for m in PRODUCT_MODELS]
PRODUCT_EDIT_PERMS = [f"products.{a}_{m}" for m in PRODUCT_MODELS for a in ("add", "change")]
# Setting up approval flows, and reading every approval request.
APPROVAL_ADMIN_PERMS = [
    f"approvals.{action}_{model}"
    for model in ("approvalflow", "approvalstep")
    for action in ("view", "add", "change", "delete")
] + ["approvals.view_approvalrequest"]
PAYMENT_PERMS = [f"payments.{a}_{m}" for m in ("instalment", "receipt", "invoice") for a in ("view", "add")]
REP_PERMS = [
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "customers.export_customer",
    "customers.view_contact",
    "customers.add_contact",
    "customers.change_contact",
    "customers.delete_contact",
    "leads.view_lead",
    "leads.add_lead",
    "leads.change_lead",
    "leads.claim_lead",
    "leads.convert_lead",
    "followups.view_followup",
    "followups.add_followup",
    "followups.delete_followup",
    "followups.view_followupplan",
    "followups.change_followupplan",
    "pool.claim_pool_customer",
    "pool.release_pool_customer",
    *PRODUCT_VIEW_PERMS,
    "opportunities.view_opportunity",
    "opportunities.add_opportunity",
    "opportunities.change_opportunity",
    "opportunities.view_pipeline",
    "quotes.view_quote",
    "quotes.add_quote",
    "quotes.change_quote",
    "contracts.view_contract",
    "contracts.add_contract",
    "contracts.change_contract",
    *PAYMENT_PERMS,
    "orders.view_order",
    "orders.add_order",
    "orders.change_order",
    "targets.view_target",
]
MANAGER_PERMS = [
    *REP_PERMS,
    "followups.delete_any_followup",
    "customers.delete_customer",
    "customers.transfer_customer",
    "leads.assign_lead",
    "leads.import_lead",
    "pool.assign_pool_customer",
    "opportunities.delete_opportunity",
    "opportunities.transfer_opportunity",
    "quotes.delete_quote",
    "contracts.delete_contract",
    "payments.change_receipt",
    "payments.change_invoice",
    "orders.delete_order",
    "targets.add_target",
    "targets.change_target",
    "targets.delete_target",
]
RULE_PERMS = [
    f"leads.{action}_{model}"
    for model in ("assignmentrule", "rulemember", "webform")
    for action in ("view", "add", "change", "delete")
]
PIPELINE_PERMS = ["opportunities.add_pipeline", "opportunities.change_pipeline"]
OPERATIONS_PERMS = [*MANAGER_PERMS, *RULE_PERMS, *PRODUCT_EDIT_PERMS, *APPROVAL_ADMIN_PERMS, *PIPELINE_PERMS]
# Handing over the whole book of someone who leaves: heads of a department subtree and above.
HEAD_PERMS = [*MANAGER_PERMS, "pool.hand_over_user"]

STANDARD_ROLES = {
    # name: (data scope, permissions, description)
    "Sales rep": (DataScope.OWN, REP_PERMS, "Works their own customers."),
    "Team lead": (DataScope.DEPARTMENT, MANAGER_PERMS, "Sees and manages their department's customers."),
    "Sales manager": (
        DataScope.SUBTREE,
        HEAD_PERMS,
        "Sees and manages their department and those below it.",
    ),
    "Sales director": (
        DataScope.ALL,
        [*HEAD_PERMS, *PRODUCT_EDIT_PERMS, *PIPELINE_PERMS],
        "Sees and manages every customer.",
    ),
    "Sales operations": (
        DataScope.ALL,
        OPERATIONS_PERMS,
        "Captures and imports leads, sets up assignment rules and web forms, sees every record.",
    ),
}


def _permissions(codes: list[str]) -> list[Permission]:
    query = Q()
    for code in codes:
        app_label, codename = code.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(query))


@transaction.atomic
def roles_ensure_standard() -> dict[str, Role]:
    roles = {}
    for name, (scope, perms, description) in STANDARD_ROLES.items():
        role, _created = Role.objects.get_or_create(
            name=name, defaults={"data_scope": scope, "description": description}
        )
        role.permissions.add(*_permissions(perms))
        roles[name] = role
    return roles
