"""The customers and contacts API: data scope, validation through the services, transfer, lists."""

from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client

from kehu.core.activity import Activity, activity_for
from kehu.customers import services
from kehu.customers.models import Contact, Customer
from kehu.customers.tests.factories import ContactFactory, CustomerFactory, TagFactory
from kehu.org.services import api_token_create
from kehu.org.tests.factories import UserFactory

VALID_CREDIT_CODE = "91350100M000100Y43"  # check character computed per GB 32100-2015
NOT_FOUND = {"detail": "Not found.", "field": None, "errors": {}}
NO_PERMISSION = {"detail": "You do not have permission to do this.", "field": None, "errors": {}}


def api_client(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


def stamp(value) -> str:
    return DjangoJSONEncoder().default(value)


@pytest.fixture
def book(org):
    """One customer per owner, named after the owner."""
    owners = [org.rep, org.peer_rep, org.east_rep, org.other_dept_rep, org.team_lead, org.outsider]
    return {o.username: CustomerFactory(owner=o, name=o.username) for o in owners}


# Data scope ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("rep", ["rep1"]),
        ("team_lead", ["lead", "rep4"]),
        ("dept_manager", ["lead", "rep1", "rep2", "rep3", "rep4"]),
        ("director", ["lead", "outsider", "rep1", "rep2", "rep3", "rep4"]),
        ("admin", ["lead", "outsider", "rep1", "rep2", "rep3", "rep4"]),
        ("outsider", ["outsider"]),
    ],
)
def test_list_shows_only_the_data_scope(org, book, persona, expected):
    response = api_client(getattr(org, persona)).get("/api/v1/customers?sort=name")
    assert response.status_code == 200
    assert names(response) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize(
    ("persona", "visible", "hidden"),
    [
        ("rep", "rep1", "rep3"),
        ("team_lead", "rep4", "rep1"),  # department scope: East only, not the Shanghai team below it
        ("dept_manager", "rep1", "outsider"),
        ("director", "outsider", None),
    ],
)
def test_detail_answers_404_outside_the_scope(org, book, persona, visible, hidden):
    client = api_client(getattr(org, persona))
    assert client.get(f"/api/v1/customers/{book[visible].pk}").json()["name"] == visible
    if hidden:
        response = client.get(f"/api/v1/customers/{book[hidden].pk}")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_out_of_scope_patch_and_delete_answer_404_and_change_nothing(org, book):
    target = book["rep2"]  # South, outside the rep's own records
    client = api_client(org.rep)

    patched = client.patch(
        f"/api/v1/customers/{target.pk}", {"name": "hijacked"}, content_type="application/json"
    )
    deleted = api_client(org.team_lead).delete(f"/api/v1/customers/{target.pk}")

    assert (patched.status_code, patched.json()) == (404, NOT_FOUND)
    assert (deleted.status_code, deleted.json()) == (404, NOT_FOUND)
    target.refresh_from_db()
    assert (target.name, target.deleted_at) == ("rep2", None)
    assert not activity_for(target).exists()


def test_view_mine_narrows_a_managers_list(org, book):
    CustomerFactory(owner=org.dept_manager, name="manager's own")
    response = api_client(org.dept_manager).get("/api/v1/customers?view=mine")
    assert names(response) == ["manager's own"]


# Create, read, update, delete ----------------------------------------------------------------------------


def test_create_goes_through_the_service(org):
    body = {
        "name": " 上海华为科技有限公司 ",
        "phone": "138 0013 8000",
        "credit_code": VALID_CREDIT_CODE.lower(),
        "estimated_value": "120000.5",
        "status": "intent",
        "level": "A",
        "tags": ["重点", "VIP"],
    }
    response = api_client(org.rep).post("/api/v1/customers", body, content_type="application/json")

    assert response.status_code == 201
    customer = Customer.objects.get()
    data = response.json()
    assert data["id"] == customer.pk
    assert (data["name"], data["phone"], data["credit_code"]) == (
        "上海华为科技有限公司",
        "+8613800138000",
        VALID_CREDIT_CODE,
    )
    assert (data["estimated_value"], data["currency"], data["status"], data["level"]) == (
        "120000.50",
        "CNY",
        "intent",
        "A",
    )
    assert (data["tags"], data["owner"], data["owner_name"], data["department"]) == (
        ["VIP", "重点"],
        org.rep.pk,
        "Rep1",
        org.shanghai.pk,
    )
    assert customer.estimated_value == Decimal("120000.50")
    assert [a.verb for a in activity_for(customer)] == ["customer.created"]


def test_create_for_another_owner_needs_transfer_rights(org):
    body = {"name": "某公司", "owner": org.peer_rep.pk}
    refused = api_client(org.rep).post("/api/v1/customers", body, content_type="application/json")
    allowed = api_client(org.team_lead).post(
        "/api/v1/customers", {"name": "某公司", "owner": org.east_rep.pk}, content_type="application/json"
    )

    assert (refused.status_code, refused.json()) == (403, NO_PERMISSION)
    assert (allowed.status_code, allowed.json()["owner"]) == (201, org.east_rep.pk)
    assert list(Customer.objects.values_list("owner__username", flat=True)) == ["rep4"]


@pytest.mark.parametrize("owner", ["unknown", "other_dept_rep", "on_leave"])
def test_create_for_an_owner_outside_the_team_names_the_field(org, owner):
    refs = {
        "unknown": 999999,
        "other_dept_rep": org.other_dept_rep.pk,  # South, outside the team lead's East department
        "on_leave": UserFactory(username="away", department=org.east, on_leave=True).pk,
    }
    response = api_client(org.team_lead).post(
        "/api/v1/customers", {"name": "某公司", "owner": refs[owner]}, content_type="application/json"
    )
    names = {"other_dept_rep": "Rep2", "on_leave": "Away"}
    message = (
        f"There is no user with id {refs[owner]}."
        if owner == "unknown"
        else f"{names[owner]} cannot receive customers from you (inactive, on leave or outside your team)."
    )
    assert (response.status_code, response.json()) == (
        400,
        {"detail": message, "field": "owner", "errors": {"owner": [message]}},
    )
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "status", "field", "detail"),
    [
        (
            {"name": "某公司", "credit_code": "91350100M000100Y44"},
            400,
            "credit_code",
            "The check character of this unified social credit code is wrong.",
        ),
        (
            {"name": "某公司", "credit_code": "123"},
            400,
            "credit_code",
            "A unified social credit code has 18 characters.",
        ),
        ({"name": "某公司", "phone": "12345"}, 400, "phone", "“12345” is not a valid phone number."),
        ({"name": "某公司", "email": "not-an-email"}, 400, "email", "Enter a valid email address."),
        ({"name": "某公司", "status": "won"}, 400, "status", "Value 'won' is not a valid choice."),
        (
            {"name": "某公司", "estimated_value": "-1"},
            400,
            "estimated_value",
            "Ensure this value is greater than or equal to 0.",
        ),
        ({"name": "   "}, 400, "name", "This field cannot be blank."),
        ({"phone": "13800138000"}, 422, "name", "name: Field required"),
        ({"name": "长" * 201}, 422, "name", "name: String should have at most 200 characters"),
        (
            {"name": "某公司", "remark": "x" * 5001},
            422,
            "remark",
            "remark: String should have at most 5000 characters",
        ),
        (
            {"name": "某公司", "tags": ["t" * 41]},
            422,
            "tags.0",
            "tags.0: String should have at most 40 characters",
        ),
        ({"name": "某公司", "colour": "red"}, 422, "colour", "colour: Extra inputs are not permitted"),
    ],
)
def test_create_refuses_bad_input_naming_the_field_and_saves_nothing(org, body, status, field, detail):
    response = api_client(org.rep).post("/api/v1/customers", body, content_type="application/json")

    assert response.status_code == status
    data = response.json()
    assert (data["detail"], data["field"]) == (detail, field)
    assert field in data["errors"]
    assert Customer.objects.count() == 0
    assert not Activity.objects.filter(verb="customer.created").exists()


def test_detail_carries_every_field(org):
    tag = TagFactory(name="重点")
    customer = CustomerFactory(
        owner=org.rep,
        name="杭州某某贸易有限公司",
        status="deal",
        intent_level="high",
        level="B",
        estimated_value=Decimal("8800.00"),
        industry="retail",
        size="20-99",
        source="referral",
        province="浙江省",
        city="杭州市",
        district="西湖区",
        address="文三路 1 号",
        phone="+8657188888888",
        email="info@example.cn",
        website="https://example.cn",
        credit_code=VALID_CREDIT_CODE,
        remark="老客户",
    )
    customer.tags.add(tag)

    response = api_client(org.rep).get(f"/api/v1/customers/{customer.pk}")

    customer.refresh_from_db()
    assert response.json() == {
        "id": customer.pk,
        "kind": "company",
        "name": "杭州某某贸易有限公司",
        "status": "deal",
        "intent_level": "high",
        "level": "B",
        "focus_points": "",
        "purchase_motivation": "",
        "estimated_value": "8800.00",
        "currency": "CNY",
        "industry": "retail",
        "size": "20-99",
        "source": "referral",
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "address": "文三路 1 号",
        "phone": "+8657188888888",
        "email": "info@example.cn",
        "website": "https://example.cn",
        "credit_code": VALID_CREDIT_CODE,
        "birthday": None,
        "remark": "老客户",
        "tags": ["重点"],
        "owner": org.rep.pk,
        "owner_name": "Rep1",
        "department": org.shanghai.pk,
        "received_at": None,  # a factory row; the services set it (see kehu/followups/tests)
        "last_followup_at": None,
        "next_followup_at": None,
        "pool": None,
        "pooled_at": None,
        "is_locked": False,
        "created_at": stamp(customer.created_at),
        "updated_at": stamp(customer.updated_at),
    }


def test_patch_changes_only_the_fields_sent(org):
    customer = services.customer_create(actor=org.rep, data={"name": "旧名", "city": "上海市"}, tags=["a"])

    response = api_client(org.rep).patch(
        f"/api/v1/customers/{customer.pk}",
        {"name": "新名", "phone": "13900139000", "tags": ["b", "c"]},
        content_type="application/json",
    )

    assert response.status_code == 200
    data = response.json()
    assert (data["name"], data["city"], data["phone"], data["tags"]) == (
        "新名",
        "上海市",
        "+8613900139000",
        ["b", "c"],
    )
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("新名", "+8613900139000")
    assert [a.verb for a in activity_for(customer)] == [
        "customer.tagged",
        "customer.updated",
        "customer.created",
    ]


def test_patch_is_all_or_nothing(org):
    customer = services.customer_create(actor=org.rep, data={"name": "旧名"}, tags=["a"])
    too_many_tags = [f"t{i}" for i in range(21)]

    response = api_client(org.rep).patch(
        f"/api/v1/customers/{customer.pk}",
        {"name": "新名", "tags": too_many_tags},
        content_type="application/json",
    )

    assert (response.status_code, response.json()["field"]) == (400, "tags")
    assert response.json()["detail"] == "A customer can carry at most 20 tags."
    customer.refresh_from_db()
    assert customer.name == "旧名"
    assert list(customer.tags.values_list("name", flat=True)) == ["a"]


def test_patch_with_a_bad_phone_changes_nothing(org):
    customer = services.customer_create(actor=org.rep, data={"name": "旧名", "phone": "13800138000"})
    response = api_client(org.rep).patch(
        f"/api/v1/customers/{customer.pk}", {"name": "新名", "phone": "000"}, content_type="application/json"
    )
    assert (response.status_code, response.json()["field"]) == (400, "phone")
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("旧名", "+8613800138000")


def test_put_tags_replaces_them(org):
    customer = services.customer_create(actor=org.rep, data={"name": "某公司"}, tags=["old"])
    response = api_client(org.rep).put(
        f"/api/v1/customers/{customer.pk}/tags",
        {"tags": ["新", "VIP", "VIP"]},
        content_type="application/json",
    )
    assert (response.status_code, response.json()) == (200, {"tags": ["VIP", "新"]})
    assert sorted(customer.tags.values_list("name", flat=True)) == ["VIP", "新"]


def test_delete_is_soft_and_restore_brings_it_back(org):
    customer = CustomerFactory(owner=org.rep, name="某公司")
    client = api_client(org.team_lead)
    customer.owner, customer.department = org.east_rep, org.east  # in the team lead's department
    customer.save()

    deleted = client.delete(f"/api/v1/customers/{customer.pk}")
    after_delete = client.get(f"/api/v1/customers/{customer.pk}")
    bin_ = client.get("/api/v1/customers/deleted")
    restored = client.post(f"/api/v1/customers/{customer.pk}/restore")

    assert (deleted.status_code, deleted.content) == (204, b"")
    assert after_delete.status_code == 404
    assert names(bin_) == ["某公司"]
    assert bin_.json()["items"][0]["deleted_at"] is not None
    assert (restored.status_code, restored.json()["name"]) == (200, "某公司")
    customer.refresh_from_db()
    assert customer.deleted_at is None
    assert [a.verb for a in activity_for(customer)] == ["customer.restored", "customer.deleted"]


def test_rep_cannot_delete_even_their_own_customer(org):
    customer = CustomerFactory(owner=org.rep)
    response = api_client(org.rep).delete(f"/api/v1/customers/{customer.pk}")
    assert (response.status_code, response.json()) == (403, NO_PERMISSION)
    customer.refresh_from_db()
    assert customer.deleted_at is None


def test_restoring_a_customer_not_in_the_bin_answers_404(org):
    customer = CustomerFactory(owner=org.rep)
    response = api_client(org.admin).post(f"/api/v1/customers/{customer.pk}/restore")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


# Transfer ------------------------------------------------------------------------------------------------


def test_rep_without_transfer_permission_is_refused_and_nothing_changes(org):
    mine = CustomerFactory(owner=org.rep)
    body = {"customer_ids": [mine.pk], "owner": org.peer_rep.pk, "reason": "想转"}

    response = api_client(org.rep).post("/api/v1/customers/transfer", body, content_type="application/json")

    assert (response.status_code, response.json()) == (403, NO_PERMISSION)
    mine.refresh_from_db()
    assert mine.owner == org.rep
    assert not Activity.objects.filter(verb="customer.transferred").exists()


def test_manager_transfer_moves_customers_and_records_activity(org):
    first, second = CustomerFactory(owner=org.rep), CustomerFactory(owner=org.rep)
    already = CustomerFactory(owner=org.other_dept_rep)
    body = {
        "customer_ids": [first.pk, second.pk, already.pk],
        "owner": org.other_dept_rep.pk,
        "reason": "离职交接",
    }

    response = api_client(org.dept_manager).post(
        "/api/v1/customers/transfer", body, content_type="application/json"
    )

    assert (response.status_code, response.json()) == (200, {"transferred": 2})
    for customer in (first, second):
        customer.refresh_from_db()
        assert (customer.owner, customer.department) == (org.other_dept_rep, org.south)
        [activity] = activity_for(customer)
        assert (activity.verb, activity.actor, activity.data) == (
            "customer.transferred",
            org.dept_manager,
            {"from": "Rep1", "to": "Rep2", "reason": "离职交接"},
        )
    assert not activity_for(already).exists()


def test_transfer_including_an_out_of_scope_customer_changes_nothing(org):
    mine = CustomerFactory(owner=org.east_rep)
    foreign = CustomerFactory(owner=org.outsider)
    body = {"customer_ids": [mine.pk, foreign.pk], "owner": org.team_lead.pk}

    response = api_client(org.team_lead).post(
        "/api/v1/customers/transfer", body, content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "Some of these records are outside what you may see."
    assert list(Customer.objects.order_by("pk").values_list("owner__username", flat=True)) == [
        "rep4",
        "outsider",
    ]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"customer_ids": [], "owner": "peer"}, 400, "customer_ids"),
        ({"customer_ids": ["mine"], "owner": 999999}, 400, "owner"),
        ({"customer_ids": ["mine"], "owner": "on_leave"}, 400, "owner"),
        ({"customer_ids": ["mine"], "owner": "outsider"}, 400, "owner"),
        ({"customer_ids": ["mine"]}, 422, "owner"),
        ({"customer_ids": ["mine"], "owner": "peer", "reason": "x" * 501}, 422, "reason"),
    ],
)
def test_transfer_refuses_bad_input_naming_the_field(org, body, status, field):
    mine = CustomerFactory(owner=org.rep)
    on_leave = UserFactory(username="away", department=org.shanghai, on_leave=True)
    refs = {"mine": mine.pk, "peer": org.peer_rep.pk, "on_leave": on_leave.pk, "outsider": org.outsider.pk}
    body = {k: ([refs[i] for i in v] if k == "customer_ids" else refs.get(v, v)) for k, v in body.items()}

    response = api_client(org.dept_manager).post(
        "/api/v1/customers/transfer", body, content_type="application/json"
    )

    assert (response.status_code, response.json()["field"]) == (status, field)
    mine.refresh_from_db()
    assert mine.owner == org.rep


# Lists: pagination, filters, query counts -----------------------------------------------------------------


def test_list_pages_with_limit_and_offset(org):
    for i in range(5):
        CustomerFactory(owner=org.rep, name=f"客户{i}")
    response = api_client(org.rep).get("/api/v1/customers?sort=name&limit=2&offset=1")
    assert response.status_code == 200
    assert set(response.json()) == {"items", "count"}
    assert (names(response), response.json()["count"]) == (["客户1", "客户2"], 5)


def test_list_limit_defaults_to_50_and_is_capped_at_200(org):
    CustomerFactory.create_batch(201, owner=org.rep)
    client = api_client(org.rep)
    assert len(client.get("/api/v1/customers").json()["items"]) == 50
    capped = client.get("/api/v1/customers?limit=5000").json()
    assert (len(capped["items"]), capped["count"]) == (200, 201)


@pytest.fixture
def searchable(org):
    """Customers made by the service, so their search text includes phones and contacts."""
    huawei = services.customer_create(
        actor=org.admin,
        owner=org.rep,
        tags=["重点"],
        data={"name": "上海华为科技有限公司", "phone": "13812345678", "status": "deal", "level": "A"},
    )
    xiaomi = services.customer_create(
        actor=org.admin,
        owner=org.peer_rep,
        data={"name": "北京小米贸易有限公司", "phone": "13998765432", "level": "B"},
    )
    services.contact_create(
        actor=org.admin, customer=xiaomi, data={"name": "王小明", "mobile": "13700001111"}
    )
    return {"huawei": huawei, "xiaomi": xiaomi}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=华为", ["上海华为科技有限公司"]),
        ("q=小米贸易", ["北京小米贸易有限公司"]),
        ("q=1234567", ["上海华为科技有限公司"]),
        ("q=王小明", ["北京小米贸易有限公司"]),
        ("q=13700001111", ["北京小米贸易有限公司"]),
        ("q=有限公司", ["上海华为科技有限公司", "北京小米贸易有限公司"]),
        ("status=deal", ["上海华为科技有限公司"]),
        ("status=potential", ["北京小米贸易有限公司"]),
        ("level=B", ["北京小米贸易有限公司"]),
        ("tag=重点", ["上海华为科技有限公司"]),
        ("tag=无此标签", []),
        ("owner=peer_rep", ["北京小米贸易有限公司"]),
        ("department=shanghai", ["上海华为科技有限公司", "北京小米贸易有限公司"]),
        ("q=华为&status=potential", []),
    ],
)
def test_list_filters(org, searchable, query, expected):
    query = query.replace("peer_rep", str(org.peer_rep.pk)).replace("shanghai", str(org.shanghai.pk))
    response = api_client(org.admin).get(f"/api/v1/customers?sort=-name&{query}")
    assert response.status_code == 200
    assert sorted(names(response), reverse=True) == sorted(expected, reverse=True)
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("status=won", 400, "status"),
        ("sort=price", 400, "sort"),
        ("owner=abc", 422, "owner"),
        ("view=everyone", 422, "view"),
        ("limit=0", 422, "limit"),
        ("q=" + "长" * 101, 422, "q"),
    ],
)
def test_list_refuses_bad_filters_naming_the_field(org, query, status, field):
    response = api_client(org.rep).get(f"/api/v1/customers?{query}")
    assert (response.status_code, response.json()["field"]) == (status, field)


def _customers_with_tags_and_owners(org, count: int) -> None:
    owners = [org.rep, org.peer_rep, org.east_rep, org.other_dept_rep]
    tags = [TagFactory(name="重点"), TagFactory(name="VIP")]
    for i in range(count):
        CustomerFactory(owner=owners[i % len(owners)]).tags.set(tags)


@pytest.mark.parametrize("count", [3, 30])
def test_customer_list_runs_constant_queries(org, django_assert_num_queries, count):
    _customers_with_tags_and_owners(org, count)
    client = api_client(org.dept_manager)
    client.get("/api/v1/customers")  # the first use stamps the token's last_used_at

    # token + the manager's department subtree + count + page (owner, department joined) + tags of the page
    with django_assert_num_queries(5):
        response = client.get("/api/v1/customers")

    assert response.json()["count"] == count
    assert {len(item["tags"]) for item in response.json()["items"]} == {2}
    owner_names = ["Rep1", "Rep3", "Rep4", "Rep2"][:count]
    assert {item["owner_name"] for item in response.json()["items"]} == set(owner_names)


@pytest.mark.parametrize("count", [3, 30])
def test_session_customer_list_runs_constant_queries(org, django_assert_num_queries, count):
    _customers_with_tags_and_owners(org, count)
    client = Client()
    client.force_login(org.director)

    # session + user (role, department joined) + count + page + tags of the page
    with django_assert_num_queries(5):
        response = client.get("/api/v1/customers?sort=name")

    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [3, 30])
def test_contact_lists_run_constant_queries(org, django_assert_num_queries, count):
    customers = [CustomerFactory(owner=org.rep) for _ in range(3)]
    for i in range(count):
        ContactFactory(customer=customers[i % 3])
    client = api_client(org.rep)
    client.get("/api/v1/contacts")

    with django_assert_num_queries(3):  # token + count + page (customer joined)
        response = client.get("/api/v1/contacts")
    with django_assert_num_queries(5):  # token + the customer (+ its tags) + count + page
        one = client.get(f"/api/v1/customers/{customers[0].pk}/contacts")

    assert response.json()["count"] == count
    assert one.json()["count"] == len(range(0, count, 3))


def test_deleted_list_runs_constant_queries(org, django_assert_num_queries):
    _customers_with_tags_and_owners(org, 12)
    Customer.objects.update(deleted_at="2026-01-01T00:00:00Z")
    client = api_client(org.admin)
    client.get("/api/v1/customers/deleted")

    with django_assert_num_queries(4):  # token + count + page + tags
        response = client.get("/api/v1/customers/deleted")

    assert response.json()["count"] == 12


# Contacts ------------------------------------------------------------------------------------------------


def test_contact_create_list_update_delete(org):
    customer = services.customer_create(actor=org.rep, data={"name": "某公司"})
    client = api_client(org.rep)

    created = client.post(
        "/api/v1/contacts",
        {"customer": customer.pk, "name": "张三", "mobile": "139 0000 1111", "title": "采购经理"},
        content_type="application/json",
    )
    contact = Contact.objects.get()
    listed = client.get(f"/api/v1/contacts?customer={customer.pk}")
    nested = client.get(f"/api/v1/customers/{customer.pk}/contacts")
    patched = client.patch(
        f"/api/v1/contacts/{contact.pk}", {"title": "总经理"}, content_type="application/json"
    )
    deleted = client.delete(f"/api/v1/contacts/{contact.pk}")

    assert created.status_code == 201
    contact.refresh_from_db()
    assert {k: v for k, v in created.json().items() if k not in ("created_at", "updated_at")} == {
        "id": contact.pk,
        "customer": customer.pk,
        "customer_name": "某公司",
        "name": "张三",
        "title": "采购经理",
        "mobile": "+8613900001111",
        "phone": "",
        "email": "",
        "wechat": "",
        "birthday": None,
        "is_primary": True,
        "remark": "",
    }
    assert names(listed) == names(nested) == ["张三"]
    assert (patched.status_code, patched.json()["title"]) == (200, "总经理")
    assert deleted.status_code == 204
    assert contact.__class__.objects.alive().count() == 0
    assert client.get(f"/api/v1/contacts/{contact.pk}").status_code == 404


def test_contact_list_filters_by_name(org):
    customer = CustomerFactory(owner=org.rep)
    ContactFactory(customer=customer, name="张三")
    ContactFactory(customer=customer, name="李四")
    response = api_client(org.rep).get("/api/v1/contacts?q=张")
    assert (names(response), response.json()["count"]) == (["张三"], 1)


def test_contacts_outside_the_scope_answer_404_and_change_nothing(org):
    foreign = ContactFactory(customer=CustomerFactory(owner=org.other_dept_rep), name="外人")
    client = api_client(org.rep)

    responses = [
        client.get(f"/api/v1/contacts/{foreign.pk}"),
        client.patch(f"/api/v1/contacts/{foreign.pk}", {"name": "改"}, content_type="application/json"),
        client.delete(f"/api/v1/contacts/{foreign.pk}"),
        client.get(f"/api/v1/customers/{foreign.customer_id}/contacts"),
    ]

    assert [(r.status_code, r.json()) for r in responses] == [(404, NOT_FOUND)] * 4
    assert names(client.get("/api/v1/contacts")) == []
    foreign.refresh_from_db()
    assert (foreign.name, foreign.deleted_at) == ("外人", None)


def test_contact_for_an_out_of_scope_customer_is_refused(org):
    foreign = CustomerFactory(owner=org.other_dept_rep)
    response = api_client(org.rep).post(
        "/api/v1/contacts", {"customer": foreign.pk, "name": "张三"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "customer"
    assert response.json()["detail"] == f"There is no customer with id {foreign.pk}."
    assert Contact.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "张三", "mobile": "555"}, 400, "mobile"),
        ({"name": "张三", "email": "zhang@"}, 400, "email"),
        ({"name": ""}, 400, "name"),
        ({"name": "张" * 101}, 422, "name"),
        ({"title": "经理"}, 422, "name"),
    ],
)
def test_contact_create_refuses_bad_input(org, body, status, field):
    customer = CustomerFactory(owner=org.rep)
    response = api_client(org.rep).post(
        "/api/v1/contacts", {"customer": customer.pk, **body}, content_type="application/json"
    )
    assert (response.status_code, response.json()["field"]) == (status, field)
    assert Contact.objects.count() == 0
