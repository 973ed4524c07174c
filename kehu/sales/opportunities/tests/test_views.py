"""The opportunity pages: scope (team members see, others get 404), rights, forms with errors, the board's
move endpoint (htmx and plain), the review, and constant queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.customers.tests.factories import ContactFactory, CustomerFactory
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import Opportunity, OpportunityMember, StageChange
from kehu.sales.opportunities.tests.factories import OpportunityFactory, default_stages
from kehu.sales.products.tests.factories import PriceListFactory, PriceListItemFactory, ProductFactory

pytestmark = pytest.mark.django_db

BOARD = {"HX-Request": "true", "HX-Target": "opportunity-board"}


@pytest.fixture
def stages():
    return default_stages()


def login(client, user):
    client.force_login(user)
    return client


def detail(o) -> str:
    return reverse("opportunities:detail", args=[o.pk])


# Scope ---------------------------------------------------------------------------------------------------


def test_list_shows_what_the_user_may_see_with_totals(client, org):
    OpportunityFactory(owner=org.rep, title="上海ERP", amount=Decimal("100000"))  # 10 % → 10,000
    OpportunityFactory(owner=org.peer_rep, title="别人的", amount=Decimal("50000"))
    response = login(client, org.rep).get(reverse("opportunities:list"))
    assert response.status_code == 200
    assert [o.title for o in response.context["page"].object_list] == ["上海ERP"]
    assert response.context["totals"] == {"amount": Decimal("100000.00"), "weighted": Decimal("10000.00")}
    assert "10,000.00" in response.content.decode()


def test_list_filters_by_stage_and_flags_idle_deals(client, org, stages):
    stage = stages["机会建立"]
    stage.usual_days = 7
    stage.save()
    old = OpportunityFactory(
        owner=org.rep,
        title="久未推进",
        stage=stage,
        stage_entered_at=timezone.now() - timedelta(days=10),
    )
    OpportunityFactory(owner=org.rep, title="线索阶段")
    response = login(client, org.rep).get(reverse("opportunities:list"), {"stage": stage.pk})
    assert list(response.context["page"].object_list) == [old]
    assert response.context["page"].object_list[0].is_idle
    assert 'data-testid="idle-badge"' in response.content.decode()


def test_list_htmx_returns_only_the_table(client, org):
    OpportunityFactory(owner=org.rep)
    response = login(client, org.rep).get(
        reverse("opportunities:list"),
        {"q": "ERP"},
        headers={"HX-Request": "true", "HX-Target": "opportunity-table"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="opportunity-table">')
    assert "<html" not in html


def test_list_ignores_filters_it_does_not_understand(client, org):
    OpportunityFactory(owner=org.rep)
    response = login(client, org.rep).get(reverse("opportunities:list"), {"close_from": "morgen"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1
    assert "Some filters were not understood" in response.content.decode()


def test_team_member_sees_the_detail_outsiders_get_404(client, org):
    o = OpportunityFactory(owner=org.rep)
    OpportunityMember.objects.create(opportunity=o, user=org.other_dept_rep)
    assert login(client, org.other_dept_rep).get(detail(o)).status_code == 200
    assert login(client, org.peer_rep).get(detail(o)).status_code == 404
    assert client.post(reverse("opportunities:move", args=[o.pk]), {"stage": o.stage_id}).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, org):
    response = client.get(reverse("opportunities:list"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_detail_tabs_render(client, org):
    o = OpportunityFactory(owner=org.rep)
    o.lines.create(product_name="服务器", quantity=2, unit_price=Decimal("5000"), amount=Decimal("10000"))
    StageChange.objects.create(opportunity=o, to_stage=o.stage, to_stage_name=o.stage.name)
    login(client, org.rep)
    for tab, text in (("details", "Team"), ("lines", "服务器"), ("history", o.stage.name), ("timeline", "")):
        response = client.get(
            detail(o), {"tab": tab}, headers={"HX-Request": "true", "HX-Target": "opportunity-tab"}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<div id="opportunity-tab"')
        assert text in html


def test_member_without_edit_right_sees_no_actions(client, org):
    o = OpportunityFactory(owner=org.rep)
    OpportunityMember.objects.create(opportunity=o, user=org.other_dept_rep, can_edit=False)
    response = login(client, org.other_dept_rep).get(detail(o))
    assert response.context["can_edit"] is False
    assert 'data-testid="actions"' not in response.content.decode()


# Queries -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 15])
def test_list_board_and_detail_take_constant_queries(client, org, rows, django_assert_max_num_queries):
    login(client, org.rep)
    for _ in range(rows):
        o = OpportunityFactory(owner=org.rep)
        OpportunityMember.objects.create(opportunity=o, user=org.peer_rep)
        o.lines.create(product_name="服务器")
    # The same bound for 1 and 15 rows; it includes the site's chrome (session, user, nav, notifications).
    with django_assert_max_num_queries(14):
        client.get(reverse("opportunities:list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("opportunities:board"))
    for tab, queries in (("details", 15), ("lines", 13), ("history", 14), ("timeline", 14)):
        with django_assert_max_num_queries(queries):
            assert client.get(detail(o), {"tab": tab}).status_code == 200


# Board and moves -----------------------------------------------------------------------------------------


def test_board_shows_the_columns_with_totals(client, org, stages):
    OpportunityFactory(owner=org.rep, amount=Decimal("100000"))
    OpportunityFactory(owner=org.rep, amount=Decimal("20000"), stage=stages["机会建立"], probability=20)
    response = login(client, org.rep).get(reverse("opportunities:board"))
    columns = {c.stage.name: c for c in response.context["board"].columns}
    assert (columns["销售线索"].count, columns["销售线索"].weighted_amount) == (1, Decimal("10000.00"))
    html = response.content.decode()
    assert "kehu/board.js" in html
    assert f'data-testid="weighted-{stages["销售线索"].pk}">10,000.00<' in html


def test_move_over_htmx_rerenders_the_board(client, org, stages):
    o = OpportunityFactory(owner=org.rep, amount=Decimal("100000"))
    target = stages["机会建立"]
    response = login(client, org.rep).post(
        reverse("opportunities:move", args=[o.pk]), {"stage": target.pk, "view": "all"}, headers=BOARD
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="opportunity-board"')
    assert f'data-testid="weighted-{target.pk}">20,000.00<' in html
    assert "moved to" in response["HX-Trigger"]
    o.refresh_from_db()
    assert (o.stage, o.weighted_amount) == (target, Decimal("20000.00"))


def test_a_refused_move_answers_with_a_toast_and_changes_nothing(client, org, stages):
    o = OpportunityFactory(owner=org.rep)
    OpportunityMember.objects.create(opportunity=o, user=org.other_dept_rep, can_edit=False)
    response = login(client, org.other_dept_rep).post(
        reverse("opportunities:move", args=[o.pk]), {"stage": stages["机会建立"].pk}, headers=BOARD
    )
    assert response.status_code == 403
    assert "toast" in response["HX-Trigger"]
    o.refresh_from_db()
    assert o.stage == stages["销售线索"]


def test_moving_into_a_won_stage_needs_the_review(client, org, stages):
    o = OpportunityFactory(owner=org.rep)
    response = login(client, org.rep).post(
        reverse("opportunities:move", args=[o.pk]), {"stage": stages["合同签定"].pk}, headers=BOARD
    )
    assert response.status_code == 400
    assert "review" in response["HX-Trigger"]


def test_plain_move_redirects_to_the_detail_with_a_message(client, org, stages):
    o = OpportunityFactory(owner=org.rep)
    response = login(client, org.rep).post(
        reverse("opportunities:move", args=[o.pk]), {"stage": "x"}, follow=True
    )
    assert response.redirect_chain[-1][0] == detail(o)
    assert "Choose a stage of this pipeline." in response.content.decode()
    client.post(reverse("opportunities:move", args=[o.pk]), {"stage": stages["方案提供"].pk})
    o.refresh_from_db()
    assert o.stage == stages["方案提供"]


def test_win_takes_a_review_and_blank_fields_are_errors(client, org, stages):
    o = OpportunityFactory(owner=org.rep)
    url = reverse("opportunities:win", args=[o.pk])
    response = login(client, org.rep).post(url, {"reason": "  ", "summary": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"reason", "summary"}
    response = client.post(url, {"reason": "价格优势", "summary": "客户认可方案", "next": detail(o)})
    assert response.status_code == 302
    o.refresh_from_db()
    assert (o.status, o.stage, o.close_reason) == (OpportunityStatus.WON, stages["合同签定"], "价格优势")


def test_win_into_a_chosen_won_stage_from_the_progress_bar(client, org, stages):
    o = OpportunityFactory(owner=org.rep)
    url = reverse("opportunities:win", args=[o.pk])
    later = stages["项目实施"]
    response = login(client, org.rep).get(url, {"stage": later.pk})
    assert response.context["form"].initial["stage"] == later.pk
    client.post(url, {"reason": "r", "summary": "s", "stage": later.pk})
    o.refresh_from_db()
    assert (o.status, o.stage) == (OpportunityStatus.WON, later)


def test_win_into_a_lost_stage_is_refused_with_a_form_error(client, org, stages):
    o = OpportunityFactory(owner=org.rep)
    response = login(client, org.rep).post(
        reverse("opportunities:win", args=[o.pk]), {"reason": "r", "summary": "s", "stage": stages["输单"].pk}
    )
    assert response.context["form"].non_field_errors() == ["Choose a won stage."]
    assert Opportunity.objects.get(pk=o.pk).status == OpportunityStatus.OPEN


def test_board_mine_view_narrows_the_cards(client, org):
    mine = OpportunityFactory(owner=org.team_lead)
    OpportunityFactory(owner=org.east_rep)
    response = login(client, org.team_lead).get(reverse("opportunities:board"), {"view": "mine"})
    cards = [card for column in response.context["board"].columns for card in column.cards]
    assert cards == [mine]


def test_lose_needs_the_competitor(client, org):
    o = OpportunityFactory(owner=org.rep)
    url = reverse("opportunities:lose", args=[o.pk])
    response = login(client, org.rep).post(url, {"reason": "价格", "summary": "输在价格"})
    assert list(response.context["form"].errors) == ["competitor"]
    client.post(url, {"reason": "价格", "summary": "输在价格", "competitor": "金蝶"})
    o.refresh_from_db()
    assert (o.status, o.winning_competitor) == (OpportunityStatus.LOST, "金蝶")


def test_review_next_must_stay_on_the_site(client, org):
    o = OpportunityFactory(owner=org.rep)
    response = login(client, org.rep).post(
        reverse("opportunities:win", args=[o.pk]),
        {"reason": "r", "summary": "s", "next": "https://evil.example/"},
    )
    assert response["Location"] == detail(o)


def test_suspend_reactivate_terminate(client, org):
    o = OpportunityFactory(owner=org.rep)
    login(client, org.rep)
    client.post(reverse("opportunities:suspend", args=[o.pk]))
    assert Opportunity.objects.get(pk=o.pk).status == OpportunityStatus.SUSPENDED
    client.post(reverse("opportunities:reactivate", args=[o.pk]))
    assert Opportunity.objects.get(pk=o.pk).status == OpportunityStatus.OPEN
    response = client.post(reverse("opportunities:terminate", args=[o.pk]), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == detail(o)
    assert Opportunity.objects.get(pk=o.pk).status == OpportunityStatus.TERMINATED
    response = client.post(reverse("opportunities:reactivate", args=[o.pk]), follow=True)
    assert "Only a suspended opportunity can be reactivated." in response.content.decode()


def test_transfer_only_to_assignable_owners(client, org):
    o = OpportunityFactory(owner=org.rep)
    login(client, org.dept_manager)
    response = client.post(
        reverse("opportunities:transfer", args=[o.pk]), {"owner": org.outsider.pk}, follow=True
    )
    assert "Select a valid choice" in response.content.decode()
    assert Opportunity.objects.get(pk=o.pk).owner == org.rep  # outside the manager's departments
    client.post(reverse("opportunities:transfer", args=[o.pk]), {"owner": org.east_rep.pk})
    assert Opportunity.objects.get(pk=o.pk).owner == org.east_rep


def test_rep_cannot_transfer_without_the_permission(client, org):
    o = OpportunityFactory(owner=org.rep)
    response = login(client, org.rep).get(detail(o))
    assert response.context["can_transfer"] is org.rep.has_perm("opportunities.transfer_opportunity")


def test_team_members_are_added_and_removed(client, org):
    o = OpportunityFactory(owner=org.rep)
    login(client, org.rep)
    client.post(
        reverse("opportunities:member_add", args=[o.pk]),
        {"user": org.peer_rep.pk, "role": "presales", "can_edit": "on"},
    )
    member = OpportunityMember.objects.get(opportunity=o)
    assert (member.user, member.role, member.can_edit) == (org.peer_rep, "presales", True)
    client.post(reverse("opportunities:member_remove", args=[o.pk, org.peer_rep.pk]))
    assert not OpportunityMember.objects.filter(opportunity=o).exists()


# Forms ---------------------------------------------------------------------------------------------------


def test_create_from_a_customer_with_contacts(client, org, stages):
    customer = CustomerFactory(owner=org.rep, name="苏州科技")
    contact = ContactFactory(customer=customer)
    login(client, org.rep)
    url = reverse("opportunities:create") + f"?customer={customer.pk}"
    response = client.get(url)
    assert response.context["form"].initial["customer"] == customer.pk
    assert list(response.context["form"].fields["contacts"].queryset) == [contact]
    response = client.post(
        url,
        {
            "title": "苏州ERP",
            "customer": customer.pk,
            "contacts": [contact.pk],
            "pipeline": stages["销售线索"].pipeline_id,
            "stage": stages["机会建立"].pk,
            "amount": "300000",
            "probability": "",
        },
    )
    o = Opportunity.objects.get(title="苏州ERP")
    assert response["Location"] == detail(o)
    assert (o.stage, o.probability, o.weighted_amount) == (
        stages["机会建立"],
        Decimal("20.00"),
        Decimal("60000.00"),
    )
    assert list(o.contacts.all()) == [contact]


def test_create_rejects_bad_input_with_field_errors(client, org, stages):
    mine = CustomerFactory(owner=org.rep)
    hidden = CustomerFactory(owner=org.peer_rep)
    login(client, org.rep)
    response = client.post(
        reverse("opportunities:create"),
        {
            "title": "",
            "customer": hidden.pk,
            "pipeline": stages["销售线索"].pipeline_id,
            "probability": "140",
        },
    )
    errors = response.context["form"].errors
    assert set(errors) == {"title", "customer", "probability"}
    response = client.post(
        reverse("opportunities:create"),
        {
            "title": "赢单阶段开始",
            "customer": mine.pk,
            "pipeline": stages["销售线索"].pipeline_id,
            "stage": stages["合同签定"].pk,
        },
    )
    assert "stage" in response.context["form"].errors
    assert not Opportunity.objects.exists()


def test_edit_keeps_the_probability_following_the_stage(client, org):
    o = OpportunityFactory(owner=org.rep, title="旧标题")
    login(client, org.rep)
    url = reverse("opportunities:edit", args=[o.pk])
    assert client.get(url).context["form"].initial["probability"] is None
    response = client.post(url, {"title": "新标题", "amount": "200000", "probability": ""})
    assert response.status_code == 302
    o.refresh_from_db()
    assert (o.title, o.probability, o.weighted_amount) == ("新标题", Decimal("10.00"), Decimal("20000.00"))


# Product lines --------------------------------------------------------------------------------------------


def line_data(rows: list[dict], initial: int = 0) -> dict:
    """The line editor's fields as the page posts them."""
    data = {"lines-TOTAL_FORMS": len(rows), "lines-INITIAL_FORMS": initial}
    for i, row in enumerate(rows):
        data |= {f"lines-{i}-{k}": v for k, v in {"quantity": "1", **row}.items()}
    return data


def stored_lines(o) -> list[tuple]:
    return list(o.lines.values_list("product_id", "product_name", "quantity", "unit_price", "amount"))


def test_create_with_a_product_line_and_a_free_text_line(client, org, stages):
    customer = CustomerFactory(owner=org.rep)
    product = ProductFactory(code="CRM-STD", name="CRM 标准版", list_price=Decimal("1000.00"))
    login(client, org.rep)
    html = client.get(reverse("opportunities:create")).content.decode()
    assert 'data-name="CRM 标准版"' in html
    assert 'data-price="1000.00"' in html
    assert "With product lines, the amount is their sum." in html
    response = client.post(
        reverse("opportunities:create"),
        {
            "title": "CRM 项目",
            "customer": customer.pk,
            "pipeline": stages["销售线索"].pipeline_id,
            "amount": "1",  # ignored: the lines' sum
            **line_data(
                [
                    {"product": product.pk, "name": "", "quantity": "2", "unit_price": ""},
                    {"product": "", "name": "实施服务", "quantity": "3", "unit_price": "500"},
                    {"product": "", "name": "", "unit_price": ""},  # the blank row: skipped
                ]
            ),
        },
    )
    o = Opportunity.objects.get(title="CRM 项目")
    assert response["Location"] == detail(o)
    assert stored_lines(o) == [
        (product.pk, "CRM 标准版", Decimal("2.00"), Decimal("1000.00"), Decimal("2000.00")),
        (None, "实施服务", Decimal("3.00"), Decimal("500.00"), Decimal("1500.00")),
    ]
    assert (o.amount, o.weighted_amount) == (Decimal("3500.00"), Decimal("350.00"))


def test_edit_starts_from_the_lines_and_replaces_them(client, org):
    old = ProductFactory(name="旧版软件", list_price=Decimal("300.00"), active=False)  # still on the deal
    new = ProductFactory(name="新版软件", list_price=Decimal("800.00"))
    o = OpportunityFactory(owner=org.rep, amount=Decimal("700.00"))
    o.lines.create(product_id=old.pk, product_name="旧版软件", unit_price=300, amount=300, position=1)
    o.lines.create(product_name="培训", quantity=2, unit_price=200, amount=400, position=2)
    url = reverse("opportunities:edit", args=[o.pk])
    response = login(client, org.rep).get(url)
    lines = response.context["lines"]
    assert [f.initial.get("name") for f in lines] == ["旧版软件", "培训", None]  # and a blank row
    assert f'<option value="{old.pk}" data-name="旧版软件"' in response.content.decode()

    response = client.post(
        url,
        {
            "title": o.title,
            "amount": "700",
            **line_data(
                [
                    {"product": old.pk, "name": "旧版软件", "quantity": "2", "unit_price": "300"},
                    {"product": "", "name": "培训", "quantity": "2", "unit_price": "200", "DELETE": "on"},
                    {"product": new.pk, "name": "", "unit_price": ""},
                ],
                initial=2,
            ),
        },
    )
    assert response.status_code == 302
    o.refresh_from_db()
    assert stored_lines(o) == [
        (old.pk, "旧版软件", Decimal("2.00"), Decimal("300.00"), Decimal("600.00")),
        (new.pk, "新版软件", Decimal("1.00"), Decimal("800.00"), Decimal("800.00")),
    ]
    assert o.amount == Decimal("1400.00")


def test_a_bad_line_shows_an_error_and_saves_nothing(client, org, stages):
    customer = CustomerFactory(owner=org.rep)
    login(client, org.rep)
    data = {"title": "坏行", "customer": customer.pk, "pipeline": stages["销售线索"].pipeline_id}
    response = client.post(
        reverse("opportunities:create"),
        data | line_data([{"product": "", "name": "", "unit_price": "100"}]),  # a price, but what?
    )
    assert response.status_code == 200
    assert response.context["line_errors"] == ["Line 1: choose a product or describe the item."]
    assert 'data-testid="line-errors"' in response.content.decode()
    response = client.post(
        reverse("opportunities:create"),
        data | line_data([{"product": "", "name": "服务", "quantity": "-1"}]),
    )
    assert response.context["lines"].forms[0].errors["quantity"]
    assert not Opportunity.objects.exists()

    o = OpportunityFactory(owner=org.rep, title="旧标题", amount=Decimal("100.00"))
    o.lines.create(product_name="服务器", unit_price=100, amount=100)
    response = client.post(
        reverse("opportunities:edit", args=[o.pk]),
        {"title": "新标题", "amount": "100", **line_data([{"product": "999999", "name": "x"}])},
    )
    assert response.context["lines"].forms[0].errors["product"]
    o.refresh_from_db()
    assert (o.title, stored_lines(o)) == (
        "旧标题",
        [(None, "服务器", Decimal("1.00"), Decimal("100.00"), Decimal("100.00"))],
    )


def test_a_post_without_the_line_editor_keeps_the_lines(client, org):
    o = OpportunityFactory(owner=org.rep, title="旧标题", amount=Decimal("100.00"))
    o.lines.create(product_name="服务器", unit_price=100, amount=100)
    response = login(client, org.rep).post(
        reverse("opportunities:edit", args=[o.pk]), {"title": "新标题", "amount": "100"}
    )
    assert response.status_code == 302
    o.refresh_from_db()
    assert (o.title, o.lines.count(), o.amount) == ("新标题", 1, Decimal("100.00"))


@pytest.mark.parametrize("rows", [1, 30])
def test_the_form_takes_constant_queries_whatever_the_lines(client, org, rows, django_assert_max_num_queries):
    o = OpportunityFactory(owner=org.rep)
    price_list = PriceListFactory(is_default=True, valid_from=timezone.localdate(), valid_to=None)
    for i in range(rows):
        product = ProductFactory(active=i % 2 == 0)  # some no longer sold, still on the deal
        PriceListItemFactory(price_list=price_list, product=product)
        o.lines.create(product_id=product.pk, product_name=product.name, position=i)
    login(client, org.rep)
    # The same bound for 1 and 30 lines; it includes the site's chrome (session, user, nav, notifications)
    # and the product drop-down: active products, those on the deal, price lists, their prices, the default.
    with django_assert_max_num_queries(17):
        response = client.get(reverse("opportunities:edit", args=[o.pk]))
    assert len(response.context["lines"].forms) == rows + 1


def test_outsider_without_permission_cannot_create(client, org):
    assert login(client, org.outsider).get(reverse("opportunities:create")).status_code == 403


def test_customer_link_include(client, org, rf):
    from django.template.loader import render_to_string

    customer = CustomerFactory(owner=org.rep)
    request = rf.get("/")
    request.user = org.rep
    html = render_to_string(
        "opportunities/customer_link.html", {"customer": customer, "perms": _perms(org.rep)}, request=request
    )
    assert f"/opportunities/new/?customer={customer.pk}" in html


def _perms(user):
    from django.contrib.auth.context_processors import PermWrapper

    return PermWrapper(user)
