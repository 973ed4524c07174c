"""Timeline sentences of approval entries, and the data migration granting the standard roles' permissions."""

from importlib import import_module

from django.apps import apps

from kehu.approvals.choices import StepKind
from kehu.approvals.services import approval_reject, approval_submit
from kehu.approvals.tests.factories import KEY, make_flow, step
from kehu.core.activity import activity_for
from kehu.core.verbs import activity_sentence
from kehu.customers.tests.factories import CustomerFactory
from kehu.org.models import Role
from kehu.org.roles import APPROVAL_ADMIN_PERMS

grant = import_module("kehu.approvals.migrations.0002_grant_approval_permissions").grant


def test_timeline_sentences(org, docs):
    make_flow(org.admin, "折扣审批", [step(StepKind.USER, org.team_lead)])
    doc = docs.set(CustomerFactory(owner=org.rep), amount="1")
    request = approval_submit(actor=org.rep, document_type=KEY, document=doc)
    approval_reject(actor=org.team_lead, task=request.tasks.get(), comment="太贵")

    assert [activity_sentence(a) for a in activity_for(doc)] == [
        "rejected the test document: 太贵",
        "submitted the test document for approval (折扣审批)",
    ]


def test_grant_gives_standard_roles_the_approval_permissions_roles_py_names(org):
    # an installation from before the approvals app: its roles have no approval permissions yet
    for role in Role.objects.all():
        role.permissions.remove(*role.permissions.filter(content_type__app_label="approvals"))

    grant(apps, None)

    def codes(name):
        role = Role.objects.get(name=name)
        return sorted(
            role.permissions.filter(content_type__app_label="approvals").values_list("codename", flat=True)
        )

    assert codes("Sales operations") == sorted(code.split(".")[1] for code in APPROVAL_ADMIN_PERMS)
    assert codes("Sales rep") == []
