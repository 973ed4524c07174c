from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kehu.core.activity import activity_for
from kehu.core.exceptions import DomainError, PermissionDeniedError
from kehu.customers import services
from kehu.customers.models import Contact, Customer
from kehu.customers.tests.factories import ContactFactory, CustomerFactory

CODE = "91350100M000100Y43"


def test_create_normalises_and_records_activity(org):
    customer = services.customer_create(
        actor=org.rep,
        data={
            "name": " 星河科技 ",
            "phone": "138 1234 5678",
            "credit_code": CODE.lower(),
            "estimated_value": Decimal("1200.50"),
            "email": "Sales@Example.COM",
        },
        tags=["重点", "华东", "重点"],
    )
    customer.refresh_from_db()
    assert customer.name == "星河科技"
    assert customer.phone == "+8613812345678"
    assert customer.credit_code == CODE
    assert customer.email == "sales@example.com"
    assert (customer.owner, customer.department) == (org.rep, org.shanghai)
    assert sorted(customer.tags.values_list("name", flat=True)) == ["华东", "重点"]
    assert "+8613812345678" in customer.search_text
    assert [a.verb for a in activity_for(customer)] == ["customer.created"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "A", "credit_code": "91350100M000100Y44"}, "credit_code"),
        ({"name": "A", "phone": "12345"}, "phone"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "A", "estimated_value": Decimal("-1")}, "estimated_value"),
        ({"name": "A", "status": "bogus"}, "status"),
        ({"name": "A", "owner_id": 1}, "owner_id"),
        ({"name": "A", "currency": "RMB1"}, "currency"),
    ],
)
def test_create_refuses_bad_input_and_saves_nothing(org, data, field):
    with pytest.raises(ValidationError) as exc:
        services.customer_create(actor=org.rep, data=data)
    assert field in exc.value.message_dict
    assert Customer.objects.count() == 0


def test_person_cannot_have_a_credit_code(org):
    with pytest.raises(ValidationError) as exc:
        services.customer_create(actor=org.rep, data={"name": "王芳", "kind": "person", "credit_code": CODE})
    assert list(exc.value.message_dict) == ["credit_code"]


def test_rep_cannot_create_for_someone_else(org):
    with pytest.raises(PermissionDeniedError):
        services.customer_create(actor=org.rep, data={"name": "A"}, owner=org.peer_rep)
    assert Customer.objects.count() == 0


def test_manager_creates_for_a_rep_in_the_reps_department(org):
    customer = services.customer_create(actor=org.dept_manager, data={"name": "A"}, owner=org.rep)
    assert (customer.owner, customer.department) == (org.rep, org.shanghai)


def test_update_records_changes_with_old_and_new_values(org):
    customer = services.customer_create(actor=org.rep, data={"name": "A", "status": "potential"})
    services.customer_update(actor=org.rep, customer=customer, data={"status": "intent", "level": "B"})
    latest = activity_for(customer).first()
    assert latest.verb == "customer.updated"
    assert latest.data == {"changes": {"status": ["potential", "intent"], "level": ["", "B"]}}
    assert customer.history.count() == 2


def test_update_without_changes_records_nothing(org):
    customer = services.customer_create(actor=org.rep, data={"name": "A"})
    services.customer_update(actor=org.rep, customer=customer, data={"name": "A"})
    assert activity_for(customer).count() == 1


def test_rep_cannot_update_a_peers_customer(org):
    customer = CustomerFactory(owner=org.peer_rep, name="B")
    with pytest.raises(PermissionDeniedError):
        services.customer_update(actor=org.rep, customer=customer, data={"name": "hijacked"})
    customer.refresh_from_db()
    assert customer.name == "B"


def test_outsider_without_role_permissions_cannot_create(org):
    with pytest.raises(PermissionDeniedError):
        services.customer_create(actor=org.outsider, data={"name": "A"})


def test_transfer_moves_owner_and_department_and_records_each(org):
    mine = [CustomerFactory(owner=org.rep) for _ in range(3)]
    moved = services.customer_transfer(
        actor=org.dept_manager, customer_ids=[c.pk for c in mine], new_owner=org.other_dept_rep, reason="调岗"
    )
    assert moved == 3
    for customer in mine:
        customer.refresh_from_db()
        assert (customer.owner, customer.department) == (org.other_dept_rep, org.south)
        entry = activity_for(customer).first()
        assert (entry.verb, entry.data) == (
            "customer.transferred",
            {"from": str(org.rep), "to": str(org.other_dept_rep), "reason": "调岗"},
        )


def test_rep_may_not_transfer(org):
    customer = CustomerFactory(owner=org.rep)
    with pytest.raises(PermissionDeniedError):
        services.customer_transfer(actor=org.rep, customer_ids=[customer.pk], new_owner=org.peer_rep)
    customer.refresh_from_db()
    assert customer.owner == org.rep


def test_transfer_with_one_out_of_scope_customer_moves_nothing(org):
    east = CustomerFactory(owner=org.east_rep)
    south = CustomerFactory(owner=org.other_dept_rep)
    with pytest.raises(PermissionDeniedError):
        services.customer_transfer(
            actor=org.team_lead, customer_ids=[east.pk, south.pk], new_owner=org.team_lead
        )
    assert set(Customer.objects.values_list("owner", flat=True)) == {org.east_rep.pk, org.other_dept_rep.pk}


@pytest.mark.parametrize("flag", ["is_active", "on_leave"])
def test_transfer_to_inactive_or_on_leave_user_is_refused(org, flag):
    customer = CustomerFactory(owner=org.rep)
    setattr(org.peer_rep, flag, flag == "on_leave")
    org.peer_rep.save()
    with pytest.raises(DomainError):
        services.customer_transfer(actor=org.dept_manager, customer_ids=[customer.pk], new_owner=org.peer_rep)
    customer.refresh_from_db()
    assert customer.owner == org.rep


def test_delete_and_restore_keep_contacts_and_history(org):
    customer = services.customer_create(actor=org.dept_manager, data={"name": "A"}, owner=org.rep)
    services.contact_create(actor=org.dept_manager, customer=customer, data={"name": "张三"})
    services.customer_delete(actor=org.dept_manager, customer=customer)
    assert not Customer.objects.alive().filter(pk=customer.pk).exists()
    services.customer_restore(actor=org.dept_manager, customer=customer)
    assert Customer.objects.alive().filter(pk=customer.pk).exists()
    assert Contact.objects.alive().filter(customer=customer).count() == 1
    assert [a.verb for a in activity_for(customer)][:2] == ["customer.restored", "customer.deleted"]


def test_rep_cannot_delete(org):
    customer = CustomerFactory(owner=org.rep)
    with pytest.raises(PermissionDeniedError):
        services.customer_delete(actor=org.rep, customer=customer)
    assert Customer.objects.alive().count() == 1


def test_first_contact_becomes_primary_and_a_new_primary_replaces_it(org):
    customer = CustomerFactory(owner=org.rep)
    first = services.contact_create(
        actor=org.rep, customer=customer, data={"name": "张三", "mobile": "13900001111"}
    )
    second = services.contact_create(
        actor=org.rep, customer=customer, data={"name": "李四", "is_primary": True}
    )
    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)
    assert first.mobile == "+8613900001111"
    customer.refresh_from_db()
    assert "张三" in customer.search_text
    assert "+8613900001111" in customer.search_text


def test_contact_with_bad_mobile_is_refused(org):
    customer = CustomerFactory(owner=org.rep)
    with pytest.raises(ValidationError) as exc:
        services.contact_create(actor=org.rep, customer=customer, data={"name": "张三", "mobile": "abc"})
    assert list(exc.value.message_dict) == ["mobile"]
    assert Contact.objects.count() == 0


def test_deleted_contact_leaves_search_text(org):
    contact = ContactFactory(customer=CustomerFactory(owner=org.rep), name="赵六")
    services.contact_delete(actor=org.rep, contact=contact)
    contact.customer.refresh_from_db()
    assert "赵六" not in contact.customer.search_text


def test_set_tags_records_before_and_after(org):
    customer = services.customer_create(actor=org.rep, data={"name": "A"}, tags=["a"])
    services.customer_set_tags(actor=org.rep, customer=customer, names=["b", "a"])
    entry = activity_for(customer).first()
    assert (entry.verb, entry.data) == ("customer.tagged", {"changes": {"tags": ["a", "a, b"]}})


def test_too_many_tags_are_refused(org):
    with pytest.raises(ValidationError):
        services.customer_create(actor=org.rep, data={"name": "A"}, tags=[f"t{i}" for i in range(21)])
    assert Customer.objects.count() == 0


def test_currency_defaults_from_settings_and_is_upper_cased(org, settings):
    settings.DEFAULT_CURRENCY = "USD"
    assert services.customer_create(actor=org.rep, data={"name": "A"}).currency == "USD"
    assert services.customer_create(actor=org.rep, data={"name": "B", "currency": "hkd"}).currency == "HKD"
