"""The daily digest: who gets one, what it says (text and HTML), in which language, and its cost."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone, translation

from kehu.customers.tests.factories import CustomerFactory
from kehu.followups.tests.factories import PlanFactory
from kehu.leads.tests.factories import LeadFactory
from kehu.org.tests.factories import UserFactory
from kehu.pool.models import PoolRule
from kehu.workbench import digest
from kehu.workbench.digest import digests_send
from kehu.workbench.tasks import send_daily_digests
from kehu.workbench.tests.fakes import FakeWarning, install_pool_warnings


def local_noon():
    return timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)


def test_only_users_with_something_to_say_get_a_digest(org, mailoutbox, monkeypatch):
    now = local_noon()
    install_pool_warnings(monkeypatch, {})
    PlanFactory(customer=CustomerFactory(owner=org.rep, name="今日客户"), due_at=now + timedelta(hours=2))
    PlanFactory(customer=CustomerFactory(owner=org.peer_rep), due_at=now + timedelta(days=3))  # not yet
    LeadFactory(owner=org.east_rep, company_name="新线索")
    UserFactory(username="nomail", email="", department=org.shanghai, role=org.rep.role)
    PlanFactory(customer=CustomerFactory(owner=org.other_dept_rep), due_at=now - timedelta(days=2))
    org.other_dept_rep.is_active = False
    org.other_dept_rep.save()

    sent = digests_send(now=now)

    assert sorted(sent) == ["rep1@example.com", "rep4@example.com"]
    assert sorted(m.to[0] for m in mailoutbox) == ["rep1@example.com", "rep4@example.com"]


def test_the_digest_lists_every_section_in_text_and_html(org, mailoutbox, monkeypatch):
    now = local_noon()
    customer = CustomerFactory(owner=org.rep, name="星河科技")
    PlanFactory(customer=customer, due_at=now + timedelta(hours=2), action="发送报价")
    PlanFactory(customer=customer, due_at=now - timedelta(days=2), action="逾期回访")
    lead = LeadFactory(owner=org.rep, company_name="新线索公司")
    install_pool_warnings(
        monkeypatch,
        {org.rep.pk: [FakeWarning(customer, "公海", PoolRule.NOT_CLOSED, now + timedelta(days=3))]},
    )
    monkeypatch.setattr(digest.settings, "KEHU_SITE_URL", "https://crm.example.com/", raising=False)

    digests_send(now=now)

    (message,) = mailoutbox
    assert message.subject == f"Your day in Kehu CRM, {timezone.localdate(now).isoformat()}"
    text = message.body
    assert "My plans for today (1)" in text
    assert "14:00 星河科技 — 发送报价" in text
    assert "My overdue plans (1)" in text
    assert "逾期回访" in text
    assert "Returns to the pool in 3 days (Not closed)" in text
    assert f"https://crm.example.com/leads/{lead.pk}/" in text
    assert f"https://crm.example.com/customers/{customer.pk}/?tab=followups" in text
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'<a href="https://crm.example.com/customers/{customer.pk}/?tab=followups">星河科技</a>' in html
    assert "New leads for me (1)" in html


def test_the_digest_is_written_in_the_sites_language(org, mailoutbox, monkeypatch, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    install_pool_warnings(monkeypatch, {})
    PlanFactory(customer=CustomerFactory(owner=org.rep), due_at=local_noon() + timedelta(hours=1))

    with translation.override("en"):
        digests_send(now=local_noon())

    assert mailoutbox[0].body.startswith("Rep1，您好")  # not the English of the job's own language
    assert '<html lang="zh-hans">' in mailoutbox[0].alternatives[0][0]


def test_queries_per_user_do_not_grow_with_their_rows(org, monkeypatch, django_assert_max_num_queries):
    install_pool_warnings(monkeypatch, {})
    now = local_noon()
    for _ in range(20):
        PlanFactory(customer=CustomerFactory(owner=org.rep), due_at=now + timedelta(hours=1))
        PlanFactory(customer=CustomerFactory(owner=org.peer_rep), due_at=now - timedelta(days=1))
    users = 10  # the org's users

    with django_assert_max_num_queries(1 + users * 4):
        assert len(digests_send(now=now, dry_run=True)) == 2


def test_dry_run_sends_nothing(org, mailoutbox, monkeypatch, capsys):
    install_pool_warnings(monkeypatch, {})
    PlanFactory(customer=CustomerFactory(owner=org.rep), due_at=timezone.now() - timedelta(days=1))

    call_command("send_digests", "--dry-run")

    assert mailoutbox == []
    assert capsys.readouterr().out.splitlines() == ["rep1@example.com", "1 digests would be sent."]


def test_the_periodic_task_sends(org, mailoutbox, monkeypatch):
    install_pool_warnings(monkeypatch, {})
    PlanFactory(customer=CustomerFactory(owner=org.rep), due_at=timezone.now() - timedelta(days=1))
    send_daily_digests.call_local()
    assert [m.to for m in mailoutbox] == [["rep1@example.com"]]
