"""Follow-up pages: the customer's Follow-ups tab, the quick form (htmx and plain), the plan buttons."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kehu.customers.models import Customer
from kehu.customers.tests.factories import ContactFactory, CustomerFactory
from kehu.followups.choices import PlanStatus
from kehu.followups.models import FollowUp, FollowUpPlan
from kehu.followups.tests.factories import FollowUpFactory, PlanFactory

HTMX = {"HX-Request": "true", "HX-Target": "followup-panel"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_customer_page_has_the_tab_and_header_times(org):
    customer = CustomerFactory(owner=org.rep, last_followup_at=timezone.now())
    client = client_for(org.rep)

    page = client.get(f"/customers/{customer.pk}/?tab=followups").content.decode()

    assert 'data-testid="tab-followups"' in page
    assert f'hx-get="/followups/customer/{customer.pk}/"' in page
    assert 'data-testid="last-followup"' in page
    assert 'data-testid="next-followup"' not in page


def test_panel_as_full_page_and_as_fragment(org):
    customer = CustomerFactory(owner=org.rep, name="星河科技")
    FollowUpFactory(customer=customer, content="第一次电话")
    PlanFactory(customer=customer, action="发报价")
    client = client_for(org.rep)

    page = client.get(f"/followups/customer/{customer.pk}/")
    fragment = client.get(f"/followups/customer/{customer.pk}/", headers=HTMX)

    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.content.decode()
    body = fragment.content.decode()
    assert "<html" not in body
    assert "第一次电话" in body
    assert "发报价" in body
    assert 'data-testid="followup-form"' in body


def test_panel_of_a_customer_outside_the_scope_is_404(org):
    customer = CustomerFactory(owner=org.peer_rep)

    assert client_for(org.rep).get(f"/followups/customer/{customer.pk}/").status_code == 404
    assert client_for(org.rep).post(f"/followups/customer/{customer.pk}/record/", {}).status_code == 404


@pytest.mark.parametrize("count", [2, 20])
def test_panel_runs_constant_queries(org, django_assert_max_num_queries, count):
    customer = CustomerFactory(owner=org.rep)
    contact = ContactFactory(customer=customer)
    for _n in range(count):
        followup = FollowUpFactory(customer=customer, contact=contact)
        PlanFactory(customer=customer, source=followup)
    client = client_for(org.rep)

    with django_assert_max_num_queries(12):
        response = client.get(f"/followups/customer/{customer.pk}/", headers=HTMX)

    assert response.content.decode().count("bi-calendar-event") == count


def test_record_over_htmx_returns_the_panel_with_a_toast(org):
    customer = CustomerFactory(owner=org.rep)
    contact = ContactFactory(customer=customer, name="王经理")
    next_at = timezone.now() + timedelta(days=1)

    response = client_for(org.rep).post(
        f"/followups/customer/{customer.pk}/record/",
        {
            "method": "visit",
            "contact": contact.pk,
            "content": "演示产品",
            "next_at": local_input(next_at),
            "next_action": "发报价",
        },
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "toast" in response.headers["HX-Trigger"]
    assert "演示产品" in response.content.decode()
    followup = FollowUp.objects.get()
    assert (followup.method, followup.contact, followup.created_by) == ("visit", contact, org.rep)
    plan = FollowUpPlan.objects.get()
    assert (plan.action, plan.due_at) == ("发报价", next_at.replace(second=0, microsecond=0))
    assert Customer.objects.get(pk=customer.pk).next_followup_at == plan.due_at


def test_record_errors_re_render_the_form(org):
    customer = CustomerFactory(owner=org.rep)
    past = timezone.now() - timedelta(days=1)

    response = client_for(org.rep).post(
        f"/followups/customer/{customer.pk}/record/",
        {"method": "phone", "content": "x", "next_at": local_input(past)},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert 'data-field-error="next_at"' in response.content.decode()
    assert "The next contact must be planned for a time in the future." in response.content.decode()
    assert FollowUp.objects.count() == 0

    response = client_for(org.rep).post(f"/followups/customer/{customer.pk}/record/", {"method": "phone"})
    assert 'data-field-error="content"' in response.content.decode()


def test_plain_post_redirects_to_the_customer_tab(org):
    customer = CustomerFactory(owner=org.rep)

    response = client_for(org.rep).post(
        f"/followups/customer/{customer.pk}/record/", {"method": "phone", "content": "电话"}
    )

    assert response.status_code == 302
    assert response.url == f"/customers/{customer.pk}/?tab=followups"
    assert FollowUp.objects.count() == 1


def test_user_without_the_permission_is_refused(org):
    customer = CustomerFactory(owner=org.outsider)

    response = client_for(org.outsider).post(
        f"/followups/customer/{customer.pk}/record/", {"method": "phone", "content": "电话"}
    )

    assert response.status_code == 403
    assert FollowUp.objects.count() == 0


def test_plan_buttons(org):
    customer = CustomerFactory(owner=org.rep)
    done = PlanFactory(customer=customer)
    cancelled = PlanFactory(customer=customer)
    client = client_for(org.rep)

    response = client.post(f"/followups/plans/{done.pk}/complete/", headers=HTMX)
    assert response.status_code == 200
    assert "Plan marked done." in response.headers["HX-Trigger"]
    response = client.post(f"/followups/plans/{done.pk}/complete/", headers=HTMX)
    assert '"level": "error"' in response.headers["HX-Trigger"]
    response = client.post(f"/followups/plans/{cancelled.pk}/cancel/")
    assert response.status_code == 302

    statuses = dict(FollowUpPlan.objects.values_list("pk", "status"))
    assert statuses == {done.pk: PlanStatus.DONE, cancelled.pk: PlanStatus.CANCELLED}


def test_plan_buttons_outside_scope_or_without_permission(org):
    peers = PlanFactory(customer=CustomerFactory(owner=org.peer_rep))
    outsiders = PlanFactory(customer=CustomerFactory(owner=org.outsider))

    assert client_for(org.rep).post(f"/followups/plans/{peers.pk}/complete/").status_code == 404
    assert client_for(org.outsider).post(f"/followups/plans/{outsiders.pk}/cancel/").status_code == 403
    assert set(FollowUpPlan.objects.values_list("status", flat=True)) == {PlanStatus.OPEN}


def test_admin_lists_are_read_only(org):
    followup = FollowUpFactory(customer=CustomerFactory(owner=org.rep))
    PlanFactory(customer=followup.customer, source=followup)
    client = client_for(org.admin)

    for path in ("/admin/followups/followup/", "/admin/followups/followupplan/"):
        assert client.get(path).status_code == 200
        assert client.get(f"{path}add/").status_code == 403
    assert client.post(f"/admin/followups/followup/{followup.pk}/delete/", {"post": "yes"}).status_code == 403
    assert FollowUp.objects.filter(pk=followup.pk).exists()


# The quick form of the customer list ---------------------------------------------------------------------

QUICK = {"HX-Request": "true", "HX-Target": "quick-followup-body"}


def test_the_customer_list_offers_the_quick_form_to_those_who_may_record(org):
    CustomerFactory(owner=org.rep)

    assert 'data-testid="quick-followup"' in client_for(org.rep).get("/customers/").content.decode()
    assert 'id="quick-followup"' in client_for(org.rep).get("/customers/").content.decode()
    CustomerFactory(owner=org.outsider)
    assert 'data-testid="quick-followup"' not in client_for(org.outsider).get("/customers/").content.decode()


def test_quick_form_as_dialog_fragment_and_as_page(org):
    customer = CustomerFactory(owner=org.rep, name="苏州园区科技")
    ContactFactory(customer=customer, name="周经理")

    fragment = client_for(org.rep).get(f"/followups/customer/{customer.pk}/quick/", headers=QUICK)
    page = client_for(org.rep).get(f"/followups/customer/{customer.pk}/quick/")

    assert "<html" not in fragment.content.decode()
    assert 'id="id_quick_content"' in fragment.content.decode()
    assert "周经理" in fragment.content.decode()
    assert "<html" in page.content.decode()
    assert "苏州园区科技" in page.content.decode()


def test_quick_record_closes_the_dialog_with_a_toast(org):
    customer = CustomerFactory(owner=org.rep)
    next_at = timezone.now() + timedelta(days=2)

    response = client_for(org.rep).post(
        f"/followups/customer/{customer.pk}/quick/",
        {
            "method": "wechat",
            "content": "微信发了资料",
            "next_at": local_input(next_at),
            "next_action": "回访",
        },
        headers=QUICK,
    )

    assert (response.status_code, response.content) == (200, b"")
    events = json.loads(response.headers["HX-Trigger"])
    assert events == {
        "toast": {"message": "Follow-up recorded.", "level": "success"},
        "closeModal": "quick-followup",
    }
    followup = FollowUp.objects.get()
    assert (followup.customer, followup.method, followup.created_by) == (customer, "wechat", org.rep)
    customer.refresh_from_db()
    assert customer.last_followup_at == followup.occurred_at
    assert customer.next_followup_at == FollowUpPlan.objects.get().due_at


def test_quick_record_errors_stay_in_the_dialog_and_plain_posts_redirect(org):
    customer = CustomerFactory(owner=org.rep)

    response = client_for(org.rep).post(
        f"/followups/customer/{customer.pk}/quick/", {"method": "phone"}, headers=QUICK
    )

    assert 'data-field-error="content"' in response.content.decode()
    assert "HX-Trigger" not in response.headers
    assert FollowUp.objects.count() == 0
    plain = client_for(org.rep).post(
        f"/followups/customer/{customer.pk}/quick/", {"method": "phone", "content": "电话"}
    )
    assert (plain.status_code, plain.url) == (302, f"/customers/{customer.pk}/?tab=followups")


def test_quick_form_of_another_reps_customer_is_404_and_writes_nothing(org):
    theirs = CustomerFactory(owner=org.peer_rep)

    assert client_for(org.rep).get(f"/followups/customer/{theirs.pk}/quick/").status_code == 404
    response = client_for(org.rep).post(
        f"/followups/customer/{theirs.pk}/quick/", {"method": "phone", "content": "电话"}, headers=QUICK
    )
    assert response.status_code == 404
    assert FollowUp.objects.count() == 0


def test_a_pool_member_reads_a_pooled_customers_followups_but_records_none_before_claiming(org):
    from kehu.pool.tests.factories import PoolFactory, pooled_customer

    pool = PoolFactory(name="华东公海", departments=[org.east])
    customer = pooled_customer(pool)
    FollowUpFactory(customer=customer, created_by=org.peer_rep, content="上一任负责人的跟进记录")

    member = client_for(org.rep).get(f"/followups/customer/{customer.pk}/", headers=HTMX)
    outsider = client_for(org.other_dept_rep).get(f"/followups/customer/{customer.pk}/", headers=HTMX)

    assert member.status_code == 200
    assert "上一任负责人的跟进记录" in member.content.decode()
    assert 'data-testid="followup-form"' not in member.content.decode()
    assert outsider.status_code == 404
    refused = client_for(org.rep).post(
        f"/followups/customer/{customer.pk}/record/", {"method": "phone", "content": "x"}, headers=HTMX
    )
    assert refused.status_code == 404
    assert FollowUp.objects.count() == 1
