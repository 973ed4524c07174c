import pytest

from kehu.approvals import registry
from kehu.approvals.tests.factories import KEY, FakeDocuments


@pytest.fixture
def docs():
    """The "testdoc" document type, registered for the test only."""
    documents = FakeDocuments()
    documents.register()
    yield documents
    registry.unregister(KEY)
