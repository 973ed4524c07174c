"""The handover API: preview, run, list, detail; 400 / 403 / 404 as the other endpoints answer them.

Until kehu/api.py mounts the router, these tests mount it on an API of their own (same auth, same errors).
"""

import pytest
from django.urls import Resolver404, path, resolve
from ninja import NinjaAPI

from kehu.core.api import SessionAuth, install_error_handlers
from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory
from kehu.leads.tests.factories import LeadFactory
from kehu.org.api import ApiTokenAuth
from kehu.org.models import User
from kehu.org.services import api_token_create
from kehu.pool.handover_api import router
from kehu.pool.models import Handover
from kehu.pool.tests.factories import PoolFactory
from kehu.pool.tests.test_handover import grant_handover

try:
    resolve("/api/v1/handovers")
    URLCONF = "kehu.urls"
except Resolver404:
    test_api = NinjaAPI(urls_namespace="handover-test-api", auth=[ApiTokenAuth(), SessionAuth()])
    install_error_handlers(test_api)
    test_api.add_router("/", router)
    from kehu.urls import urlpatterns as site_urls

    urlpatterns = [path("api/v1/", test_api.urls), *site_urls]
    URLCONF = __name__

pytestmark = pytest.mark.urls(URLCONF)
URL = "/api/v1/handovers"


@pytest.fixture
def manager(org, client):
    grant_handover(org)
    client.force_login(org.dept_manager)
    return client


def body(org, **kwargs):
    return {"from_user_id": org.rep.pk, "mode": "to_one", "recipient_ids": [org.peer_rep.pk], **kwargs}


def test_preview_then_run_then_list_and_detail(org, manager):
    CustomerFactory(owner=org.rep)
    LeadFactory(owner=org.rep)

    preview = manager.post(f"{URL}/preview", body(org), content_type="application/json")
    assert preview.status_code == 200, preview.json()
    assert (preview.json()["customers"], preview.json()["leads"]) == (1, 1)
    assert preview.json()["recipients"][str(org.peer_rep.pk)]["customers"] == 1
    assert Customer.objects.get().owner == org.rep

    created = manager.post(URL, body(org, note="离职交接"), content_type="application/json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["from_user"] == {"id": org.rep.pk, "name": "Rep1"}
    assert data["recipients"] == [{"id": org.peer_rep.pk, "name": "Rep3"}]
    assert (data["mode"], data["deactivated"], data["note"]) == ("to_one", True, "离职交接")
    assert data["summary"]["customers"] == 1
    assert Customer.objects.get().owner == org.peer_rep

    listed = manager.get(URL)
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert [h["id"] for h in listed.json()["items"]] == [data["id"]]
    assert manager.get(f"{URL}/{data['id']}").json()["summary"]["leads"] == 1


def test_a_bearer_token_of_a_departed_user_is_refused(org, manager, client):
    _token, raw = api_token_create(actor=org.rep, user=org.rep, name="script")
    assert client.get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    manager.post(URL, body(org), content_type="application/json")
    manager.logout()
    assert client.get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"recipient_ids": ["rep"]}, "The departing user cannot be a recipient."),
        ({"recipient_ids": ["gone"]}, "Gone is deactivated and cannot receive anything."),
        ({"mode": "split"}, "Choose at least two recipients to split the book; for one, use to_one."),
        (
            {"mode": "to_pool", "recipient_ids": []},
            "No pool is set up yet: ask an administrator to create one.",
        ),
        ({"recipient_ids": [999999]}, "There is no user with id 999999."),
        ({"mode": "sideways"}, "Choose to_one, split or to_pool."),
    ],
)
def test_bad_input_is_a_400_with_a_clear_message(org, manager, change, message):
    User.objects.create_user("gone", display_name="Gone", department=org.shanghai, is_active=False)
    names = {"rep": org.rep.pk, "gone": User.objects.get(username="gone").pk}
    if "recipient_ids" in change:
        change["recipient_ids"] = [names.get(r, r) for r in change["recipient_ids"]]
    response = manager.post(f"{URL}/preview", body(org, **change), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == message
    assert manager.post(URL, body(org, **change), content_type="application/json").status_code == 400
    assert not Handover.objects.exists()


def test_to_pool_uses_the_home_pool_by_default(org, manager):
    pool = PoolFactory(name="公海", is_default=True)
    CustomerFactory(owner=org.rep)
    response = manager.post(URL, body(org, mode="to_pool", recipient_ids=[]), content_type="application/json")
    assert response.status_code == 201
    assert response.json()["pool_id"] == pool.pk
    assert Customer.objects.get().pool == pool


def test_without_permission_403_outside_scope_404(org, client, manager):
    client.force_login(org.rep)
    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}/preview", body(org), content_type="application/json").status_code == 403
    manager.force_login(org.dept_manager)
    outsider = body(org, from_user_id=org.outsider.pk)
    assert manager.post(f"{URL}/preview", outsider, content_type="application/json").status_code == 404
    assert manager.post(URL, outsider, content_type="application/json").status_code == 404
    assert manager.get(f"{URL}/12345").status_code == 404


def test_a_pool_the_manager_may_not_see_is_refused(org, manager):
    PoolFactory(name="公海", is_default=True)
    service = PoolFactory(name="客服公海", departments=[org.service])  # outside the manager's sales tree
    CustomerFactory(owner=org.rep)

    payload = body(org, mode="to_pool", recipient_ids=[], pool_id=service.pk)
    response = manager.post(f"{URL}/preview", payload, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["field"] == "pool_id"
    assert Customer.objects.get().owner == org.rep
