"""The public web form: no login, embeddable, honeypot, rate limit, and leads filed like any other."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from kehu.leads.choices import AssignmentReason, LeadChannel
from kehu.leads.models import Lead, WebForm
from kehu.leads.tests.factories import make_rule


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def web_form(db):
    return WebForm.objects.create(
        slug="expo-2026",
        name="2026 展会咨询",
        source="exhibition",
        campaign="expo-2026",
        intro="留下联系方式，我们会尽快联系您。",
        thank_you="谢谢！我们会在一个工作日内联系您。",
    )


@pytest.fixture
def visitor():
    """A browser from another site: no session, and CSRF checks on as in production."""
    return Client(enforce_csrf_checks=True)


def url(form: WebForm) -> str:
    return reverse("forms:web_form", args=[form.slug])


GOOD = {"name": "王五", "company": "星河科技", "phone": "139 1234 5678", "message": "想了解报价"}


def test_form_page_needs_no_login_and_has_no_app_chrome(visitor, web_form):
    response = visitor.get(url(web_form))
    html = response.content.decode()
    assert response.status_code == 200
    assert "2026 展会咨询" in html
    assert "留下联系方式" in html
    assert 'id="sidebar"' not in html
    assert 'name="website"' in html  # the honeypot is there, hidden
    assert not Lead.objects.exists()  # a GET saves nothing


def test_post_saves_a_lead_with_the_forms_source_and_campaign_and_assigns_it(visitor, org, web_form):
    make_rule([org.rep], name="展会", match_campaigns=["expo-2026"])
    response = visitor.post(url(web_form), GOOD)
    assert response.status_code == 200
    assert "谢谢！我们会在一个工作日内联系您。" in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.name, lead.company_name, lead.phone, lead.remark) == (
        "王五",
        "星河科技",
        "+8613912345678",
        "想了解报价",
    )
    assert (lead.source, lead.campaign, lead.channel) == ("exhibition", "expo-2026", LeadChannel.WEB_FORM)
    assert (lead.owner, lead.created_by) == (org.rep, None)
    assert lead.assignments.get().reason == AssignmentReason.RULE


def test_validation_errors_are_shown_inline_and_nothing_is_saved(visitor, web_form):
    response = visitor.post(
        url(web_form), {"name": "", "company": "", "phone": "12", "email": "not-an-email"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == ["email", "name", "phone"]
    assert 'data-field-error="name"' in html
    assert "Give a contact name or a company." in html
    assert not Lead.objects.exists()


def test_message_too_long_is_reported_on_the_message_field(visitor, web_form):
    response = visitor.post(url(web_form), {**GOOD, "message": "x" * 5001})
    assert list(response.context["form"].errors) == ["message"]
    assert not Lead.objects.exists()


def test_honeypot_answers_thank_you_but_saves_nothing(visitor, web_form):
    response = visitor.post(url(web_form), {**GOOD, "website": "http://spam.example"})
    assert response.status_code == 200
    assert "谢谢！" in response.content.decode()
    assert not Lead.objects.exists()


def test_rate_limit_per_address_and_form(visitor, web_form, settings):
    settings.KEHU_WEB_FORM_RATE = 2
    for i in range(2):
        assert visitor.post(url(web_form), {**GOOD, "phone": f"1390000000{i}"}).status_code == 200
    limited = visitor.post(url(web_form), {**GOOD, "phone": "13900000009"})
    assert limited.status_code == 429
    assert "Too many submissions" in limited.content.decode()
    assert Lead.objects.count() == 2
    elsewhere = visitor.post(url(web_form), {**GOOD, "phone": "13900000008"}, REMOTE_ADDR="10.0.0.9")
    assert elsewhere.status_code == 200
    assert Lead.objects.count() == 3
    assert visitor.get(url(web_form)).status_code == 200  # reading the form is never limited


def test_rate_limit_counts_bots_too(visitor, web_form, settings):
    settings.KEHU_WEB_FORM_RATE = 1
    visitor.post(url(web_form), {**GOOD, "website": "x"})
    assert visitor.post(url(web_form), GOOD).status_code == 429
    assert not Lead.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_inactive_or_unknown_form_is_404(visitor, web_form, method):
    WebForm.objects.filter(pk=web_form.pk).update(is_active=False)
    assert getattr(visitor, method)(url(web_form), GOOD).status_code == 404
    assert getattr(visitor, method)("/forms/no-such-form/", GOOD).status_code == 404
    assert not Lead.objects.exists()


def test_page_is_frameable_unlike_the_rest_of_kehu(visitor, client, web_form):
    response = visitor.get(url(web_form))
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    login_page = client.get(reverse("login"))
    assert login_page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in login_page.headers["Content-Security-Policy"]
