import pytest
from django.http import Http404

from kehu.core.exceptions import FilterError
from kehu.customers.selectors import (
    contact_list,
    customer_deleted_list,
    customer_get,
    customer_list,
    customer_timeline,
)
from kehu.customers.services import customer_create, customer_delete, customer_update
from kehu.customers.tests.factories import ContactFactory, CustomerFactory, TagFactory


def names(qs):
    return sorted(c.name for c in qs)


@pytest.fixture
def book(org):
    owners = [org.rep, org.peer_rep, org.east_rep, org.other_dept_rep, org.team_lead, org.outsider]
    return {o.username: CustomerFactory(owner=o, name=o.username) for o in owners}


@pytest.mark.parametrize(
    ("persona", "view", "expected"),
    [
        ("rep", None, ["rep1"]),
        ("rep", "team", ["rep1"]),
        ("team_lead", None, ["lead", "rep4"]),
        ("team_lead", "mine", ["lead"]),
        ("dept_manager", "team", ["lead", "rep1", "rep2", "rep3", "rep4"]),
        ("dept_manager", "mine", []),
        ("director", None, ["lead", "outsider", "rep1", "rep2", "rep3", "rep4"]),
        ("director", "team", ["lead", "rep1", "rep2", "rep3", "rep4"]),
        ("admin", "all", ["lead", "outsider", "rep1", "rep2", "rep3", "rep4"]),
    ],
)
def test_customer_list_scope_and_view_switch(org, book, persona, view, expected):
    assert names(customer_list(user=getattr(org, persona), view=view)) == expected


def test_team_view_never_widens_a_department_scope(org, book):
    # a team lead's "team" is their subtree, but their role only shows their own department
    CustomerFactory(owner=org.rep, name="shanghai")
    assert "shanghai" not in names(customer_list(user=org.team_lead, view="team"))


def test_customer_get_outside_scope_is_404(org, book):
    with pytest.raises(Http404):
        customer_get(user=org.rep, pk=book["rep3"].pk)
    assert customer_get(user=org.dept_manager, pk=book["rep3"].pk) == book["rep3"]


def test_deleted_customers_leave_the_list_and_enter_the_bin(org, book):
    customer_delete(actor=org.dept_manager, customer=book["rep1"])
    assert names(customer_list(user=org.dept_manager, view="team")) == ["lead", "rep2", "rep3", "rep4"]
    assert names(customer_deleted_list(user=org.dept_manager)) == ["rep1"]
    assert names(customer_deleted_list(user=org.other_dept_rep)) == []
    with pytest.raises(Http404):
        customer_get(user=org.dept_manager, pk=book["rep1"].pk)


def test_search_matches_chinese_substring_phone_and_contact_name(org):
    star = customer_create(actor=org.rep, data={"name": "上海星河科技有限公司", "phone": "13812345678"})
    other = customer_create(actor=org.rep, data={"name": "Acme Trading"})
    ContactFactory(customer=other)
    from kehu.customers.services import contact_create

    contact_create(actor=org.rep, customer=other, data={"name": "欧阳娜娜", "mobile": "13998765432"})
    assert names(customer_list(user=org.rep, filters={"q": "星河"})) == ["上海星河科技有限公司"]
    assert names(customer_list(user=org.rep, filters={"q": "1234567"})) == ["上海星河科技有限公司"]
    assert names(customer_list(user=org.rep, filters={"q": "阳娜"})) == ["Acme Trading"]
    assert names(customer_list(user=org.rep, filters={"q": "ACME"})) == ["Acme Trading"]
    assert names(customer_list(user=org.rep, filters={"q": "98765"})) == ["Acme Trading"]
    assert star.pk != other.pk


def test_search_never_reaches_outside_scope(org):
    CustomerFactory(owner=org.other_dept_rep, name="星河南方")
    assert names(customer_list(user=org.rep, filters={"q": "星河"})) == []


def test_filters_status_level_tag_region_owner_and_sort(org):
    a = CustomerFactory(owner=org.rep, name="A", status="intent", level="A", province="浙江")
    b = CustomerFactory(owner=org.rep, name="B", status="deal", level="B", province="上海")
    CustomerFactory(owner=org.peer_rep, name="C", status="intent", level="A", province="浙江")
    a.tags.add(TagFactory(name="重点"))
    user = org.dept_manager
    assert names(customer_list(user=user, filters={"status": "intent"})) == ["A", "C"]
    assert names(customer_list(user=user, filters={"level": "B"})) == ["B"]
    assert names(customer_list(user=user, filters={"tag": "重点"})) == ["A"]
    assert names(customer_list(user=user, filters={"province": "浙江", "owner": str(org.rep.pk)})) == ["A"]
    assert [c.name for c in customer_list(user=user, filters={"sort": "-name"})] == ["C", "B", "A"]
    assert b.pk


def test_bad_filter_value_raises_filter_error_naming_the_field(org):
    with pytest.raises(FilterError) as exc:
        customer_list(user=org.rep, filters={"status": "nonsense"})
    assert list(exc.value.message_dict) == ["status"]


def test_timeline_is_newest_first(org):
    customer = customer_create(actor=org.rep, data={"name": "A"})
    customer_update(actor=org.rep, customer=customer, data={"name": "B"})
    assert [a.verb for a in customer_timeline(customer=customer)] == ["customer.updated", "customer.created"]


def test_contact_list_follows_customer_scope(org):
    ContactFactory(customer=CustomerFactory(owner=org.rep), name="mine")
    ContactFactory(customer=CustomerFactory(owner=org.other_dept_rep), name="theirs")
    assert [c.name for c in contact_list(user=org.rep)] == ["mine"]
    assert sorted(c.name for c in contact_list(user=org.dept_manager)) == ["mine", "theirs"]


def test_search_index_follows_changes_to_contacts(org):
    from kehu.customers.services import contact_create, contact_delete

    customer = customer_create(actor=org.rep, data={"name": "Acme"})
    contact = contact_create(actor=org.rep, customer=customer, data={"name": "欧阳娜娜"})
    assert names(customer_list(user=org.rep, filters={"q": "阳娜娜"})) == ["Acme"]
    contact_delete(actor=org.rep, contact=contact)
    assert names(customer_list(user=org.rep, filters={"q": "阳娜娜"})) == []
    assert names(customer_list(user=org.rep, filters={"q": 'a"cm'})) == []
