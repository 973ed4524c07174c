"""Approvers of an any-of step approving at once on PostgreSQL: exactly one decision counts."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from kehu.approvals import registry
from kehu.approvals.choices import RequestStatus, StepKind
from kehu.approvals.models import ApprovalRequest, ApprovalTask
from kehu.approvals.services import approval_approve, approval_submit
from kehu.approvals.tests.factories import KEY, FakeDocuments, make_flow, step
from kehu.core.activity import Activity
from kehu.core.exceptions import ConflictError
from kehu.customers.tests.factories import CustomerFactory
from kehu.org.tests.factories import UserFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")

THREADS = 10


@pytest.mark.django_db(transaction=True)
def test_any_of_approvers_approving_at_once_make_exactly_one_decision(org):
    docs = FakeDocuments()
    docs.register()
    try:
        approvers = [UserFactory(username=f"approver{i}") for i in range(THREADS)]
        make_flow(org.admin, "Any", [step(StepKind.ANY_OF, *approvers)])
        doc = docs.set(CustomerFactory(owner=org.rep), amount="1")
        request = approval_submit(actor=org.rep, document_type=KEY, document=doc)
        task_id = request.tasks.get().pk
        start = threading.Barrier(THREADS)
        results: list[str] = []

        def approve(user) -> None:
            translation.activate("en")
            try:
                task = ApprovalTask.objects.get(pk=task_id)
                start.wait()
                approval_approve(actor=user, task=task)
                results.append("approved")
            except ConflictError as exc:
                results.append(exc.message)
            finally:
                connection.close()

        threads = [threading.Thread(target=approve, args=(user,)) for user in approvers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert len(results) == THREADS
        assert results.count("approved") == 1
        assert set(results) == {"approved", "This step has already been decided."}
        assert ApprovalRequest.objects.get().status == RequestStatus.APPROVED
        assert ApprovalTask.objects.get().decided_by in approvers
        assert [c[0] for c in docs.calls] == ["submitted", "approved"]
        assert Activity.objects.filter(verb="approval.approved").count() == 1
    finally:
        registry.unregister(KEY)
