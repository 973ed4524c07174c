"""A separate process that posts leads, for the concurrency test. Started with "spawn": a forked copy of
a test process that runs browser threads can hang on a lock some thread held at the fork."""

import os


def post_leads(database_url: str, actor_pk: int, offset: int, count: int, start) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "kehu-tests-only-not-a-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "kehu.settings"
    import django

    django.setup()
    from django.db import connections

    from kehu.leads.services import lead_capture
    from kehu.org.models import User

    actor = User.objects.get(pk=actor_pk)
    start.wait()
    for i in range(count):
        n = offset + i
        lead_capture(actor=actor, data={"name": f"并发{n}", "phone": f"+86136{n:08d}", "source": "website"})
    connections.close_all()
