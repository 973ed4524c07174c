"""The quote pages: scope (team members see, others get 404, approvers read), the form and its line editor,
each action through the detail page with its refusals, the print view in both languages, and constant
queries on the list and the detail page."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from kehu.approvals.models import ApprovalRequest
from kehu.customers.tests.factories import ContactFactory
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import OpportunityMember
from kehu.sales.opportunities.tests.factories import OpportunityFactory
from kehu.sales.products.tests.factories import ProductFactory
from kehu.sales.quotes import services
from kehu.sales.quotes.choices import QuoteStatus
from kehu.sales.quotes.models import Quote
from kehu.sales.quotes.tests.factories import make_discount_flow, make_quote

pytestmark = pytest.mark.django_db

TAB = {"HX-Request": "true", "HX-Target": "quote-tab"}


def login(client, user):
    client.force_login(user)
    return client


def detail(quote) -> str:
    return reverse("quotes:detail", args=[quote.pk])


def action(quote, name: str) -> str:
    return reverse("quotes:action", args=[quote.pk, name])


def form_data(lines: list[dict], initial: int = 0, **fields) -> dict:
    """What the form posts: the quote's fields and the line formset (prefix "lines")."""
    data = {
        "title": "门店收银系统报价",
        "contact": "",
        "price_list": "",
        "valid_until": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "discount_percent": "",
        "terms": "",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(initial),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
        **fields,
    }
    for i, line in enumerate(lines):
        row = {"product": "", "name": "", "unit": "", "quantity": "1", "unit_price": "", **line}
        row |= {"discount_percent": line.get("discount_percent", ""), "tax_rate": line.get("tax_rate", "")}
        data |= {f"lines-{i}-{key}": value for key, value in row.items()}
    return data


@pytest.fixture
def opportunity(org):
    return OpportunityFactory(owner=org.rep, title="门店系统")


@pytest.fixture
def product():
    return ProductFactory(code="POS", name="收银系统", unit="套", list_price=D("1000.00"), tax_rate=D("13"))


# List and scope --------------------------------------------------------------------------------------------


def test_list_shows_the_quotes_of_opportunities_the_user_sees(client, org, opportunity):
    mine = make_quote(opportunity, title="我的报价")
    make_quote(OpportunityFactory(owner=org.peer_rep), title="别人的报价")
    response = login(client, org.rep).get(reverse("quotes:list"))
    assert response.status_code == 200
    assert [q.title for q in response.context["page"].object_list] == ["我的报价"]
    html = response.content.decode()
    assert mine.number in html
    assert "1,130.00" in html  # 1,000 + 13 % tax
    assert "别人的报价" not in html


def test_a_team_member_of_the_opportunity_sees_its_quotes(client, org, opportunity):
    quote = make_quote(opportunity)
    OpportunityMember.objects.create(opportunity=opportunity, user=org.other_dept_rep)
    response = login(client, org.other_dept_rep).get(reverse("quotes:list"))
    assert list(response.context["page"].object_list) == [quote]
    assert client.get(detail(quote)).status_code == 200


def test_a_rep_gets_404_on_another_reps_quote(client, org, opportunity):
    quote = make_quote(opportunity)
    login(client, org.peer_rep)
    assert client.get(detail(quote)).status_code == 404
    assert client.get(reverse("quotes:print", args=[quote.pk])).status_code == 404
    assert client.get(reverse("quotes:edit", args=[quote.pk])).status_code == 404
    assert client.post(action(quote, "copy")).status_code == 404
    assert Quote.objects.count() == 1


def test_list_filters_by_status_and_expiry_and_htmx_gets_the_table_only(client, org, opportunity):
    draft = make_quote(opportunity, title="草稿")
    old = make_quote(opportunity, title="过期")
    Quote.objects.filter(pk=old.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    approved = services.quote_submit(actor=org.rep, quote=make_quote(opportunity, title="已批"))
    login(client, org.rep)
    by_status = client.get(reverse("quotes:list"), {"status": "approved"})
    assert list(by_status.context["page"].object_list) == [approved]
    expired = client.get(reverse("quotes:list"), {"expired": "true"})
    assert list(expired.context["page"].object_list) == [old]
    assert 'data-testid="expired-badge"' in expired.content.decode()
    partial = client.get(
        reverse("quotes:list"),
        {"q": "草稿", "sort": "number"},
        headers={"HX-Request": "true", "HX-Target": "quote-table"},
    )
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="quote-table">')
    assert "<html" not in html
    assert list(partial.context["page"].object_list) == [draft]


def test_list_empty_state_and_filters_it_does_not_understand(client, org):
    login(client, org.rep)
    assert 'data-testid="quote-empty"' in client.get(reverse("quotes:list")).content.decode()
    response = client.get(reverse("quotes:list"), {"status": "nonsense"})
    assert response.status_code == 200
    assert "Some filters were not understood" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 12])
def test_list_and_detail_take_constant_queries(
    client, org, opportunity, product, rows, django_assert_max_num_queries
):
    make_discount_flow(org.admin, org.team_lead, above="-1")  # the last one waits: the history has a step
    for _ in range(rows):
        quote = make_quote(
            OpportunityFactory(owner=org.rep),
            lines=[{"product_id": product.pk, "quantity": "2"}, {"name": "实施", "unit_price": "300"}],
        )
    services.quote_submit(actor=org.rep, quote=quote)
    login(client, org.rep)
    # The same bound for 1 and 12 rows; it includes the site's chrome (session, user, nav, notifications).
    with django_assert_max_num_queries(10):
        assert client.get(reverse("quotes:list")).status_code == 200
    for tab, queries in (("lines", 18), ("approvals", 18), ("timeline", 19)):
        with django_assert_max_num_queries(queries):
            assert client.get(detail(quote), {"tab": tab}).status_code == 200


def test_nav_has_the_quotes_entry_for_users_with_the_permission(client, org):
    assert 'data-testid="nav-quotes"' in login(client, org.rep).get(reverse("quotes:list")).content.decode()
    assert 'data-testid="nav-quotes"' not in login(client, org.outsider).get("/").content.decode()


# Form ------------------------------------------------------------------------------------------------------


def test_create_with_a_product_line_and_a_free_text_line(client, org, opportunity, product):
    contact = ContactFactory(customer=opportunity.customer, name="周经理")
    url = reverse("quotes:create") + f"?opportunity={opportunity.pk}"
    page = login(client, org.rep).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-price="1000.00"' in html  # the product option carries the hint for the script
    assert "<template data-line-template>" in html
    assert page.context["form"].initial["title"] == "门店系统"

    lines = [
        {"product": str(product.pk), "quantity": "2", "discount_percent": "10"},
        {"name": "实施服务", "unit": "人天", "quantity": "3", "unit_price": "500"},
        {},  # the blank row the page offers stays out
    ]
    response = client.post(url, form_data(lines, contact=str(contact.pk), terms="款到发货"))

    quote = Quote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(quote)
    assert (quote.opportunity, quote.contact, quote.created_by) == (opportunity, contact, org.rep)
    assert [(line.name, line.unit, line.amount) for line in quote.lines.all()] == [
        ("收银系统", "套", D("1800.00")),  # 2 × 1,000 − 10 %
        ("实施服务", "人天", D("1500.00")),
    ]
    assert (quote.subtotal, quote.tax_amount, quote.total) == (D("3300.00"), D("429.00"), D("3729.00"))
    assert (quote.list_amount, quote.effective_discount) == (D("3500.00"), D("5.71"))
    assert quote.terms == "款到发货"
    followed = client.get(response["Location"])
    assert f"Quote {quote.number} saved." in followed.content.decode()


def test_create_shows_form_and_service_errors_in_place(client, org, opportunity):
    url = reverse("quotes:create") + f"?opportunity={opportunity.pk}"
    login(client, org.rep)
    no_title = client.post(
        url,
        form_data([{"name": "服务"}], title=""),
        headers={"HX-Request": "true", "HX-Target": "form-card"},
    )
    html = no_title.content.decode()
    assert html.lstrip().startswith('<div id="form-card"')
    assert no_title.context["form"].errors["title"] == ["This field is required."]
    nothing = client.post(url, form_data([{"quantity": "2", "discount_percent": "5"}]))
    assert nothing.status_code == 200
    assert nothing.context["line_errors"] == ["Line 1: choose a product or describe the item."]
    too_much = client.post(url, form_data([{"name": "服务", "discount_percent": "120"}]))
    assert too_much.context["lines"].forms[0].errors["discount_percent"]
    assert Quote.objects.count() == 0


def test_create_needs_an_opportunity_the_user_may_edit(client, org, opportunity):
    login(client, org.rep)
    response = client.get(reverse("quotes:create"))
    assert response.status_code == 302
    assert response["Location"] == reverse("opportunities:list")
    other = OpportunityFactory(owner=org.peer_rep)
    assert client.get(reverse("quotes:create"), {"opportunity": other.pk}).status_code == 404
    OpportunityMember.objects.create(opportunity=other, user=org.rep, can_edit=False)
    assert client.get(reverse("quotes:create"), {"opportunity": other.pk}).status_code == 403


def test_create_on_a_closed_opportunity_is_refused_on_the_form(client, org, opportunity):
    opportunity.status = OpportunityStatus.LOST
    opportunity.save()
    url = reverse("quotes:create") + f"?opportunity={opportunity.pk}"
    response = login(client, org.rep).post(url, form_data([{"name": "服务"}]))
    assert response.status_code == 200
    assert "The opportunity is closed" in response.content.decode()


def test_edit_replaces_the_lines_and_keeps_the_rows_not_removed(client, org, opportunity, product):
    quote = make_quote(opportunity, lines=[{"product_id": product.pk}, {"name": "培训", "unit_price": "200"}])
    url = reverse("quotes:edit", args=[quote.pk])
    page = login(client, org.rep).get(url)
    assert page.context["lines"].initial[0]["product"] == product.pk
    lines = [
        {"product": str(product.pk), "name": "收银系统", "unit": "套", "quantity": "5", "unit_price": "900"},
        {"name": "培训", "quantity": "1", "unit_price": "200", "DELETE": "on"},
    ]
    response = client.post(
        url,
        form_data(lines, initial=2, title="改过的", discount_percent="5"),
        headers={"HX-Request": "true", "HX-Target": "form-card"},
    )
    assert response["HX-Redirect"] == detail(quote)
    quote.refresh_from_db()
    assert quote.title == "改过的"
    assert [(line.name, line.quantity, line.amount) for line in quote.lines.all()] == [
        ("收银系统", D("5.00"), D("4500.00"))
    ]
    assert (quote.discount_amount, quote.net_amount) == (D("225.00"), D("4275.00"))


def test_edit_is_refused_while_the_quote_waits_for_approval(client, org, opportunity):
    make_discount_flow(org.admin, org.team_lead, above="-1")  # every quote needs approval
    quote = services.quote_submit(actor=org.rep, quote=make_quote(opportunity))
    assert quote.status == QuoteStatus.PENDING
    login(client, org.rep)
    response = client.get(reverse("quotes:edit", args=[quote.pk]))
    assert response.status_code == 302
    assert response["Location"] == detail(quote)
    followed = client.post(reverse("quotes:edit", args=[quote.pk]), form_data([{"name": "x"}]), follow=True)
    assert "A quote that is waiting for approval cannot be changed" in followed.content.decode()
    assert Quote.objects.get().title == "门店系统"


# Detail and actions ----------------------------------------------------------------------------------------


def test_detail_shows_lines_totals_and_the_actions_of_a_draft(client, org, opportunity, product):
    quote = make_quote(opportunity, lines=[{"product_id": product.pk, "quantity": "2"}], terms="三十天内有效")
    response = login(client, org.rep).get(detail(quote))
    html = response.content.decode()
    assert response.context["actions"] == {
        "edit": True,
        "submit": True,
        "withdraw": False,
        "send": False,
        "accept": False,
        "decline": False,
        "copy": True,
        "delete": False,  # a rep has no delete_quote
    }
    for testid in ("quote-edit", "quote-submit", "quote-copy", "quote-print"):
        assert f'data-testid="{testid}"' in html
    assert 'data-testid="quote-delete"' not in html
    assert "收银系统" in html
    assert "三十天内有效" in html
    assert "2,260.00 CNY" in html  # 2 × 1,000 + 13 %


def test_detail_tabs_render_over_htmx(client, org, opportunity):
    quote = services.quote_submit(actor=org.rep, quote=make_quote(opportunity))
    login(client, org.rep)
    for tab, text in (
        ("lines", "实施服务"),
        ("approvals", "not been submitted"),
        ("timeline", "created the quote"),
    ):
        response = client.get(detail(quote), {"tab": tab}, headers=TAB)
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="quote-tab"')
        assert text in html


def test_submit_without_a_flow_is_approved_at_once(client, org, opportunity):
    quote = make_quote(opportunity)
    response = login(client, org.rep).post(action(quote, "submit"), follow=True)
    assert f"Quote {quote.number} approved at once" in response.content.decode()
    assert Quote.objects.get().status == QuoteStatus.APPROVED


def test_submit_with_a_flow_waits_and_only_the_submitter_withdraws(client, org, opportunity, product):
    make_discount_flow(org.admin, org.team_lead, above="10")
    quote = make_quote(opportunity, lines=[{"product_id": product.pk, "discount_percent": "20"}])
    response = login(client, org.rep).post(action(quote, "submit"), follow=True)
    html = response.content.decode()
    assert f"Quote {quote.number} submitted: waiting for approval." in html
    assert response.context["actions"]["withdraw"] is True
    assert response.context["actions"]["edit"] is False
    assert Quote.objects.get().status == QuoteStatus.PENDING

    manager = login(client, org.dept_manager).get(detail(quote))
    assert manager.context["actions"]["withdraw"] is False
    assert client.post(action(quote, "withdraw")).status_code == 403  # only the submitter
    assert Quote.objects.get().status == QuoteStatus.PENDING

    login(client, org.rep).post(action(quote, "withdraw"))
    assert Quote.objects.get().status == QuoteStatus.DRAFT


def test_the_approver_reads_the_quote_and_its_history_but_changes_nothing(client, org, opportunity, product):
    make_discount_flow(org.admin, org.other_dept_rep, above="10")  # outside the opportunity's scope
    quote = make_quote(opportunity, lines=[{"product_id": product.pk, "discount_percent": "20"}])
    services.quote_submit(actor=org.rep, quote=quote)
    login(client, org.other_dept_rep)
    response = client.get(detail(quote))
    assert response.status_code == 200
    assert not any(response.context["actions"].values())
    assert 'data-testid="quote-actions"' not in response.content.decode()
    history = client.get(detail(quote), {"tab": "approvals"}).content.decode()
    request = ApprovalRequest.objects.get()
    assert "报价折扣审批" in history
    assert reverse("approvals:detail", args=[request.pk]) in history
    assert "Rep2" in history or str(org.other_dept_rep) in history
    assert client.post(action(quote, "copy")).status_code == 403


def test_send_accept_and_the_refusal_of_a_second_answer(client, org, opportunity):
    quote = services.quote_submit(actor=org.rep, quote=make_quote(opportunity))
    login(client, org.rep)
    assert client.get(detail(quote)).context["actions"]["send"] is True
    client.post(action(quote, "send"))
    assert Quote.objects.get().status == QuoteStatus.SENT
    followed = client.post(action(quote, "accept"), follow=True)
    assert f"Quote {quote.number} marked as accepted by the customer." in followed.content.decode()
    assert Quote.objects.get().status == QuoteStatus.ACCEPTED
    again = client.post(action(quote, "decline"), follow=True)
    assert "A quote that is accepted cannot be marked so." in again.content.decode()
    assert Quote.objects.get().status == QuoteStatus.ACCEPTED


def test_decline_keeps_the_reason(client, org, opportunity):
    quote = services.quote_submit(actor=org.rep, quote=make_quote(opportunity))
    login(client, org.rep).post(action(quote, "decline"), {"reason": "价格偏高"})
    quote.refresh_from_db()
    assert (quote.status, quote.decline_reason) == (QuoteStatus.DECLINED, "价格偏高")
    assert "价格偏高" in client.get(detail(quote)).content.decode()


def test_an_expired_quote_offers_no_accept_and_the_service_refuses_it(client, org, opportunity):
    quote = services.quote_submit(actor=org.rep, quote=make_quote(opportunity))
    Quote.objects.filter(pk=quote.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    login(client, org.rep)
    response = client.get(detail(quote))
    assert response.context["actions"]["accept"] is False
    assert 'data-testid="expired-badge"' in response.content.decode()
    refused = client.post(action(quote, "accept"), follow=True)
    assert "expired on" in refused.content.decode()
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.APPROVED


def test_copy_goes_to_the_new_draft(client, org, opportunity):
    quote = services.quote_submit(actor=org.rep, quote=make_quote(opportunity))
    response = login(client, org.rep).post(action(quote, "copy"))
    copy = Quote.objects.exclude(pk=quote.pk).get()
    assert response["Location"] == detail(copy)
    assert (copy.status, copy.revision_of, copy.total) == (QuoteStatus.DRAFT, quote, quote.total)


def test_delete_needs_the_permission_and_a_never_submitted_draft(client, org, opportunity):
    draft = make_quote(opportunity)
    assert login(client, org.rep).post(action(draft, "delete")).status_code == 403
    login(client, org.dept_manager)  # head of Sales: sees the Shanghai team's opportunities; may delete
    assert client.get(detail(draft)).context["actions"]["delete"] is True
    response = client.post(action(draft, "delete"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("opportunities:detail", args=[opportunity.pk]) + "?tab=quotes"
    assert not Quote.objects.filter(pk=draft.pk).exists()
    submitted = services.quote_submit(actor=org.rep, quote=make_quote(opportunity))
    refused = client.post(action(submitted, "delete"), follow=True)
    assert "Only a draft that was never submitted can be deleted." in refused.content.decode()
    assert Quote.objects.filter(pk=submitted.pk).exists()


def test_unknown_actions_and_get_requests_are_refused(client, org, opportunity):
    quote = make_quote(opportunity)
    login(client, org.rep)
    assert client.post(action(quote, "approve")).status_code == 404
    assert client.get(action(quote, "submit")).status_code == 405
    assert Quote.objects.get().status == QuoteStatus.DRAFT


def test_submit_refused_without_lines_shows_the_reason(client, org, opportunity):
    quote = make_quote(opportunity, lines=[])
    response = login(client, org.rep).post(action(quote, "submit"), follow=True)
    assert "Add at least one line before submitting the quote." in response.content.decode()
    assert Quote.objects.get().status == QuoteStatus.DRAFT


# Print -----------------------------------------------------------------------------------------------------


def test_print_in_english_and_chinese(client, org, opportunity, product, settings):
    settings.KEHU_COMPANY_NAME = "苏州科户软件有限公司"
    settings.KEHU_COMPANY_PHONE = ""
    quote = make_quote(
        opportunity,
        lines=[{"product_id": product.pk, "quantity": "12", "discount_percent": "10"}],
        terms="款到发货",
    )  # 12 × 1,000 − 10 % = 10,800; tax 1,404; total 12,204
    url = reverse("quotes:print", args=[quote.pk])
    login(client, org.rep)
    english = client.get(url, {"lang": "en"})
    html = english.content.decode()
    assert english["Content-Language"] == "en"
    assert '<html lang="en">' in html
    for text in (
        "Quotation",
        quote.number,
        "苏州科户软件有限公司",
        "收银系统",
        "10,800.00",
        "1,404.00",
        "CNY 12,204.00",
        "款到发货",
        "Valid until",
    ):
        assert text in html, text
    assert "Phone:" not in html  # no company phone configured
    assert "base.html" not in html
    assert "@page { size: A4" in html

    chinese = client.get(url, {"lang": "zh-hans"}).content.decode()
    with translation.override("zh-hans"):
        words = [gettext("Quotation"), gettext("Valid until"), gettext("Customer")]
    assert "客户" in words  # the catalogue has the older words; the new ones come with the merged .po
    for text in (*words, '<html lang="zh-hans">', "12,204.00", "壹万贰仟贰佰零肆元整"):
        assert text in chinese, text
    assert "壹万" not in html  # the capitals are for the Chinese print only


def test_only_an_approved_quote_prints_as_an_offer(client, org, opportunity):
    quote = make_quote(opportunity)
    url = reverse("quotes:print", args=[quote.pk])
    login(client, org.rep)

    draft = client.get(url, {"lang": "en"}).content.decode()
    assert "Not valid as an offer: this quote is “Draft”, not approved." in draft
    assert "signature and seal" not in draft

    services.quote_submit(actor=org.rep, quote=quote)  # no flow: approved at once
    approved = client.get(url, {"lang": "en"}).content.decode()
    assert "Not valid as an offer" not in approved
    assert "Seller (signature and seal)" in approved


def test_print_defaults_to_the_current_language(client, org, opportunity):
    quote = make_quote(opportunity)
    response = login(client, org.rep).get(reverse("quotes:print", args=[quote.pk]), {"lang": "xx"})
    assert response["Content-Language"] == "en"


# Opportunity page ------------------------------------------------------------------------------------------


def test_the_opportunity_page_lists_its_quotes_and_offers_a_new_one(client, org, opportunity):
    quote = make_quote(opportunity)
    make_quote(OpportunityFactory(owner=org.rep), title="别的商机")
    url = reverse("opportunities:detail", args=[opportunity.pk])
    response = login(client, org.rep).get(url, {"tab": "quotes"})
    html = response.content.decode()
    assert list(response.context["quotes"]) == [quote]
    assert quote.number in html
    assert f"{reverse('quotes:create')}?opportunity={opportunity.pk}" in html
    OpportunityMember.objects.create(opportunity=opportunity, user=org.other_dept_rep, can_edit=False)
    member = login(client, org.other_dept_rep).get(url, {"tab": "quotes"}).content.decode()
    assert quote.number in member
    assert 'data-testid="new-quote"' not in member
