"""Opportunity services: stage moves and their history, suspend/reactivate/terminate, reviews, transfer,
team rights, pipelines, the Decimal arithmetic and the handover."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehu.core.activity import Activity, activity_for, activity_timeline
from kehu.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from kehu.core.verbs import activity_sentence
from kehu.customers.tests.factories import ContactFactory, CustomerFactory
from kehu.sales.opportunities import services
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import (
    Opportunity,
    OpportunityLine,
    Pipeline,
    StageChange,
    weighted_amount,
)
from kehu.sales.opportunities.tests.factories import OpportunityFactory, default_stages
from kehu.sales.products.tests.factories import PriceListFactory, PriceListItemFactory, ProductFactory

pytestmark = pytest.mark.django_db


def review(**overrides):
    return {"reason": "价格优势", "competitor": "用友", "summary": "客户认可方案", **overrides}


# The default pipeline ------------------------------------------------------------------------------------


def test_the_default_pipeline_has_the_standard_stages():
    pipeline = Pipeline.objects.get(is_default=True)
    rows = [(s.name, s.probability, s.is_won, s.is_lost) for s in pipeline.stages.order_by("position")]
    assert rows == [
        ("销售线索", Decimal("10.00"), False, False),
        ("机会建立", Decimal("20.00"), False, False),
        ("方案提供", Decimal("40.00"), False, False),
        ("方案评估", Decimal("60.00"), False, False),
        ("商务谈判", Decimal("80.00"), False, False),
        ("合同签定", Decimal("100.00"), True, False),
        ("项目实施", Decimal("100.00"), True, False),
        ("输单", Decimal("0.00"), False, True),
    ]


# Weighted amount -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "probability", "expected"),
    [
        ("100000.00", "40", "40000.00"),
        ("333.33", "33.33", "111.10"),  # 111.098889 → 111.10
        ("0.05", "10", "0.01"),  # 0.005 rounds half up, not to even
        ("0.15", "10", "0.02"),  # 0.015: a float would give 0.01
        ("99999999999.99", "100", "99999999999.99"),
        ("1234.56", "0", "0.00"),
    ],
)
def test_weighted_amount_is_decimal_rounded_half_up_to_the_cent(amount, probability, expected):
    result = weighted_amount(Decimal(amount), Decimal(probability))
    assert (type(result), result, str(result)) == (Decimal, Decimal(expected), expected)


# Create ----------------------------------------------------------------------------------------------------


def test_create_defaults_to_the_default_pipeline_first_stage_and_the_actor(org):
    customer = CustomerFactory(owner=org.rep)
    contact = ContactFactory(customer=customer)

    opportunity = services.opportunity_create(
        actor=org.rep,
        customer=customer,
        data={"title": " ERP 升级 ", "amount": Decimal("250000")},
        contact_ids=[contact.pk],
    )

    opportunity.refresh_from_db()
    stages = default_stages()
    assert (opportunity.title, opportunity.stage, opportunity.owner, opportunity.department) == (
        "ERP 升级",
        stages["销售线索"],
        org.rep,
        org.shanghai,
    )
    assert (opportunity.probability, opportunity.probability_overridden, opportunity.weighted_amount) == (
        Decimal("10.00"),
        False,
        Decimal("25000.00"),
    )
    assert list(opportunity.contacts.all()) == [contact]
    first = StageChange.objects.get(opportunity=opportunity)
    assert (first.from_stage, first.to_stage_name, first.days_in_from_stage, first.actor) == (
        None,
        "销售线索",
        None,
        org.rep,
    )
    entry = activity_timeline(customer.pk).get()
    assert (entry.verb, activity_sentence(entry)) == (
        "opportunity.created",
        "created the opportunity ERP 升级 in 销售线索",
    )


def test_create_with_lines_takes_their_sum_as_amount(org):
    customer = CustomerFactory(owner=org.rep)
    opportunity = services.opportunity_create(
        actor=org.rep,
        customer=customer,
        data={"title": "设备", "amount": Decimal("1"), "probability": Decimal("55")},
        lines=[
            {"product_name": "服务器", "quantity": Decimal("3"), "unit_price": Decimal("19999.99")},
            {"product_name": "实施服务", "quantity": Decimal("1.5"), "unit_price": Decimal("800.01")},
        ],
    )
    assert list(OpportunityLine.objects.values_list("product_name", "amount")) == [
        ("服务器", Decimal("59999.97")),
        ("实施服务", Decimal("1200.02")),  # 1200.015 half up
    ]
    opportunity.refresh_from_db()
    assert (opportunity.amount, opportunity.probability, opportunity.probability_overridden) == (
        Decimal("61199.99"),
        Decimal("55.00"),
        True,
    )
    assert opportunity.weighted_amount == Decimal("33659.99")  # 33659.9945


# Product lines --------------------------------------------------------------------------------------------


def _lines(opportunity):
    return list(
        opportunity.lines.values_list("product_id", "product_name", "quantity", "unit_price", "amount")
    )


def test_a_product_line_takes_the_products_name_and_todays_price(org):
    product = ProductFactory(name="CRM 标准版", list_price=Decimal("1000.00"))
    other = ProductFactory(name="实施服务", list_price=Decimal("2500.00"))
    price_list = PriceListFactory(
        is_default=True, valid_from=timezone.localdate() - timedelta(days=1), valid_to=None
    )
    PriceListItemFactory(price_list=price_list, product=product, price=Decimal("900.00"))
    opportunity = services.opportunity_create(
        actor=org.rep,
        customer=CustomerFactory(owner=org.rep),
        data={"title": "CRM"},
        lines=[
            {"product_id": product.pk, "quantity": "2"},  # the default price list's price
            {"product_id": str(other.pk), "product_name": "", "unit_price": None},  # the list price
            {"product_id": product.pk, "product_name": "CRM 标准版（赠送）", "unit_price": "0"},
            {"product_name": "数据迁移", "quantity": "1", "unit_price": "18000"},
        ],
    )
    assert _lines(opportunity) == [
        (product.pk, "CRM 标准版", Decimal("2.00"), Decimal("900.00"), Decimal("1800.00")),
        (other.pk, "实施服务", Decimal("1.00"), Decimal("2500.00"), Decimal("2500.00")),
        (product.pk, "CRM 标准版（赠送）", Decimal("1.00"), Decimal("0.00"), Decimal("0.00")),
        (None, "数据迁移", Decimal("1.00"), Decimal("18000.00"), Decimal("18000.00")),
    ]
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal("22300.00")


@pytest.mark.parametrize("count", [1, 10])
def test_product_lines_read_all_products_at_once(org, count, django_assert_num_queries):
    products = [ProductFactory(list_price=Decimal(100 + i)) for i in range(count)]
    opportunity = OpportunityFactory(owner=org.rep)
    rows = [{"product_id": p.pk, "unit_price": "5"} for p in products]
    # The same for 1 and 10 lines: savepoint, edit rights, the products, delete and insert the lines, save.
    with django_assert_num_queries(10):
        services.opportunity_update(actor=org.rep, opportunity=opportunity, data={}, lines=rows)
    assert opportunity.lines.count() == count


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"product_id": 999999}, "Line 2: there is no product with id 999999."),
        ({"product_id": "abc"}, "Line 2: there is no product with id abc."),
        ({"product_name": "", "unit_price": "10"}, "Line 2: choose a product or describe the item."),
        ({"product_name": "服务", "quantity": "-1"}, "Line 2: quantity and price must be positive"),
        ({"product_name": "服务", "unit_price": "-0.01"}, "Line 2: quantity and price must be positive"),
        ({"product_name": "服务", "unit_price": "1e20"}, "Line 2: quantity and price must be positive"),
        ({"product_name": "服务", "quantity": "zwei"}, "Line 2: enter a number."),
        ({"product_name": "服务", "unit_price": "NaN"}, "Line 2: enter a number."),
        ({"product_name": "服务", "unit_price": [1]}, "Line 2: enter a number."),
    ],
)
def test_a_bad_line_is_refused_and_nothing_is_created(org, row, message):
    customer = CustomerFactory(owner=org.rep)
    with pytest.raises(ValidationError) as exc:
        services.opportunity_create(
            actor=org.rep,
            customer=customer,
            data={"title": "设备"},
            lines=[{"product_name": "服务器", "unit_price": "10"}, row],
        )
    assert exc.value.message_dict["lines"][0].startswith(message)
    assert (Opportunity.objects.count(), OpportunityLine.objects.count()) == (0, 0)


def test_lines_adding_up_beyond_the_largest_amount_are_refused(org):
    row = {"product_name": "服务", "quantity": "9999999999", "unit_price": "999999999999"}
    with pytest.raises(ValidationError) as exc:
        services.opportunity_create(
            actor=org.rep, customer=CustomerFactory(owner=org.rep), data={"title": "x"}, lines=[row]
        )
    assert exc.value.message_dict == {"lines": ["The lines add up to more than the largest amount allowed."]}
    assert Opportunity.objects.count() == 0


def test_a_product_no_longer_sold_stays_on_its_opportunity_but_is_not_added_anew(org):
    product = ProductFactory(name="旧版软件", list_price=Decimal("500.00"))
    opportunity = services.opportunity_create(
        actor=org.rep,
        customer=CustomerFactory(owner=org.rep),
        data={"title": "旧版升级"},
        lines=[{"product_id": product.pk}],
    )
    product.active = False
    product.save()

    services.opportunity_update(
        actor=org.rep, opportunity=opportunity, data={}, lines=[{"product_id": product.pk, "quantity": "3"}]
    )
    assert _lines(opportunity) == [
        (product.pk, "旧版软件", Decimal("3.00"), Decimal("500.00"), Decimal("1500.00"))
    ]
    other = OpportunityFactory(owner=org.rep, amount=Decimal("100"))
    with pytest.raises(ValidationError) as exc:
        services.opportunity_update(
            actor=org.rep,
            opportunity=other,
            data={},
            lines=[{"product_name": "服务", "unit_price": "1"}, {"product_id": product.pk}],
        )
    assert exc.value.message_dict == {"lines": [f"Line 2: {product.code} 旧版软件 is no longer sold."]}
    other.refresh_from_db()
    assert (other.amount, other.lines.count()) == (Decimal("100.00"), 0)


def test_update_replaces_the_lines_and_records_the_amount_change(org):
    opportunity = OpportunityFactory(owner=org.rep, amount=Decimal("100.00"))
    opportunity.lines.create(product_name="旧行", amount=Decimal("100.00"))
    services.opportunity_update(
        actor=org.rep,
        opportunity=opportunity,
        data={"amount": Decimal("1")},  # ignored: with lines the amount is their sum
        lines=[{"product_name": "新行", "quantity": "2", "unit_price": "250"}],
    )
    assert _lines(opportunity) == [(None, "新行", Decimal("2.00"), Decimal("250.00"), Decimal("500.00"))]
    opportunity.refresh_from_db()
    assert opportunity.amount == Decimal("500.00")
    entry = Activity.objects.get(verb="opportunity.updated")
    assert entry.data["changes"]["amount"] == ["100.00", "500.00"]


def test_create_refuses_a_customer_outside_the_scope_and_creates_nothing(org):
    customer = CustomerFactory(owner=org.other_dept_rep)
    with pytest.raises(PermissionDeniedError):
        services.opportunity_create(actor=org.rep, customer=customer, data={"title": "x"})
    assert Opportunity.objects.count() == 0


def test_create_refuses_a_contact_of_another_customer(org):
    customer = CustomerFactory(owner=org.rep)
    stranger = ContactFactory(customer=CustomerFactory(owner=org.rep))
    with pytest.raises(DomainError) as exc:
        services.opportunity_create(
            actor=org.rep, customer=customer, data={"title": "x"}, contact_ids=[stranger.pk]
        )
    assert exc.value.field == "contacts"
    assert Opportunity.objects.count() == 0


def test_create_needs_the_permission(org):
    customer = CustomerFactory(owner=org.outsider)
    with pytest.raises(PermissionDeniedError):
        services.opportunity_create(actor=org.outsider, customer=customer, data={"title": "x"})


# Moves and history ---------------------------------------------------------------------------------------


def test_moves_are_recorded_with_the_days_spent_in_each_stage(org):
    stages = default_stages()
    opportunity = OpportunityFactory(owner=org.rep, amount=Decimal("200000"))
    opportunity.stage_entered_at = timezone.now() - timedelta(days=3, hours=12)
    opportunity.save()

    services.opportunity_move(actor=org.rep, opportunity=opportunity, stage=stages["方案提供"])
    opportunity.refresh_from_db()
    entered = opportunity.stage_entered_at
    Opportunity.objects.filter(pk=opportunity.pk).update(stage_entered_at=entered - timedelta(days=2))
    opportunity.refresh_from_db()
    services.opportunity_move(actor=org.rep, opportunity=opportunity, stage=stages["机会建立"])

    history = list(
        StageChange.objects.filter(opportunity=opportunity).values_list(
            "from_stage_name", "to_stage_name", "days_in_from_stage", "actor"
        )
    )
    assert history == [
        ("销售线索", "方案提供", Decimal("3.50"), org.rep.pk),
        ("方案提供", "机会建立", Decimal("2.00"), org.rep.pk),
    ]
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.probability, opportunity.weighted_amount) == (
        stages["机会建立"],
        Decimal("20.00"),
        Decimal("40000.00"),
    )
    sentences = [activity_sentence(a) for a in activity_for(opportunity).order_by("id")]
    assert sentences == [
        f"moved the opportunity {opportunity.title} from 销售线索 to 方案提供 after 3.50 days",
        f"moved the opportunity {opportunity.title} from 方案提供 to 机会建立 after 2.00 days",
    ]
    assert set(Activity.objects.values_list("customer_id", flat=True)) == {opportunity.customer_id}


def test_a_move_keeps_a_probability_set_by_hand(org):
    opportunity = OpportunityFactory(owner=org.rep, amount=Decimal("1000"))
    services.opportunity_update(actor=org.rep, opportunity=opportunity, data={"probability": Decimal("35")})
    services.opportunity_move(actor=org.rep, opportunity=opportunity, stage=default_stages()["商务谈判"])
    opportunity.refresh_from_db()
    assert (opportunity.probability, opportunity.weighted_amount) == (Decimal("35.00"), Decimal("350.00"))

    services.opportunity_update(actor=org.rep, opportunity=opportunity, data={"probability": None})
    opportunity.refresh_from_db()
    assert (opportunity.probability, opportunity.probability_overridden, opportunity.weighted_amount) == (
        Decimal("80.00"),
        False,
        Decimal("800.00"),
    )


def test_history_keeps_the_stage_name_at_the_time_after_a_rename(org):
    stages = default_stages()
    opportunity = OpportunityFactory(owner=org.rep)
    services.opportunity_move(actor=org.rep, opportunity=opportunity, stage=stages["机会建立"])
    stages["机会建立"].name = "需求确认"
    stages["机会建立"].save()
    change = StageChange.objects.get(opportunity=opportunity)
    assert (change.to_stage, change.to_stage_name) == (stages["机会建立"], "机会建立")


def test_moving_into_a_won_or_lost_stage_needs_a_review(org):
    stages = default_stages()
    opportunity = OpportunityFactory(owner=org.rep)
    for name in ("合同签定", "输单"):
        with pytest.raises(DomainError) as exc:
            services.opportunity_move(actor=org.rep, opportunity=opportunity, stage=stages[name])
        assert exc.value.message == (
            "Winning or losing needs a review: give the reason, the competitor and a summary."
        )
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.status) == (stages["销售线索"], OpportunityStatus.OPEN)
    assert StageChange.objects.count() == 0


def test_a_stage_of_another_pipeline_is_refused(org):
    other = services.pipeline_create(actor=org.admin, name="渠道销售", stages=[{"name": "初步接触"}])
    opportunity = OpportunityFactory(owner=org.rep)
    with pytest.raises(DomainError) as exc:
        services.opportunity_move(actor=org.rep, opportunity=opportunity, stage=other.stages.get())
    assert exc.value.field == "stage"


# Suspend, reactivate, terminate ----------------------------------------------------------------------------


def test_a_suspended_opportunity_leaves_the_pipeline_and_comes_back_to_its_stage(org):
    stages = default_stages()
    opportunity = OpportunityFactory(owner=org.rep, stage=stages["方案评估"])

    services.opportunity_suspend(actor=org.rep, opportunity=opportunity, reason="预算冻结")
    assert Opportunity.objects.open().filter(pk=opportunity.pk).exists() is False
    with pytest.raises(ConflictError, match="suspended: reactivate it first"):
        services.opportunity_move(actor=org.rep, opportunity=opportunity, stage=stages["商务谈判"])

    services.opportunity_reactivate(actor=org.rep, opportunity=opportunity)

    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.stage) == (OpportunityStatus.OPEN, stages["方案评估"])
    services.opportunity_move(actor=org.rep, opportunity=opportunity, stage=stages["商务谈判"])
    assert [a.verb for a in activity_for(opportunity).order_by("id")] == [
        "opportunity.suspended",
        "opportunity.reactivated",
        "opportunity.stage_changed",
    ]


def test_only_a_suspended_opportunity_can_be_reactivated(org):
    opportunity = OpportunityFactory(owner=org.rep)
    with pytest.raises(ConflictError):
        services.opportunity_reactivate(actor=org.rep, opportunity=opportunity)


def test_a_terminated_opportunity_cannot_move_reactivate_win_or_change(org):
    stages = default_stages()
    opportunity = OpportunityFactory(owner=org.rep)
    services.opportunity_terminate(actor=org.rep, opportunity=opportunity, reason="项目取消")

    with pytest.raises(ConflictError, match="terminated: it is closed for good"):
        services.opportunity_move(actor=org.rep, opportunity=opportunity, stage=stages["机会建立"])
    with pytest.raises(ConflictError):
        services.opportunity_reactivate(actor=org.rep, opportunity=opportunity)
    with pytest.raises(ConflictError):
        services.opportunity_win(actor=org.rep, opportunity=opportunity, **review())
    with pytest.raises(ConflictError):
        services.opportunity_update(actor=org.rep, opportunity=opportunity, data={"title": "新"})
    with pytest.raises(ConflictError):
        services.opportunity_terminate(actor=org.rep, opportunity=opportunity)

    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.stage, opportunity.close_reason) == (
        OpportunityStatus.TERMINATED,
        stages["销售线索"],
        "项目取消",
    )
    assert opportunity.closed_at is not None
    assert StageChange.objects.count() == 0


def test_a_suspended_opportunity_can_be_terminated(org):
    opportunity = OpportunityFactory(owner=org.rep)
    services.opportunity_suspend(actor=org.rep, opportunity=opportunity)
    services.opportunity_terminate(actor=org.rep, opportunity=opportunity)
    assert Opportunity.objects.get().status == OpportunityStatus.TERMINATED


# Win and lose ----------------------------------------------------------------------------------------------


def test_win_records_the_review_and_moves_to_the_won_stage(org):
    stages = default_stages()
    opportunity = OpportunityFactory(owner=org.rep, stage=stages["商务谈判"], amount=Decimal("500000"))

    services.opportunity_win(actor=org.rep, opportunity=opportunity, reason="方案最优", summary="三轮谈判")

    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.stage, opportunity.probability, opportunity.weighted_amount) == (
        OpportunityStatus.WON,
        stages["合同签定"],
        Decimal("100.00"),
        Decimal("500000.00"),
    )
    assert (opportunity.close_reason, opportunity.review_summary, opportunity.winning_competitor) == (
        "方案最优",
        "三轮谈判",
        "",
    )
    assert StageChange.objects.get().to_stage_name == "合同签定"
    entry = activity_for(opportunity).get()
    assert activity_sentence(entry) == (
        f"won the opportunity {opportunity.title} (500000.00) (reason: 方案最优)"
    )


def test_a_won_opportunity_moves_on_into_implementation_but_nowhere_else(org):
    stages = default_stages()
    opportunity = OpportunityFactory(owner=org.rep)
    services.opportunity_win(actor=org.rep, opportunity=opportunity, **review())

    services.opportunity_move(actor=org.rep, opportunity=opportunity, stage=stages["项目实施"])
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.stage) == (OpportunityStatus.WON, stages["项目实施"])

    with pytest.raises(ConflictError, match="already won"):
        services.opportunity_move(actor=org.rep, opportunity=opportunity, stage=stages["商务谈判"])


@pytest.mark.parametrize(
    ("missing", "field"),
    [({"reason": " "}, "reason"), ({"summary": ""}, "summary"), ({"competitor": ""}, "competitor")],
)
def test_losing_requires_a_full_review(org, missing, field):
    opportunity = OpportunityFactory(owner=org.rep)
    with pytest.raises(ValidationError) as exc:
        services.opportunity_lose(actor=org.rep, opportunity=opportunity, **review(**missing))
    assert list(exc.value.message_dict) == [field]
    opportunity.refresh_from_db()
    assert (opportunity.status, StageChange.objects.count(), Activity.objects.count()) == (
        OpportunityStatus.OPEN,
        0,
        0,
    )


@pytest.mark.parametrize(("missing", "field"), [({"reason": ""}, "reason"), ({"summary": " "}, "summary")])
def test_winning_requires_a_reason_and_a_summary(org, missing, field):
    opportunity = OpportunityFactory(owner=org.rep)
    with pytest.raises(ValidationError) as exc:
        services.opportunity_win(actor=org.rep, opportunity=opportunity, **review(**missing))
    assert list(exc.value.message_dict) == [field]
    assert Opportunity.objects.get().status == OpportunityStatus.OPEN


def test_lose_records_the_competitor_and_closes(org):
    stages = default_stages()
    opportunity = OpportunityFactory(owner=org.rep, stage=stages["方案评估"])
    services.opportunity_lose(actor=org.rep, opportunity=opportunity, **review(reason="价格高"))
    opportunity.refresh_from_db()
    assert (
        opportunity.status,
        opportunity.stage,
        opportunity.winning_competitor,
        opportunity.weighted_amount,
    ) == (
        OpportunityStatus.LOST,
        stages["输单"],
        "用友",
        Decimal("0.00"),
    )
    with pytest.raises(ConflictError, match="already lost"):
        services.opportunity_win(actor=org.rep, opportunity=opportunity, **review())


# Rights: team members, scope -------------------------------------------------------------------------------


def test_a_team_member_with_edit_rights_may_move_one_without_may_not(org):
    stages = default_stages()
    opportunity = OpportunityFactory(owner=org.rep)
    services.opportunity_member_add(
        actor=org.rep, opportunity=opportunity, user=org.other_dept_rep, can_edit=True
    )
    services.opportunity_member_add(
        actor=org.rep, opportunity=opportunity, user=org.peer_rep, role="presales"
    )

    services.opportunity_move(actor=org.other_dept_rep, opportunity=opportunity, stage=stages["机会建立"])
    with pytest.raises(PermissionDeniedError, match="may see this opportunity but not edit it"):
        services.opportunity_move(actor=org.peer_rep, opportunity=opportunity, stage=stages["方案提供"])
    with pytest.raises(PermissionDeniedError):
        services.opportunity_member_add(
            actor=org.other_dept_rep, opportunity=opportunity, user=org.east_rep, can_edit=True
        )
    assert Opportunity.objects.get().stage == stages["机会建立"]


def test_someone_outside_the_scope_cannot_edit(org):
    opportunity = OpportunityFactory(owner=org.other_dept_rep)
    with pytest.raises(PermissionDeniedError):
        services.opportunity_update(actor=org.rep, opportunity=opportunity, data={"title": "x"})
    services.opportunity_update(actor=org.dept_manager, opportunity=opportunity, data={"title": "管理者改"})
    assert Opportunity.objects.get().title == "管理者改"


def test_removing_a_member_takes_their_access(org):
    opportunity = OpportunityFactory(owner=org.rep)
    services.opportunity_member_add(actor=org.rep, opportunity=opportunity, user=org.peer_rep)
    assert Opportunity.objects.visible_to(org.peer_rep).count() == 1
    services.opportunity_member_remove(actor=org.rep, opportunity=opportunity, user=org.peer_rep)
    assert Opportunity.objects.visible_to(org.peer_rep).count() == 0
    with pytest.raises(DomainError):
        services.opportunity_member_remove(actor=org.rep, opportunity=opportunity, user=org.peer_rep)


# Transfer --------------------------------------------------------------------------------------------------


def test_transfer_is_recorded_with_the_reason(org):
    opportunity = OpportunityFactory(owner=org.rep)

    services.opportunity_transfer(
        actor=org.dept_manager, opportunity=opportunity, new_owner=org.east_rep, reason="调岗"
    )

    opportunity.refresh_from_db()
    assert (opportunity.owner, opportunity.department) == (org.east_rep, org.east)
    entry = activity_timeline(opportunity.customer_id).get()
    assert (entry.actor, entry.verb, entry.data) == (
        org.dept_manager,
        "opportunity.transferred",
        {"title": opportunity.title, "from": str(org.rep), "to": str(org.east_rep), "reason": "调岗"},
    )
    assert (
        activity_sentence(entry)
        == f"transferred the opportunity {opportunity.title} from Rep1 to Rep4 (reason: 调岗)"
    )


def test_a_rep_cannot_transfer(org):
    opportunity = OpportunityFactory(owner=org.rep)
    with pytest.raises(PermissionDeniedError):
        services.opportunity_transfer(actor=org.rep, opportunity=opportunity, new_owner=org.peer_rep)
    assert Opportunity.objects.get().owner == org.rep


def test_transfer_to_someone_outside_the_team_is_refused(org):
    opportunity = OpportunityFactory(owner=org.east_rep)
    with pytest.raises(DomainError) as exc:
        services.opportunity_transfer(
            actor=org.team_lead, opportunity=opportunity, new_owner=org.other_dept_rep
        )
    assert exc.value.field == "owner"


def test_handover_passes_open_and_suspended_opportunities_only(org):
    customer = CustomerFactory(owner=org.rep)
    open_one = OpportunityFactory(owner=org.rep, customer=customer)
    suspended = OpportunityFactory(owner=org.rep, customer=customer, status=OpportunityStatus.SUSPENDED)
    won = OpportunityFactory(owner=org.rep, customer=customer, status=OpportunityStatus.WON)
    someone_elses = OpportunityFactory(owner=org.peer_rep, customer=customer)

    moved = services.opportunities_pass_to_owner(
        customer_ids=[customer.pk], from_user=org.rep, to_user=org.peer_rep, actor=org.dept_manager
    )

    owners = dict(Opportunity.objects.values_list("pk", "owner"))
    assert moved == 2
    assert owners == {
        open_one.pk: org.peer_rep.pk,
        suspended.pk: org.peer_rep.pk,
        won.pk: org.rep.pk,
        someone_elses.pk: org.peer_rep.pk,
    }
    assert Activity.objects.filter(verb="opportunity.transferred", customer_id=customer.pk).count() == 2


# Pipelines -------------------------------------------------------------------------------------------------


def test_stages_are_renamed_reordered_and_added_without_touching_history(org):
    stages = default_stages()
    opportunity = OpportunityFactory(owner=org.rep)
    services.opportunity_move(actor=org.rep, opportunity=opportunity, stage=stages["机会建立"])
    pipeline = Pipeline.objects.get(is_default=True)
    ordered = list(pipeline.stages.order_by("position"))
    rows = [
        {"id": s.pk, "name": s.name, "probability": s.probability, "is_won": s.is_won, "is_lost": s.is_lost}
        for s in ordered
    ]
    rows[0], rows[1] = rows[1], rows[0]
    rows[0]["name"] = "需求确认"
    rows.insert(2, {"name": "样品测试", "probability": Decimal("30")})

    services.pipeline_update(actor=org.admin, pipeline=pipeline, data={}, stages=rows)

    names = list(pipeline.stages.order_by("position").values_list("name", flat=True))
    assert names == [
        "需求确认",
        "销售线索",
        "样品测试",
        "方案提供",
        "方案评估",
        "商务谈判",
        "合同签定",
        "项目实施",
        "输单",
    ]
    change = StageChange.objects.get()
    assert (change.to_stage_id, change.to_stage_name) == (stages["机会建立"].pk, "机会建立")


def test_stages_cannot_be_dropped(org):
    pipeline = Pipeline.objects.get(is_default=True)
    first = pipeline.stages.order_by("position").first()
    with pytest.raises(ValidationError):
        services.pipeline_update(
            actor=org.admin, pipeline=pipeline, data={}, stages=[{"id": first.pk, "name": "x"}]
        )
    assert pipeline.stages.count() == 8


def test_a_rep_cannot_change_pipelines(org):
    pipeline = Pipeline.objects.get(is_default=True)
    with pytest.raises(PermissionDeniedError):
        services.pipeline_update(actor=org.rep, pipeline=pipeline, data={"name": "x"})


def test_a_new_default_pipeline_replaces_the_old_one(org):
    new = services.pipeline_create(
        actor=org.director, name="大客户", stages=[{"name": "立项", "probability": 15}], is_default=True
    )
    assert list(Pipeline.objects.filter(is_default=True)) == [new]
    opportunity = services.opportunity_create(
        actor=org.rep, customer=CustomerFactory(owner=org.rep), data={"title": "x"}
    )
    assert (opportunity.pipeline, opportunity.stage.name, opportunity.probability) == (
        new,
        "立项",
        Decimal("15.00"),
    )
