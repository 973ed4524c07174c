"""The contract pages: scope (others get 404, approvers read), the list's filters, the form from a customer
and from a won opportunity, edits refused once approved, each action with its refusals, the amendment page,
attachments up and down, the links from the opportunity and customer pages, and constant queries."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kehu.approvals.choices import StepKind
from kehu.approvals.flows import approval_flow_create
from kehu.customers.tests.factories import ContactFactory, CustomerFactory
from kehu.sales.contracts import services
from kehu.sales.contracts.choices import ContractStatus
from kehu.sales.contracts.models import Contract, ContractAmendment, ContractAttachment
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.tests.factories import OpportunityFactory
from kehu.sales.products.tests.factories import ProductFactory
from kehu.sales.quotes import services as quotes

pytestmark = pytest.mark.django_db

TAB = {"HX-Request": "true", "HX-Target": "contract-tab"}
LINES = [{"name": "实施服务", "unit": "人天", "quantity": "10", "unit_price": "2500"}]


def login(client, user):
    client.force_login(user)
    return client


def detail(contract, tab: str = "") -> str:
    return reverse("contracts:detail", args=[contract.pk]) + (f"?tab={tab}" if tab else "")


def action(contract, name: str) -> str:
    return reverse("contracts:action", args=[contract.pk, name])


def make(org, customer, lines=LINES, actor=None, **data) -> Contract:
    data.setdefault("title", "年度服务合同")
    return services.contract_create(actor=actor or org.rep, customer=customer, data=data, lines=lines)


def approved(org, customer, **data) -> Contract:
    return services.contract_submit(actor=org.rep, contract=make(org, customer, **data))


def amount_flow(admin, approver, above="100000"):
    return approval_flow_create(
        actor=admin,
        data={
            "document_type": "contract",
            "name": "合同审批",
            "conditions": [{"field": "amount", "operator": ">", "value": above}],
            "steps": [{"kind": StepKind.USER, "users": [approver.pk]}],
        },
    )


def form_data(lines: list[dict], initial: int = 0, **fields) -> dict:
    """What the form posts: the contract's fields and the line formset (prefix "lines")."""
    data = {
        "title": "门店系统合同",
        "amount": "",
        "currency": "CNY",
        "signed_on": "",
        "starts_on": "",
        "ends_on": "",
        "signing_contact": "",
        "signatory": "",
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
        data |= {f"lines-{i}-{key}": value for key, value in row.items()}
    return data


@pytest.fixture
def customer(org):
    return CustomerFactory(owner=org.rep, name="宁波海天塑机有限公司", status="intent")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.KEHU_ATTACHMENT_MAX_MB = 1
    return tmp_path


# List and scope --------------------------------------------------------------------------------------------


def test_list_shows_the_contracts_the_user_sees(client, org, customer):
    mine = make(org, customer, title="我的合同")
    make(org, CustomerFactory(owner=org.peer_rep), actor=org.peer_rep, title="别人的合同")
    response = login(client, org.rep).get(reverse("contracts:list"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [mine]
    html = response.content.decode()
    assert mine.number in html
    assert "25,000.00" in html
    assert "别人的合同" not in html
    manager = login(client, org.dept_manager).get(reverse("contracts:list"))  # sees the team's
    assert manager.context["page"].paginator.count == 2
    mine_only = client.get(reverse("contracts:list"), {"owner": org.peer_rep.pk})
    assert [c.title for c in mine_only.context["page"].object_list] == ["别人的合同"]


def test_a_rep_gets_404_on_another_reps_contract(client, org, customer, media):
    contract = make(org, customer)
    scan = services.contract_attach(
        actor=org.rep, contract=contract, upload=SimpleUploadedFile("scan.pdf", b"%PDF-1.7")
    )
    login(client, org.peer_rep)
    assert client.get(detail(contract)).status_code == 404
    assert client.get(reverse("contracts:edit", args=[contract.pk])).status_code == 404
    assert client.get(reverse("contracts:amend", args=[contract.pk])).status_code == 404
    assert client.post(action(contract, "submit")).status_code == 404
    assert client.post(action(contract, "terminate"), {"reason": "x"}).status_code == 404
    download = reverse("contracts:attachment", args=[contract.pk, scan.pk])
    assert client.get(download).status_code == 404
    upload = SimpleUploadedFile("x.pdf", b"%PDF")
    assert client.post(reverse("contracts:attach", args=[contract.pk]), {"file": upload}).status_code == 404
    assert client.post(reverse("contracts:detach", args=[contract.pk, scan.pk])).status_code == 404
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT
    assert ContractAttachment.objects.count() == 1


def test_list_filters_status_dates_search_and_htmx_gets_the_table_only(client, org, customer):
    draft = make(org, customer, title="草稿合同")
    early = approved(org, customer, title="早签", signed_on="2026-01-15")
    late = approved(org, customer, title="晚签", signed_on="2026-06-15")
    login(client, org.rep)
    url = reverse("contracts:list")
    by_status = client.get(url, {"status": "approved", "sort": "-signed"})
    assert list(by_status.context["page"].object_list) == [late, early]
    by_date = client.get(url, {"signed_from": "2026-06-01", "signed_to": "2026-06-30"})
    assert list(by_date.context["page"].object_list) == [late]
    partial = client.get(url, {"q": "草稿"}, headers={"HX-Request": "true", "HX-Target": "contract-table"})
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="contract-table">')
    assert "<html" not in html
    assert list(partial.context["page"].object_list) == [draft]


def test_list_empty_state_and_filters_it_does_not_understand(client, org, customer):
    login(client, org.rep)
    assert "No contracts yet." in client.get(reverse("contracts:list")).content.decode()
    make(org, customer)
    response = client.get(reverse("contracts:list"), {"status": "nonsense"})
    assert response.status_code == 200
    assert "Some filters were not understood" in response.content.decode()
    assert response.context["page"].paginator.count == 1
    nothing = client.get(reverse("contracts:list"), {"q": "没有这个"}).content.decode()
    assert "No contracts match these filters." in nothing


def test_list_and_detail_take_constant_queries(client, org, customer, media, django_assert_max_num_queries):
    product = ProductFactory(code="POS", name="收银系统", unit="套", list_price=D("1000.00"))
    amount_flow(org.admin, org.team_lead, above="-1")  # every contract waits: the history has a step
    login(client, org.rep)

    def counts() -> list[int]:
        contract = services.contract_submit(
            actor=org.rep,
            contract=make(org, customer, lines=[*LINES, {"product_id": product.pk, "quantity": "2"}]),
        )
        services.contract_attach(
            actor=org.rep, contract=contract, upload=SimpleUploadedFile("a.pdf", b"%PDF")
        )
        result = []
        with django_assert_max_num_queries(10) as list_queries:
            assert client.get(reverse("contracts:list")).status_code == 200
        result.append(len(list_queries.captured_queries))
        for tab in ("lines", "approvals", "amendments", "attachments", "timeline"):
            with django_assert_max_num_queries(20) as tab_queries:
                assert client.get(detail(contract, tab)).status_code == 200
            result.append(len(tab_queries.captured_queries))
        return result

    few = counts()
    for _ in range(8):
        make(org, customer)
    assert counts() == few  # 1 against 10 contracts


def test_nav_has_the_contracts_entry_for_users_with_the_permission(client, org):
    assert (
        'data-testid="nav-contracts"'
        in login(client, org.rep).get(reverse("contracts:list")).content.decode()
    )
    assert 'data-testid="nav-contracts"' not in login(client, org.outsider).get("/").content.decode()
    assert client.get(reverse("contracts:list")).status_code == 403


# Form ------------------------------------------------------------------------------------------------------


def test_create_from_a_customer_with_a_product_line_and_a_free_text_line(client, org, customer):
    product = ProductFactory(code="POS", name="收银系统", unit="套", list_price=D("1000.00"))
    contact = ContactFactory(customer=customer, name="周经理")
    url = reverse("contracts:create") + f"?customer={customer.pk}"
    page = login(client, org.rep).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-price="1000.00"' in html
    assert "<template data-line-template>" in html
    assert "Leave empty and the amount is the sum of the lines." in html
    assert page.context["form"].initial["signatory"] == org.rep.pk
    assert page.context["form"].initial["amount"] is None  # not the model's default 0

    lines = [
        {"product": str(product.pk), "quantity": "2"},
        {"name": "实施服务", "unit": "人天", "quantity": "3", "unit_price": "500"},
        {},  # the blank row the page offers stays out
    ]
    response = client.post(
        url,
        form_data(
            lines,
            signing_contact=str(contact.pk),
            signatory=str(org.rep.pk),
            starts_on="2026-12-01",
            ends_on="2027-11-30",
            terms="款到发货",
        ),
    )

    contract = Contract.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(contract)
    assert (contract.customer, contract.signing_contact, contract.signatory) == (customer, contact, org.rep)
    assert (contract.starts_on, contract.ends_on) == (date(2026, 12, 1), date(2027, 11, 30))
    assert [(line.name, line.unit, line.amount) for line in contract.lines.all()] == [
        ("收银系统", "套", D("2000.00")),
        ("实施服务", "人天", D("1500.00")),
    ]
    assert (contract.amount, contract.terms, contract.status) == (
        D("3500.00"),
        "款到发货",
        ContractStatus.DRAFT,
    )
    assert f"Contract {contract.number} saved." in client.get(response["Location"]).content.decode()


def test_create_shows_form_and_service_errors_in_place(client, org, customer):
    url = reverse("contracts:create") + f"?customer={customer.pk}"
    login(client, org.rep)
    no_title = client.post(
        url,
        form_data([{"name": "服务", "unit_price": "1"}], title=""),
        headers={"HX-Request": "true", "HX-Target": "form-card"},
    )
    assert no_title.content.decode().lstrip().startswith('<div id="form-card"')
    assert no_title.context["form"].errors["title"] == ["This field is required."]
    no_price = client.post(url, form_data([{"name": "服务"}]))
    assert no_price.context["line_errors"] == ["Line 1: give the unit price."]
    backwards = client.post(
        url,
        form_data(
            LINES and [{"name": "服务", "unit_price": "1"}], starts_on="2026-12-01", ends_on="2026-11-01"
        ),
    )
    assert backwards.context["form"].errors["ends_on"] == ["The contract cannot end before it starts."]
    assert Contract.objects.count() == 0


def test_create_needs_a_customer_or_an_opportunity_the_user_sees(client, org, customer):
    login(client, org.rep)
    response = client.get(reverse("contracts:create"))
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:list")
    other = CustomerFactory(owner=org.peer_rep)
    assert client.get(reverse("contracts:create"), {"customer": other.pk}).status_code == 404
    assert (
        client.get(
            reverse("contracts:create"), {"opportunity": OpportunityFactory(owner=org.peer_rep).pk}
        ).status_code
        == 404
    )
    assert (
        login(client, org.outsider).get(reverse("contracts:create"), {"customer": customer.pk}).status_code
        == 403
    )


def test_create_from_a_won_opportunity_confirms_then_opens_the_form(client, org, customer):
    contact = ContactFactory(customer=customer, name="周建华")
    opportunity = OpportunityFactory(owner=org.rep, customer=customer, title="ERP 一期")
    quote = quotes.quote_create(
        actor=org.rep,
        opportunity=opportunity,
        data={"terms": "验收后付款"},
        lines=[{"name": "实施", "quantity": "3", "unit_price": "1000", "tax_rate": "6"}],
        contact=contact,
    )
    quote = quotes.quote_mark_sent(actor=org.rep, quote=quotes.quote_submit(actor=org.rep, quote=quote))
    quotes.quote_mark_accepted(actor=org.rep, quote=quote)
    url = reverse("contracts:create") + f"?opportunity={opportunity.pk}"
    login(client, org.rep)

    open_one = client.get(url, follow=True)
    assert "Only a won opportunity becomes a contract" in open_one.content.decode()
    opportunity.status = OpportunityStatus.WON
    opportunity.save()
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert quote.number in html
    assert "3,180.00 CNY" in html  # 3 × 1,000 + 6 % tax
    assert "周建华" in html
    assert not Contract.objects.exists()  # nothing is created by looking

    response = client.post(url)
    contract = Contract.objects.get()
    assert response["Location"] == reverse("contracts:edit", args=[contract.pk])
    assert (contract.opportunity, contract.quote, contract.signing_contact) == (opportunity, quote, contact)
    assert (contract.amount, contract.terms) == (D("3180.00"), "验收后付款")
    form = client.get(response["Location"])
    assert f"Draft contract {contract.number} created from the opportunity" in form.content.decode()
    assert form.context["form"].initial["amount"] == D(
        "3180.00"
    )  # the quote's total with tax, not the lines'
    assert "This opportunity already has contracts" in client.get(url).content.decode()


def test_edit_replaces_the_lines_and_an_empty_amount_is_their_sum(client, org, customer):
    contract = make(org, customer, lines=[*LINES, {"name": "培训", "unit_price": "200"}])
    url = reverse("contracts:edit", args=[contract.pk])
    page = login(client, org.rep).get(url)
    assert page.context["form"].initial["amount"] is None  # the amount is the lines' sum
    assert page.context["lines"].initial[0]["name"] == "实施服务"
    assert "25,000.00" in page.content.decode()  # the saved line's amount, read-only
    lines = [
        {"name": "实施服务", "unit": "人天", "quantity": "12", "unit_price": "2500"},
        {"name": "培训", "quantity": "1", "unit_price": "200", "DELETE": "on"},
    ]
    response = client.post(
        url,
        form_data(lines, initial=2, title="改过的"),
        headers={"HX-Request": "true", "HX-Target": "form-card"},
    )
    assert response["HX-Redirect"] == detail(contract)
    contract.refresh_from_db()
    assert (contract.title, contract.amount) == ("改过的", D("30000.00"))
    assert [(line.name, line.amount) for line in contract.lines.all()] == [("实施服务", D("30000.00"))]
    client.post(url, form_data(lines[:1], initial=1, amount="33900"))
    contract.refresh_from_db()
    assert contract.amount == D("33900.00")
    assert client.get(url).context["form"].initial["amount"] == D("33900.00")


def test_edit_is_refused_once_approved_with_a_message(client, org, customer):
    contract = approved(org, customer)
    url = reverse("contracts:edit", args=[contract.pk])
    login(client, org.rep)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == detail(contract)
    followed = client.post(url, form_data([{"name": "x", "unit_price": "1"}]), follow=True)
    assert "A contract that is approved cannot be edited: amend it instead" in followed.content.decode()
    assert Contract.objects.get().title == "年度服务合同"


# Detail and actions ----------------------------------------------------------------------------------------


def test_detail_shows_the_contract_and_the_actions_of_a_draft(client, org, customer):
    contract = make(org, customer, terms="款到发货", notes="客户预算紧", ends_on="2027-12-31")
    response = login(client, org.rep).get(detail(contract))
    html = response.content.decode()
    assert response.context["actions"] == {
        "edit": True,
        "submit": True,
        "withdraw": False,
        "start": False,
        "complete": False,
        "terminate": True,
        "amend": False,
        "delete": False,  # a rep has no delete_contract
        "attach": True,
        "detach": True,
    }
    for text in ("实施服务", "款到发货", "客户预算紧", "2027-12-31", "25,000.00 CNY", customer.name):
        assert text in html, text
    assert 'data-testid="contract-delete"' not in html


def test_detail_tabs_render_over_htmx(client, org, customer):
    contract = approved(org, customer)
    login(client, org.rep)
    for tab, text in (
        ("lines", "实施服务"),
        ("approvals", "not been submitted"),
        ("amendments", "No amendments"),
        ("attachments", "No files attached."),
        ("timeline", "created the contract"),
    ):
        response = client.get(detail(contract), {"tab": tab}, headers=TAB)
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="contract-tab"')
        assert text in html, tab


def test_submit_without_a_flow_is_approved_at_once_and_the_customer_is_a_deal(client, org, customer):
    contract = make(org, customer)
    response = login(client, org.rep).post(action(contract, "submit"), follow=True)
    assert f"Contract {contract.number} approved at once" in response.content.decode()
    contract.refresh_from_db()
    customer.refresh_from_db()
    assert (contract.status, customer.status) == (ContractStatus.APPROVED, "deal")
    assert response.context["actions"]["edit"] is False
    assert response.context["actions"]["amend"] is True


def test_submit_with_a_flow_waits_and_can_be_withdrawn(client, org, customer):
    amount_flow(org.admin, org.team_lead, above="1000")
    contract = make(org, customer)
    response = login(client, org.rep).post(action(contract, "submit"), follow=True)
    assert f"Contract {contract.number} submitted: waiting for approval." in response.content.decode()
    assert response.context["actions"]["withdraw"] is True
    assert response.context["actions"]["edit"] is False
    assert "合同审批" in client.get(detail(contract, "approvals")).content.decode()
    client.post(action(contract, "withdraw"))
    assert Contract.objects.get().status == ContractStatus.DRAFT


def test_submit_without_an_amount_shows_the_reason(client, org, customer):
    contract = make(org, customer, lines=[])
    response = login(client, org.rep).post(action(contract, "submit"), follow=True)
    assert "Give the contract&#x27;s amount before submitting it." in response.content.decode()
    assert Contract.objects.get().status == ContractStatus.DRAFT


def test_start_complete_and_refused_moves(client, org, customer):
    contract = approved(org, customer)
    login(client, org.rep)
    refused = client.post(action(contract, "complete"), follow=True)
    assert "A contract that is approved cannot do this." in refused.content.decode()
    assert client.get(detail(contract)).context["actions"]["start"] is True
    client.post(action(contract, "start"))
    assert Contract.objects.get().status == ContractStatus.EXECUTING
    done = client.post(action(contract, "complete"), follow=True)
    assert f"Contract {contract.number} completed." in done.content.decode()
    assert Contract.objects.get().status == ContractStatus.COMPLETED
    assert not any(done.context["actions"][k] for k in ("terminate", "amend", "edit", "start", "complete"))


def test_terminate_needs_a_reason_and_shows_it(client, org, customer):
    contract = approved(org, customer)
    login(client, org.rep)
    refused = client.post(action(contract, "terminate"), {"reason": " "}, follow=True)
    assert "Give the reason for terminating the contract." in refused.content.decode()
    assert Contract.objects.get().status == ContractStatus.APPROVED
    client.post(action(contract, "terminate"), {"reason": "客户破产"})
    contract.refresh_from_db()
    assert (contract.status, contract.termination_reason) == (ContractStatus.TERMINATED, "客户破产")
    assert "客户破产" in client.get(detail(contract)).content.decode()


def test_delete_needs_the_permission_and_a_never_submitted_draft(client, org, customer):
    draft = make(org, customer)
    assert login(client, org.rep).post(action(draft, "delete")).status_code == 403
    login(client, org.dept_manager)
    assert client.get(detail(draft)).context["actions"]["delete"] is True
    response = client.post(action(draft, "delete"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("contracts:list")
    assert Contract.objects.get(pk=draft.pk).deleted_at is not None
    assert client.get(detail(draft)).status_code == 404
    signed = approved(org, customer)
    refused = client.post(action(signed, "delete"), follow=True)
    assert "Only a draft that was never submitted can be deleted." in refused.content.decode()
    assert Contract.objects.get(pk=signed.pk).deleted_at is None


def test_unknown_actions_and_get_requests_are_refused(client, org, customer):
    contract = make(org, customer)
    login(client, org.rep)
    assert client.post(action(contract, "approve")).status_code == 404
    assert client.get(action(contract, "submit")).status_code == 405
    assert Contract.objects.get().status == ContractStatus.DRAFT


def test_the_approver_reads_the_contract_but_changes_nothing(client, org, customer):
    amount_flow(org.admin, org.other_dept_rep, above="1000")  # outside the contract's scope
    contract = services.contract_submit(actor=org.rep, contract=make(org, customer))
    login(client, org.other_dept_rep)
    response = client.get(detail(contract))
    assert response.status_code == 200
    assert not any(response.context["actions"].values())
    assert 'data-testid="contract-actions"' not in response.content.decode()
    assert client.post(action(contract, "withdraw")).status_code == 403


# Amendments ------------------------------------------------------------------------------------------------


def test_amend_records_the_change_and_shows_it_before_and_after(client, org, customer):
    contract = approved(org, customer, ends_on="2027-06-30")
    url = reverse("contracts:amend", args=[contract.pk])
    login(client, org.rep)
    page = client.get(url)
    assert page.status_code == 200
    assert list(page.context["form"].fields)[:2] == ["reason", "title"]

    lines = [{"name": "实施服务", "unit": "人天", "quantity": "15", "unit_price": "2500"}]
    no_reason = client.post(url, form_data(lines, initial=1, reason="", ends_on="2027-12-31"))
    assert no_reason.context["form"].errors["reason"] == ["This field is required."]
    nothing = client.post(
        url, form_data(LINES, initial=1, reason="无", title="年度服务合同", ends_on="2027-06-30")
    )
    assert "Nothing changes" in nothing.content.decode()
    assert not ContractAmendment.objects.exists()

    response = client.post(
        url, form_data(lines, initial=1, reason="客户追加 5 人天", title="年度服务合同", ends_on="2027-12-31")
    )
    assert response["Location"] == detail(contract, "amendments")
    contract.refresh_from_db()
    amendment = ContractAmendment.objects.get()
    assert (contract.amount, contract.ends_on) == (D("37500.00"), date(2027, 12, 31))
    assert (amendment.sequence, amendment.reason) == (1, "客户追加 5 人天")
    tab = client.get(response["Location"])
    html = tab.content.decode()
    assert f"Contract {contract.number} amended (amendment 1)." in html
    rows = tab.context["amendments"][0][1]
    assert {"field": "Ends on", "before": "2027-06-30", "after": "2027-12-31"} in rows
    assert {"field": "Amount", "before": "25,000.00", "after": "37,500.00"} in rows
    assert "实施服务 × 15.00 @ 2500.00" in html


def test_amend_is_for_contracts_in_force_only(client, org, customer):
    draft = make(org, customer)
    response = login(client, org.rep).get(reverse("contracts:amend", args=[draft.pk]), follow=True)
    assert "Only a contract in force is amended; this one is draft." in response.content.decode()


# Attachments -----------------------------------------------------------------------------------------------


def test_upload_download_and_remove_an_attachment(client, org, customer, media):
    contract = make(org, customer)
    upload_url = reverse("contracts:attach", args=[contract.pk])
    login(client, org.rep)
    refused = client.post(upload_url, {"file": SimpleUploadedFile("virus.exe", b"MZ")}, follow=True)
    assert "Attach a PDF, an image" in refused.content.decode()
    too_big = client.post(
        upload_url, {"file": SimpleUploadedFile("big.pdf", b"%" * (1024 * 1024 + 1))}, follow=True
    )
    assert "at most 1 MB" in too_big.content.decode()
    response = client.post(upload_url, {"file": SimpleUploadedFile("签字版.pdf", b"%PDF-1.7 signed")})
    assert response["Location"] == detail(contract, "attachments")
    scan = ContractAttachment.objects.get()
    tab = client.get(response["Location"]).content.decode()
    assert "签字版.pdf" in tab
    assert "15\xa0bytes" in tab
    assert "签字版.pdf attached." in tab

    download = client.get(reverse("contracts:attachment", args=[contract.pk, scan.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.7 signed"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E7%AD%BE%E5%AD%97%E7%89%88.pdf" in download["Content-Disposition"]
    assert client.get(reverse("contracts:attachment", args=[contract.pk, scan.pk + 1])).status_code == 404

    client.post(reverse("contracts:detach", args=[contract.pk, scan.pk]))
    assert not ContractAttachment.objects.exists()


def test_files_of_an_approved_contract_stay(client, org, customer, media):
    contract = make(org, customer)
    scan = services.contract_attach(
        actor=org.rep, contract=contract, upload=SimpleUploadedFile("a.pdf", b"%PDF")
    )
    services.contract_submit(actor=org.rep, contract=contract)
    login(client, org.rep)
    tab = client.get(detail(contract, "attachments"))
    assert tab.context["actions"]["detach"] is False
    assert f'data-testid="attachment-delete-{scan.pk}"' not in tab.content.decode()
    refused = client.post(reverse("contracts:detach", args=[contract.pk, scan.pk]), follow=True)
    assert "stay: attach a new version instead" in refused.content.decode()
    assert ContractAttachment.objects.count() == 1
    other = make(org, customer)
    assert client.get(reverse("contracts:attachment", args=[other.pk, scan.pk])).status_code == 404


# Links from other pages ------------------------------------------------------------------------------------


def test_a_won_opportunity_offers_a_new_contract(client, org, customer):
    opportunity = OpportunityFactory(owner=org.rep, customer=customer)
    url = reverse("opportunities:detail", args=[opportunity.pk])
    login(client, org.rep)
    assert 'data-testid="new-contract"' not in client.get(url).content.decode()
    opportunity.status = OpportunityStatus.WON
    opportunity.save()
    html = client.get(url).content.decode()
    assert f"{reverse('contracts:create')}?opportunity={opportunity.pk}" in html


def test_the_customer_deals_tab_lists_the_contracts(client, org, customer):
    contract = approved(org, customer, title="框架合同")
    html = login(client, org.rep).get(reverse("opportunities:customer", args=[customer.pk])).content.decode()
    assert contract.number in html
    assert "框架合同" in html
    assert f"{reverse('contracts:create')}?customer={customer.pk}" in html
