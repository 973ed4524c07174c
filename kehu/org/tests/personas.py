"""Personas for tests, in the style of healthchecks' alice/bob/charlie.

Department tree:  Sales (销售部)  ── East (华东区) ── Shanghai team (上海一组)
                                  └─ South (华南区)
                  Service (客服部)
"""

from dataclasses import dataclass

from kehu.org.models import Department, User
from kehu.org.roles import roles_ensure_standard
from kehu.org.tests.factories import DepartmentFactory, UserFactory


@dataclass
class Org:
    sales: Department
    east: Department
    shanghai: Department
    south: Department
    service: Department
    admin: User  # superuser
    director: User  # all records
    dept_manager: User  # head of Sales, sees the whole subtree
    team_lead: User  # East, sees East only (department scope)
    rep: User  # Shanghai team, own records
    peer_rep: User  # Shanghai team, own records
    east_rep: User  # East (not the team), own records
    other_dept_rep: User  # South, own records
    outsider: User  # Service department, no role


def build_org() -> Org:
    roles = roles_ensure_standard()
    sales = DepartmentFactory(name="销售部")
    east = DepartmentFactory(name="华东区", parent=sales)
    shanghai = DepartmentFactory(name="上海一组", parent=east)
    south = DepartmentFactory(name="华南区", parent=sales)
    service = DepartmentFactory(name="客服部")
    return Org(
        sales=sales,
        east=east,
        shanghai=shanghai,
        south=south,
        service=service,
        admin=UserFactory(username="admin", is_superuser=True, is_staff=True),
        director=UserFactory(username="director", department=sales, role=roles["Sales director"]),
        dept_manager=UserFactory(username="manager", department=sales, role=roles["Sales manager"]),
        team_lead=UserFactory(username="lead", department=east, role=roles["Team lead"]),
        rep=UserFactory(username="rep1", department=shanghai, role=roles["Sales rep"]),
        peer_rep=UserFactory(username="rep3", department=shanghai, role=roles["Sales rep"]),
        east_rep=UserFactory(username="rep4", department=east, role=roles["Sales rep"]),
        other_dept_rep=UserFactory(username="rep2", department=south, role=roles["Sales rep"]),
        outsider=UserFactory(username="outsider", department=service, role=None),
    )
