import pytest

from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory


@pytest.fixture
def book(org):
    """One customer per owner, named after the owner."""
    owners = [org.rep, org.peer_rep, org.east_rep, org.other_dept_rep, org.team_lead, org.outsider]
    return {o.username: CustomerFactory(owner=o, name=o.username) for o in owners}


def visible_names(user):
    return sorted(Customer.objects.visible_to(user).values_list("name", flat=True))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("rep", ["rep1"]),
        ("peer_rep", ["rep3"]),
        ("team_lead", ["lead", "rep4"]),
        ("dept_manager", ["lead", "rep1", "rep2", "rep3", "rep4"]),
        ("director", ["lead", "outsider", "rep1", "rep2", "rep3", "rep4"]),
        ("admin", ["lead", "outsider", "rep1", "rep2", "rep3", "rep4"]),
        ("outsider", ["outsider"]),
    ],
)
def test_visible_to_matrix(org, book, persona, expected):
    assert visible_names(getattr(org, persona)) == expected


def test_inactive_user_sees_nothing(org, book):
    org.director.is_active = False
    assert visible_names(org.director) == []


def test_moving_a_department_moves_its_subtree(org, book):
    # given the Shanghai team under East, when East moves under Service
    org.east.parent = org.service
    org.east.save()
    org.shanghai.refresh_from_db()
    # then the team's path follows, and the Sales manager no longer sees East's customers
    assert org.shanghai.path == f"/{org.service.pk}/{org.east.pk}/{org.shanghai.pk}/"
    org.dept_manager.department.refresh_from_db()
    assert visible_names(org.dept_manager) == ["rep2"]


def test_department_cannot_move_under_its_descendant(org):
    from django.core.exceptions import ValidationError

    org.sales.parent = org.shanghai
    with pytest.raises(ValidationError):
        org.sales.save()
