"""The admin pages of flows (with their steps inline) and of approvals (read-only) render."""

from django.test import Client

from kehu.approvals.choices import StepKind
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
