"""Browser test: the bell's badge, the list, opening a notification, and the badge going away."""

import pytest
from playwright.sync_api import Page, expect

from kehu.notifications.tests.factories import NotificationFactory
from kehu.org.tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/")  # the workbench


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_open_a_notification_from_the_bell(page: Page, live_server, org, viewport):
    # given a rep with one unread notification pointing at their settings page
    notification = NotificationFactory(
        recipient=org.rep, title="Your API token expires soon", body="Create a new one.", url="/settings/"
    )
    page.set_viewport_size(viewport)
    log_in(page, live_server, org.rep.username)

    # the bell shows 1
    expect(page.get_by_test_id("unread-count")).to_have_text("1")

    # the list shows the notification, unread
    page.get_by_test_id("notification-bell").click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    item = page.get_by_test_id(f"notification-{notification.pk}")
    expect(item).to_contain_text("Your API token expires soon")
    expect(item).to_have_attribute("data-unread", "")

    # opening it lands on its page, and the badge is gone
    item.click()
    expect(page).to_have_url(f"{live_server.url}/settings/")
    expect(page.get_by_test_id("notification-bell")).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_read_in_place(page: Page, live_server, org):
    NotificationFactory(recipient=org.rep, title="one")
    NotificationFactory(recipient=org.rep, title="two")
    log_in(page, live_server, org.rep.username)
    expect(page.get_by_test_id("unread-count")).to_have_text("2")

    page.goto(f"{live_server.url}/notifications/")
    page.get_by_test_id("mark-all-read").click()

    # htmx swaps the list, the bell refreshes itself, a toast confirms
    expect(page.locator("[data-unread]")).to_have_count(0)
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    expect(page.locator("#toasts")).to_contain_text("2 notifications marked as read.")
