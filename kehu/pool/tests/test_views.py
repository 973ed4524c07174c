"""Pool pages: who sees and claims, claim limits as messages, settings and the preview, release from the
customer page, assign and move."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.core.activity import Activity
from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory
from kehu.pool.models import Pool, PoolEvent, PoolEventKind
from kehu.pool.tests.factories import PoolFactory, pooled_customer

NOW = timezone.now()


def client_for(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def toast_of(response) -> dict:
    return json.loads(response["HX-Trigger"])["toast"]


def detail(pool) -> str:
    return reverse("pool:detail", args=[pool.pk])


def claim_url(customer) -> str:
    return reverse("pool:customer_claim", args=[customer.pk])


def row_target(customer) -> dict:
    return {"HX-Request": "true", "HX-Target": f"pool-row-{customer.pk}"}


HX_TABLE = {"HX-Request": "true", "HX-Target": "pool-table"}


@pytest.fixture
def pools(org):
    """East (members: the East department subtree, admin: the team lead) and South (the South department)."""
    east = PoolFactory(name="华东公海", position=1, departments=[org.east], admins=[org.team_lead])
    south = PoolFactory(name="华南公海", position=2, departments=[org.south])
    return east, south


def test_login_required(client, pools):
    response = client.get(reverse("pool:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_member_of_one_pool_goes_straight_to_it(client, org, pools):
    east, _south = pools
    response = client_for(client, org.rep).get(reverse("pool:list"))
    assert response.status_code == 302
    assert response["Location"] == detail(east)


def test_the_pool_list_shows_counts_rules_and_my_claims(client, org, pools):
    east, _south = pools
    east.no_followup_days, east.claims_per_day = 15, 5
    east.save()
    pooled_customer(east)
    pooled_customer(east)
    CustomerFactory(owner=None, pool=east, pooled_at=NOW, deleted_at=NOW)  # in the recycle bin
    response = client_for(client, org.admin).get(reverse("pool:list"))
    assert response.status_code == 200
    cards = {c["pool"].name: c for c in response.context["cards"]}
    assert list(cards) == ["华东公海", "华南公海"]
    assert cards["华东公海"]["pool"].customer_count == 2
    assert cards["华南公海"]["pool"].customer_count == 0
    assert cards["华东公海"]["rules"] == ["Back after 15 days without follow-up", "5 claims a day"]
    assert "My claims today: 0 / 5" in response.content.decode()


def test_a_non_member_can_neither_see_nor_claim_from_a_pool(client, org, pools):
    east, _south = pools
    customer = pooled_customer(east)
    c = client_for(client, org.other_dept_rep)
    assert c.get(detail(east)).status_code == 404
    assert c.post(reverse("pool:claim", args=[east.pk]), {"ids": [customer.pk]}).status_code == 404
    assert c.post(claim_url(customer)).status_code == 404
    assert c.get(reverse("customers:detail", args=[customer.pk])).status_code == 404
    customer.refresh_from_db()
    assert customer.owner is None
    assert customer.pool == east


def test_the_pool_page_lists_rows_with_previous_owner_reason_and_wait(client, org, pools):
    east, _south = pools
    east.claim_wait_hours = 24
    east.save()
    released = CustomerFactory(owner=org.peer_rep, name="释放的客户", level="A", city="上海")
    from kehu.pool.services import customer_release

    customer_release(actor=org.peer_rep, customer_ids=[released.pk], reason="预算取消", pool=east)
    Customer.objects.filter(pk=released.pk).update(pooled_at=NOW - timedelta(days=12))
    fresh = pooled_customer(east, name="新进公海")
    response = client_for(client, org.rep).get(detail(east) + "?sort=pooled")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["customer"].name for r in rows] == ["释放的客户", "新进公海"]
    assert rows[0]["previous_owner"] == org.peer_rep
    assert rows[0]["age"] == "1\xa0week"
    assert rows[0]["reason"] == "Released: 预算取消"
    assert rows[0]["opens_at"] is None
    assert rows[1]["opens_at"] == fresh.pooled_at + timedelta(hours=24)
    page = response.content.decode()
    assert f'data-testid="claim-{released.pk}"' in page
    assert f'data-testid="claim-{fresh.pk}"' not in page  # waits a day


def test_the_table_alone_for_htmx_with_filters(client, org, pools):
    east, _south = pools
    pooled_customer(east, name="甲公司", level="A")
    pooled_customer(east, name="乙公司", level="B")
    response = client_for(client, org.rep).get(detail(east) + "?level=B", headers=HX_TABLE)
    assert response.status_code == 200
    assert [r["customer"].name for r in response.context["rows"]] == ["乙公司"]
    assert b"<html" not in response.content
    assert b'id="pool-table"' in response.content


def test_list_queries_do_not_grow_with_rows(client, org, pools, django_assert_max_num_queries):
    east, _south = pools
    c = client_for(client, org.rep)
    for _ in range(2):
        pooled_customer(east)
    c.get(detail(east))
    with django_assert_max_num_queries(30) as few:
        c.get(detail(east))
    for _ in range(15):
        pooled_customer(east)
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(detail(east))


def test_a_rep_claims_from_the_row(client, org, pools):
    east, _south = pools
    customer = pooled_customer(east, name="星河科技")
    response = client_for(client, org.rep).post(claim_url(customer), headers=row_target(customer))
    assert response.status_code == 200
    assert 'data-testid="claimed"' in response.content.decode()
    assert toast_of(response) == {"message": "You claimed “星河科技”.", "level": "success"}
    customer.refresh_from_db()
    assert (customer.owner, customer.pool) == (org.rep, None)
    assert PoolEvent.objects.get(customer=customer).kind == PoolEventKind.CLAIMED


def test_a_claim_beyond_the_daily_limit_is_refused_with_a_message(client, org, pools):
    east, _south = pools
    east.claims_per_day = 1
    east.save()
    first, second = pooled_customer(east), pooled_customer(east)
    c = client_for(client, org.rep)
    assert c.post(claim_url(first), headers=row_target(first)).status_code == 200

    response = c.post(claim_url(second), headers=row_target(second))
    assert response.status_code == 200
    assert toast_of(response) == {
        "message": "You have claimed 1 of 1 customers allowed today from this pool.",
        "level": "error",
    }
    assert f'data-testid="claim-{second.pk}"' in response.content.decode()  # the row stays
    response = c.post(claim_url(second), follow=True)  # without htmx: a message on the customer page
    assert "You have claimed 1 of 1 customers allowed today from this pool." in messages_of(response)
    second.refresh_from_db()
    assert second.owner is None


def test_a_customer_taken_meanwhile_reads_as_taken(client, org, pools):
    east, _south = pools
    customer = pooled_customer(east)
    client_for(client, org.peer_rep).post(claim_url(customer))
    response = client_for(client, org.rep).post(claim_url(customer), headers=row_target(customer))
    assert response.status_code == 200
    assert 'data-testid="pool-row-taken"' in response.content.decode()
    assert toast_of(response)["message"] == "Someone else claimed this customer just now."


def test_bulk_claim_is_all_or_none(client, org, pools):
    east, _south = pools
    east.claims_per_batch = 2
    east.save()
    customers = [pooled_customer(east) for _ in range(3)]
    c = client_for(client, org.rep)
    url = reverse("pool:claim", args=[east.pk])
    response = c.post(url, {"ids": [x.pk for x in customers]}, headers=HX_TABLE)
    assert toast_of(response) == {
        "message": "You can claim at most 2 customers at a time from this pool.",
        "level": "error",
    }
    assert response["HX-Reswap"] == "none"
    assert Customer.objects.filter(owner=org.rep).count() == 0

    response = c.post(
        url, {"ids": [x.pk for x in customers[:2]], "next_query": "sort=name"}, headers=HX_TABLE
    )
    assert toast_of(response) == {"message": "You claimed 2 customers.", "level": "success"}
    assert [r["customer"] for r in response.context["rows"]] == [customers[2]]
    assert Customer.objects.filter(owner=org.rep).count() == 2


def test_bulk_claim_without_ticks_says_so(client, org, pools):
    east, _south = pools
    response = client_for(client, org.rep).post(reverse("pool:claim", args=[east.pk]), follow=True)
    assert messages_of(response) == ["Tick at least one customer."]


def test_a_manager_assigns_pooled_customers_to_a_rep(client, org, pools):
    east, _south = pools
    customers = [pooled_customer(east) for _ in range(2)]
    url = reverse("pool:assign", args=[east.pk])
    data = {"ids": [x.pk for x in customers], "owner": org.rep.pk, "reason": "重点跟进"}
    assert client_for(client, org.rep).post(url, data).status_code == 403  # a rep may not assign
    response = client_for(client, org.team_lead).post(url, data, follow=True)
    assert messages_of(response) == ["2 customers assigned to Rep1."]
    assert set(Customer.objects.filter(owner=org.rep)) == set(customers)


def test_a_pool_admin_moves_customers_to_another_pool(client, org, pools):
    east, south = pools
    customer = pooled_customer(east)
    url = reverse("pool:move", args=[east.pk])
    response = client_for(client, org.team_lead).post(
        url, {"ids": [customer.pk], "target": south.pk}, follow=True
    )
    # not an admin of South: it is not offered
    assert messages_of(response) == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    customer.refresh_from_db()
    assert customer.pool == east

    response = client_for(client, org.admin).post(
        url, {"ids": [customer.pk], "target": south.pk}, follow=True
    )
    assert messages_of(response) == ["1 customer moved to the pool 华南公海."]
    customer.refresh_from_db()
    assert customer.pool == south


def test_a_rep_cannot_open_the_settings_or_preview(client, org, pools):
    east, _south = pools
    c = client_for(client, org.rep)
    assert c.get(reverse("pool:settings", args=[east.pk])).status_code == 403
    assert c.post(reverse("pool:preview", args=[east.pk]), {"name": "x"}).status_code == 403
    assert c.get(reverse("pool:create")).status_code == 403
    assert client_for(client, org.team_lead).get(reverse("pool:settings", args=[east.pk])).status_code == 200


def settings_data(pool, **changes) -> dict:
    data = {
        "name": pool.name,
        "position": pool.position,
        "is_active": "on",
        "departments": [d.pk for d in pool.departments.all()],
        "admins": [u.pk for u in pool.admins.all()],
        "exempt_deal": "on",
        "exempt_locked": "on",
    }
    data.update(changes)
    return data


def test_the_preview_counts_the_unsaved_rules_per_owner_and_saves_nothing(client, org, pools):
    east, _south = pools
    old = NOW - timedelta(days=40)
    for _ in range(2):
        CustomerFactory(owner=org.rep, received_at=old, last_followup_at=old)
    CustomerFactory(owner=org.east_rep, received_at=old, level="A")
    CustomerFactory(owner=org.east_rep, received_at=NOW - timedelta(days=5), level="B")
    c = client_for(client, org.team_lead)
    response = c.post(
        reverse("pool:preview", args=[east.pk]),
        settings_data(east, no_followup_days="30", level_A="50"),
        headers={"HX-Request": "true", "HX-Target": "pool-preview"},
    )
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview["total"], preview["no_followup"], preview["not_closed"]) == (2, 2, 0)
    assert preview["owners"] == [(org.rep, 2)]
    assert "This change would move 2 customers to the pool." in response.content.decode()
    east.refresh_from_db()
    assert east.no_followup_days is None
    assert east.level_days == {}
    assert Customer.objects.filter(pool__isnull=False).count() == 0


def test_an_admin_saves_every_rule(client, org, pools):
    east, _south = pools
    PoolFactory(name="默认", is_default=True)
    data = settings_data(
        east,
        no_followup_days="30",
        level_A="60",
        level_C="20",
        not_closed_days="90",
        warn_days_before="3",
        claims_per_day="5",
        claims_per_batch="3",
        reclaim_cooldown_days="7",
        claim_wait_hours="12",
        max_private_customers="200",
        users=[org.peer_rep.pk],  # not the pool's admin's to change: ignored
    )
    response = client_for(client, org.team_lead).post(
        reverse("pool:settings", args=[east.pk]), data, follow=True
    )
    assert messages_of(response) == ["Pool “华东公海” saved."]
    assert response.context["form"].fields["users"].disabled
    east.refresh_from_db()
    assert east.level_days == {"A": 60, "C": 20}
    assert (east.no_followup_days, east.not_closed_days, east.warn_days_before) == (30, 90, 3)
    assert (east.claims_per_day, east.claims_per_batch, east.reclaim_cooldown_days) == (5, 3, 7)
    assert (east.claim_wait_hours, east.max_private_customers) == (12, 200)
    assert list(east.users.all()) == []


def test_a_bad_number_is_shown_next_to_its_field(client, org, pools):
    east, _south = pools
    response = client_for(client, org.team_lead).post(
        reverse("pool:settings", args=[east.pk]),
        settings_data(east, claims_per_day="0"),
        headers={"HX-Request": "true", "HX-Target": "form-card"},
    )
    assert response.status_code == 200
    assert "claims_per_day" in response.context["form"].errors
    east.refresh_from_db()
    assert east.claims_per_day is None


def test_a_superuser_creates_a_pool(client, org):
    data = {
        "name": "新公海",
        "position": "3",
        "is_active": "on",
        "exempt_deal": "on",
        "no_followup_days": "15",
    }
    response = client_for(client, org.admin).post(reverse("pool:create"), data)
    pool = Pool.objects.get()
    assert response["Location"] == reverse("pool:settings", args=[pool.pk])
    assert (pool.name, pool.no_followup_days, pool.is_default) == ("新公海", 15, True)


# --- the customer page --------------------------------------------------------------------------------------


def test_release_needs_a_reason(client, org, pools):
    customer = CustomerFactory(owner=org.rep)
    c = client_for(client, org.rep)
    page = c.get(reverse("customers:detail", args=[customer.pk]))
    assert 'data-testid="release-open"' in page.content.decode()

    url = reverse("pool:customer_release", args=[customer.pk])
    response = c.post(url, {"reason": "  "}, follow=True)
    assert messages_of(response) == ["Say why you release this customer."]
    customer.refresh_from_db()
    assert customer.owner == org.rep

    response = c.post(url, {"reason": "客户已倒闭"}, follow=True)
    assert messages_of(response) == [f"“{customer.name}” released to the pool."]
    customer.refresh_from_db()
    assert (customer.owner, customer.pool) == (None, pools[0])
    banner = response.content.decode()
    assert 'data-testid="pool-banner"' in banner
    assert "客户已倒闭" in banner


def test_release_to_a_named_pool_and_not_someone_elses_customer(client, org, pools):
    _east, south = pools
    mine = CustomerFactory(owner=org.dept_manager)
    other = CustomerFactory(owner=org.rep)
    c = client_for(client, org.other_dept_rep)
    assert c.post(reverse("pool:customer_release", args=[other.pk]), {"reason": "x"}).status_code == 404
    c = client_for(client, org.dept_manager)  # a manager of the subtree, member of no pool: names one
    url = reverse("pool:customer_release", args=[mine.pk])
    c.post(url, {"reason": "转交南区", "pool": south.pk})
    mine.refresh_from_db()
    assert mine.pool == south


def test_a_pooled_customer_page_shows_the_banner_with_claim_and_assign(client, org, pools):
    east, _south = pools
    customer = pooled_customer(east)
    page = client_for(client, org.rep).get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'data-testid="pool-banner"' in page
    assert "华东公海" in page
    assert 'data-testid="banner-claim"' in page
    assert 'data-testid="banner-assign"' not in page
    assert f"customers/{customer.pk}/edit/" not in page  # not in the rep's scope to edit
    page = (
        client_for(client, org.team_lead)
        .get(reverse("customers:detail", args=[customer.pk]))
        .content.decode()
    )
    assert 'data-testid="banner-assign"' in page


def test_claim_from_the_banner_then_the_timeline_says_so(client, org, pools):
    east, _south = pools
    customer = pooled_customer(east)
    c = client_for(client, org.rep)
    response = c.post(claim_url(customer), follow=True)
    assert response.redirect_chain[-1][0] == reverse("customers:detail", args=[customer.pk])
    assert messages_of(response) == [f"You claimed “{customer.name}”."]
    timeline = c.get(reverse("customers:detail", args=[customer.pk]) + "?tab=timeline").content.decode()
    assert "claimed the customer from the pool 华东公海" in timeline
    assert Activity.objects.filter(verb="pool.claimed").count() == 1


def test_assign_from_the_banner(client, org, pools):
    east, _south = pools
    customer = pooled_customer(east)
    url = reverse("pool:customer_assign", args=[customer.pk])
    response = client_for(client, org.team_lead).post(url, {"owner": org.east_rep.pk}, follow=True)
    assert messages_of(response) == [f"“{customer.name}” assigned to Rep4."]
    customer.refresh_from_db()
    assert customer.owner == org.east_rep


def test_a_pool_admin_runs_the_reclaim_now(client, org, pools):
    east, _south = pools
    east.no_followup_days = 10
    east.save()
    old = NOW - timedelta(days=30)
    due = CustomerFactory(owner=org.rep, received_at=old, last_followup_at=old)
    CustomerFactory(owner=org.rep, received_at=old, last_followup_at=NOW)
    url = reverse("pool:reclaim", args=[east.pk])
    assert client_for(client, org.rep).post(url).status_code == 403
    response = client_for(client, org.team_lead).post(url, follow=True)
    assert messages_of(response) == ["The reclaim brought 1 customer back to this pool."]
    due.refresh_from_db()
    assert (due.owner, due.pool) == (None, east)


def test_lock_and_unlock_from_the_customer_page(client, org, pools):
    east, _south = pools
    Pool.objects.filter(pk=east.pk).update(max_locked_customers=3)
    customer = CustomerFactory(owner=org.rep)
    c = client_for(client, org.rep)
    url = reverse("pool:customer_lock", args=[customer.pk])
    page = c.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'data-testid="lock-toggle"' in page
    assert 'data-testid="locked-badge"' not in page

    response = c.post(url, {"locked": "1"}, follow=True)

    assert messages_of(response) == ["Customer locked."]
    assert 'data-testid="locked-badge"' in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).is_locked
    c.post(url, {"locked": "0"})
    assert not Customer.objects.get(pk=customer.pk).is_locked
    theirs = CustomerFactory(owner=org.peer_rep)
    assert c.post(reverse("pool:customer_lock", args=[theirs.pk]), {"locked": "1"}).status_code == 404
    assert not Customer.objects.get(pk=theirs.pk).is_locked


def test_ids_beyond_what_a_database_holds_are_refused_on_the_pool_page(client, org, pools):
    east, _south = pools
    c = client_for(client, org.rep)

    response = c.post(reverse("pool:claim", args=[east.pk]), {"ids": ["99999999999999999999999"]})
    assign = client_for(client, org.team_lead).post(
        reverse("pool:assign", args=[east.pk]), {"ids": ["1"], "owner": "99999999999999999999999"}
    )

    assert response.status_code in (200, 302)
    assert assign.status_code in (200, 302)
