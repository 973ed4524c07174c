"""notification_emails_send: one query, one email per notification, absolute links, skipped recipients."""

from kehu.notifications.mail import notification_emails_send
from kehu.notifications.tests.factories import NotificationFactory
from kehu.org.tests.factories import UserFactory


def test_sends_one_email_per_notification_loading_them_in_one_query(
    org, mailoutbox, django_assert_num_queries
):
    a = NotificationFactory(recipient=org.rep, title="A", body="first")
    b = NotificationFactory(recipient=org.peer_rep, title="B")
    with django_assert_num_queries(1):
        sent = notification_emails_send([a.pk, b.pk])
    assert sent == 2
    assert [(m.to, m.subject, m.body) for m in mailoutbox] == [
        (["rep1@example.com"], "A", f"first\n\nhttp://127.0.0.1:8000/notifications/{a.pk}/open/"),
        (["rep3@example.com"], "B", f"http://127.0.0.1:8000/notifications/{b.pk}/open/"),
    ]


def test_links_use_the_site_url_setting(org, mailoutbox, settings):
    settings.KEHU_SITE_URL = "https://crm.example.com/"
    n = NotificationFactory(recipient=org.rep, title="A")
    notification_emails_send([n.pk])
    assert mailoutbox[0].body == f"https://crm.example.com/notifications/{n.pk}/open/"


def test_skips_recipients_without_address_or_no_longer_active(org, mailoutbox):
    silent = NotificationFactory(recipient=UserFactory(username="noaddress", email=""))
    left = NotificationFactory(recipient=UserFactory(username="left", is_active=False))
    assert notification_emails_send([silent.pk, left.pk, 987654]) == 0
    assert mailoutbox == []


def test_a_title_with_line_breaks_becomes_a_one_line_subject(org, mailoutbox):
    n = NotificationFactory(recipient=org.rep, title="New lead:\nAcme\r\nLtd")
    notification_emails_send([n.pk])
    assert mailoutbox[0].subject == "New lead: Acme Ltd"
