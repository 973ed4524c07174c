"""The customer page's Deals tab: the customer's opportunities, quotes and contracts the viewer may see, with
the open deals' totals, in constant queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kehu.sales.contracts import services as contracts
from kehu.sales.opportunities.choices import OpportunityStatus
from kehu.sales.opportunities.models import OpportunityMember
from kehu.sales.opportunities.tests.factories import OpportunityFactory
from kehu.sales.quotes import services as quotes

pytestmark = pytest.mark.django_db


def panel(client, user, customer):
    client.force_login(user)
    return client.get(reverse("opportunities:customer", args=[customer.pk]))


def test_the_deals_tab_lists_opportunities_quotes_and_open_totals(client, org):
    deal = OpportunityFactory(owner=org.rep, title="一期", amount=Decimal("100000"))
    customer = deal.customer
    OpportunityFactory(owner=org.rep, customer=customer, title="二期", amount=Decimal("20000"))
    OpportunityFactory(owner=org.rep, customer=customer, title="丢单", status=OpportunityStatus.LOST)
    quote = quotes.quote_create(
        actor=org.rep, opportunity=deal, data={}, lines=[{"name": "实施", "unit_price": "10"}]
    )

    page = panel(client, org.rep, customer).content.decode()

    assert all(title in page for title in ("一期", "二期", "丢单", quote.number))
    assert "2 open deals: 120,000.00, weighted 12,000.00" in page
    tab = client.get(reverse("customers:detail", args=[customer.pk]) + "?tab=deals").content.decode()
    assert reverse("opportunities:customer", args=[customer.pk]) in tab


def test_the_deals_tab_follows_the_scope(client, org):
    deal = OpportunityFactory(owner=org.rep, title="一期")
    assert panel(client, org.peer_rep, deal.customer).status_code == 404
    assert panel(client, org.dept_manager, deal.customer).status_code == 200


def test_a_team_member_sees_only_their_deal_of_a_customer_they_do_not_own(client, org):
    deal = OpportunityFactory(owner=org.other_dept_rep, title="合作项目")
    OpportunityMember.objects.create(opportunity=deal, user=org.rep)
    OpportunityFactory(owner=org.other_dept_rep, customer=deal.customer, title="别人的项目")
    # the customer is not the rep's: the customer page itself is 404 for them
    assert panel(client, org.rep, deal.customer).status_code == 404


def test_the_deals_tab_queries_stay_constant(client, org, django_assert_max_num_queries):
    deal = OpportunityFactory(owner=org.rep)
    url = reverse("opportunities:customer", args=[deal.customer.pk])
    client.force_login(org.rep)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(8):
        OpportunityFactory(owner=org.rep, customer=deal.customer, title=f"项目{n}")
        quotes.quote_create(actor=org.rep, opportunity=deal, data={}, lines=[])
        contracts.contract_create(actor=org.rep, customer=deal.customer, data={"title": f"合同{n}"})
    with django_assert_max_num_queries(12) as many:
        assert client.get(url).status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)
