import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kehu.core.activity import activity_for
from kehu.customers.models import Customer
from kehu.customers.services import customer_create, customer_delete
from kehu.customers.tests.factories import ContactFactory, CustomerFactory, TagFactory

CODE = "91350100M000100Y43"
LIST = reverse("customers:list")


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def book(org):
    owners = [org.rep, org.peer_rep, org.east_rep, org.other_dept_rep, org.team_lead, org.outsider]
    return {o.username: CustomerFactory(owner=o, name=f"客户-{o.username}") for o in owners}


def row_names(response):
    return sorted(c.name for c in response.context["page"].object_list)


def test_login_required(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "query", "expected"),
    [
        ("rep", "", ["客户-rep1"]),
        ("team_lead", "", ["客户-lead", "客户-rep4"]),
        ("dept_manager", "?view=team", ["客户-lead", "客户-rep1", "客户-rep2", "客户-rep3", "客户-rep4"]),
        ("dept_manager", "?view=mine", []),
        ("director", "", ["客户-lead", "客户-outsider", "客户-rep1", "客户-rep2", "客户-rep3", "客户-rep4"]),
        ("outsider", "", ["客户-outsider"]),
    ],
)
def test_list_page_scope_matrix(client, org, book, persona, query, expected):
    response = client_for(client, getattr(org, persona)).get(LIST + query)
    assert response.status_code == 200
    assert row_names(response) == expected


def test_htmx_request_gets_only_the_table(client, org, book):
    response = client_for(client, org.rep).get(
        LIST + "?q=rep1", headers={"HX-Request": "true", "HX-Target": "customer-table"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="customer-table">')
    assert "<html" not in html
    assert "客户-rep1" in html


def test_bad_filter_is_ignored_with_a_warning(client, org, book):
    response = client_for(client, org.rep).get(LIST + "?status=nonsense")
    assert response.status_code == 200
    assert row_names(response) == ["客户-rep1"]
    assert [str(m) for m in response.context["messages"]] == [
        "Some filters were not understood and were ignored."
    ]


def test_list_query_count_does_not_grow_with_rows(client, org, django_assert_max_num_queries):
    tag = TagFactory(name="t")
    for i in range(40):
        CustomerFactory(owner=org.rep if i % 2 else org.peer_rep).tags.add(tag)
    c = client_for(client, org.dept_manager)
    c.get(LIST)  # warm caches (content types, session)
    with django_assert_max_num_queries(13) as small:  # 13: the menu's approvals badge is one
        c.get(LIST + "?size=20")
    with django_assert_max_num_queries(13) as large:
        c.get(LIST + "?size=100")
    assert len(small.captured_queries) == len(large.captured_queries)


def test_detail_page_tabs_and_scope(client, org, book):
    customer = book["rep1"]
    ContactFactory(customer=customer, name="张伟")
    c = client_for(client, org.rep)
    assert c.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
    assert "张伟" in c.get(reverse("customers:detail", args=[customer.pk]) + "?tab=contacts").content.decode()
    assert c.get(reverse("customers:detail", args=[book["rep3"].pk])).status_code == 404


def test_detail_query_count_is_constant(client, org, django_assert_max_num_queries):
    customer = customer_create(actor=org.rep, data={"name": "A"})
    for i in range(15):
        ContactFactory(customer=customer, name=f"c{i}")
    c = client_for(client, org.rep)
    for tab in ("profile", "contacts", "timeline"):
        with django_assert_max_num_queries(10):
            assert c.get(reverse("customers:detail", args=[customer.pk]) + f"?tab={tab}").status_code == 200


def test_timeline_shows_who_changed_what(client, org):
    client_for(client, org.rep)
    client.post(
        reverse("customers:create"),
        {"name": "星河", "kind": "company", "status": "potential", "currency": "CNY"},
    )
    customer = Customer.objects.get()
    client.post(
        reverse("customers:edit", args=[customer.pk]),
        {"name": "星河", "kind": "company", "status": "intent", "currency": "CNY"},
    )
    html = client.get(reverse("customers:detail", args=[customer.pk]) + "?tab=timeline").content.decode()
    assert "changed the customer" in html
    assert "Potential → Intent" in html
    assert "created the customer" in html


def test_create_with_bad_input_shows_field_errors_and_saves_nothing(client, org):
    response = client_for(client, org.rep).post(
        reverse("customers:create"),
        {
            "name": "星河",
            "kind": "company",
            "status": "potential",
            "currency": "CNY",
            "credit_code": "91350100M000100Y44",
            "phone": "12345",
        },
    )
    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == ["credit_code", "phone"]
    assert Customer.objects.count() == 0


def test_create_missing_name_is_refused(client, org):
    response = client_for(client, org.rep).post(
        reverse("customers:create"), {"kind": "company", "status": "potential", "currency": "CNY"}
    )
    assert list(response.context["form"].errors) == ["name"]
    assert Customer.objects.count() == 0


def test_create_and_edit_with_tags(client, org):
    c = client_for(client, org.rep)
    response = c.post(
        reverse("customers:create"),
        {
            "name": "星河",
            "kind": "company",
            "status": "potential",
            "currency": "CNY",
            "credit_code": CODE,
            "tags": "重点，华东",
            "phone": "13812345678",
        },
    )
    customer = Customer.objects.get()
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert sorted(customer.tags.values_list("name", flat=True)) == ["华东", "重点"]
    c.post(
        reverse("customers:edit", args=[customer.pk]),
        {"name": "星河二", "kind": "company", "status": "intent", "currency": "CNY", "tags": "华东"},
    )
    customer.refresh_from_db()
    assert (customer.name, customer.status) == ("星河二", "intent")
    assert list(customer.tags.values_list("name", flat=True)) == ["华东"]


def test_htmx_form_error_rerenders_only_the_form(client, org):
    response = client_for(client, org.rep).post(
        reverse("customers:create"),
        {"kind": "company", "status": "potential", "currency": "CNY"},
        headers={"HX-Request": "true", "HX-Target": "form-card"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="form-card"')
    assert "is-invalid" in html


def test_rep_cannot_edit_a_peers_customer_page(client, org, book):
    response = client_for(client, org.rep).post(
        reverse("customers:edit", args=[book["rep3"].pk]), {"name": "x", "kind": "company", "status": "deal"}
    )
    assert response.status_code == 404
    book["rep3"].refresh_from_db()
    assert book["rep3"].name == "客户-rep3"


def test_export_contains_only_visible_rows_and_neutralises_formulas(client, org, book):
    CustomerFactory(owner=org.rep, name='=HYPERLINK("http://evil")')
    response = client_for(client, org.rep).get(reverse("customers:export") + "?sort=name")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ['\'=HYPERLINK("http://evil")', "客户-rep1"]
    assert activity_for(org.rep).first().verb == "customer.exported"


def test_export_needs_permission(client, org, book):
    assert client_for(client, org.outsider).get(reverse("customers:export")).status_code == 403


def test_manager_transfers_selected_customers(client, org, book):
    ids = [book["rep1"].pk, book["rep3"].pk]
    response = client_for(client, org.dept_manager).post(
        reverse("customers:transfer"), {"ids": ids, "owner": org.east_rep.pk, "reason": "调整"}
    )
    assert response.status_code == 302
    assert set(Customer.objects.filter(pk__in=ids).values_list("owner", flat=True)) == {org.east_rep.pk}


def test_rep_transfer_is_refused_and_nothing_moves(client, org, book):
    client_for(client, org.rep).post(
        reverse("customers:transfer"), {"ids": [book["rep1"].pk], "owner": org.rep.pk}
    )
    # a rep may only pick themselves; the service refuses without the transfer permission
    book["rep1"].refresh_from_db()
    assert book["rep1"].owner == org.rep
    assert activity_for(book["rep1"]).count() == 0


def test_recycle_bin_restore(client, org, book):
    customer_delete(actor=org.dept_manager, customer=book["rep1"])
    c = client_for(client, org.dept_manager)
    assert row_names(c.get(reverse("customers:recycle_bin"))) == ["客户-rep1"]
    response = c.post(reverse("customers:restore", args=[book["rep1"].pk]))
    assert response["Location"] == reverse("customers:detail", args=[book["rep1"].pk])
    assert Customer.objects.alive().filter(pk=book["rep1"].pk).exists()


def test_rep_cannot_restore_outside_scope(client, org, book):
    customer_delete(actor=org.dept_manager, customer=book["rep3"])
    assert (
        client_for(client, org.rep).post(reverse("customers:restore", args=[book["rep3"].pk])).status_code
        == 404
    )
    assert not Customer.objects.alive().filter(pk=book["rep3"].pk).exists()


def test_contact_create_edit_delete(client, org, book):
    customer = book["rep1"]
    c = client_for(client, org.rep)
    c.post(reverse("customers:contact_create", args=[customer.pk]), {"name": "张伟", "mobile": "13812345678"})
    contact = customer.contacts.get()
    assert (contact.mobile, contact.is_primary) == ("+8613812345678", True)
    c.post(reverse("customers:contact_edit", args=[contact.pk]), {"name": "张伟", "title": "经理"})
    contact.refresh_from_db()
    assert contact.title == "经理"
    c.post(reverse("customers:contact_delete", args=[contact.pk]))
    assert customer.contacts.alive().count() == 0


def test_contact_pages_outside_scope_are_404(client, org, book):
    contact = ContactFactory(customer=book["rep3"])
    c = client_for(client, org.rep)
    assert c.get(reverse("customers:contact_edit", args=[contact.pk])).status_code == 404
    assert c.post(reverse("customers:contact_delete", args=[contact.pk])).status_code == 404
    assert c.get(reverse("customers:contact_create", args=[book["rep3"].pk])).status_code == 404


def test_language_switch_renders_english_and_chinese(client, org):
    c = client_for(client, org.rep)
    c.post(reverse("set_language"), {"language": "en", "next": LIST})
    assert "New customer" in c.get(LIST).content.decode()
    c.post(reverse("set_language"), {"language": "zh-hans", "next": LIST})
    assert "新建客户" in c.get(LIST).content.decode()


def test_profile_shows_times_in_the_configured_time_zone(client, org, settings):
    from datetime import UTC, datetime

    customer = CustomerFactory(owner=org.rep, created_at=datetime(2026, 1, 1, 0, 30, tzinfo=UTC))
    html = client_for(client, org.rep).get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert "2026-01-01 08:30" in html


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("team_lead", ["客户-lead", "客户-rep4"]),
        ("other_dept_rep", ["客户-rep2"]),
        ("dept_manager", ["客户-lead", "客户-rep1", "客户-rep2", "客户-rep3", "客户-rep4"]),
    ],
)
def test_export_scope_matrix(client, org, book, persona, expected):
    response = client_for(client, getattr(org, persona)).get(reverse("customers:export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True)) == expected
