"""Background sending of notification emails."""

from huey.contrib.djhuey import db_task


@db_task(retries=3, retry_delay=60)
def send_notification_emails(notification_ids: list[int]) -> int:
    from kehu.notifications.mail import notification_emails_send

    return notification_emails_send(notification_ids)
