"""The admin pages of flows (with their steps inline) and of approvals (read-only) render."""

from django.test import Client

from kehu.approvals.choices import StepKind
from kehu.approvals.models import ApprovalFlow
from kehu.approvals.services import approval_submit
from kehu.approvals.tests.factories import KEY, make_flow, step
from kehu.customers.tests.factories import CustomerFactory


def test_admin_pages_render(org, docs):
    flow = make_flow(org.admin, "One", [step(StepKind.USER, org.team_lead)])
    request = approval_submit(
        actor=org.rep, document_type=KEY, document=docs.set(CustomerFactory(owner=org.rep), amount="1")
    )
    client = Client()
    client.force_login(org.admin)

    for url in (
        "/admin/approvals/approvalflow/",
        "/admin/approvals/approvalflow/add/",
        f"/admin/approvals/approvalflow/{flow.pk}/change/",
        "/admin/approvals/approvalrequest/",
        f"/admin/approvals/approvalrequest/{request.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/approvals/approvalrequest/add/").status_code == 403


def flow_post(document_type, conditions, *, kind=StepKind.USER, users=(), total=1):
    data = {
        "document_type": document_type,
        "name": "折扣",
        "position": "0",
        "active": "on",
        "conditions": conditions,
        "steps-TOTAL_FORMS": str(total),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    if total:
        data |= {
            "steps-0-position": "1",
            "steps-0-name": "",
            "steps-0-kind": kind,
            "steps-0-users": list(users),
        }
    return data


def test_the_flow_admin_checks_conditions_and_steps_as_the_api_does(org, docs):
    client = Client()
    client.force_login(org.admin)
    url = "/admin/approvals/approvalflow/add/"
    good = '[{"field": "discount_percent", "operator": ">", "value": "10"}]'

    unknown_field = client.post(
        url, flow_post(KEY, '[{"field": "discount", "operator": ">", "value": "10"}]')
    )
    bad_operator = client.post(url, flow_post(KEY, '[{"field": "amount", "operator": "≥", "value": "1"}]'))
    not_a_list = client.post(url, flow_post(KEY, '{"field": "amount"}'))
    no_users = client.post(url, flow_post(KEY, good, users=[]))
    no_steps = client.post(url, flow_post(KEY, good, total=0))

    assert "is not a value of this document type" in unknown_field.content.decode()
    assert "Use one of the operators" in bad_operator.content.decode()
    assert "Write a list of conditions" in not_a_list.content.decode()
    assert "name exactly one user" in no_users.content.decode()
    assert "A flow needs at least one step." in no_steps.content.decode()
    assert not ApprovalFlow.objects.exists()

    saved = client.post(url, flow_post(KEY, good, users=[org.team_lead.pk]))
    assert saved.status_code == 302
    flow = ApprovalFlow.objects.get()
    assert flow.conditions == [{"field": "discount_percent", "operator": ">", "value": "10"}]


def test_a_flow_in_use_keeps_its_steps_and_cannot_be_deleted_in_the_admin(org, docs):
    flow = make_flow(org.admin, "One", [step(StepKind.USER, org.team_lead)])
    approval_submit(
        actor=org.rep, document_type=KEY, document=docs.set(CustomerFactory(owner=org.rep), amount="1")
    )
    client = Client()
    client.force_login(org.admin)

    page = client.get(f"/admin/approvals/approvalflow/{flow.pk}/change/").content.decode()

    assert 'name="steps-0-kind"' not in page  # shown, not editable
    assert client.get(f"/admin/approvals/approvalflow/{flow.pk}/delete/").status_code == 403
