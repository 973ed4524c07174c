"""The API's authentication (tokens and sessions), users, tokens, and the OpenAPI documents."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kehu.core.activity import activity_for
from kehu.customers.models import Customer
from kehu.customers.tests.factories import CustomerFactory
from kehu.org.models import ApiToken
from kehu.org.services import api_token_create, api_token_revoke
from kehu.org.tests.factories import UserFactory

UNAUTHENTICATED = {
    "detail": "Authentication required: send “Authorization: Bearer <token>” or log in.",
    "field": None,
    "errors": {},
}


def bearer(raw: str, **kwargs) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"}, **kwargs)


def api_client(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return bearer(raw)


# Authentication ------------------------------------------------------------------------------------------


def test_bearer_token_authenticates_and_stamps_last_use(org):
    token, raw = api_token_create(actor=org.rep, user=org.rep, name="ERP")
    response = bearer(raw).get("/api/v1/users/me")
    assert (response.status_code, response.json()["username"]) == (200, "rep1")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_session_authenticates(org):
    client = Client()
    client.force_login(org.rep)
    response = client.get("/api/v1/users/me")
    assert (response.status_code, response.json()["username"]) == (200, "rep1")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer kehu_not-a-real-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer " + "x" * 5000},
        {"Authorization": "Basic cmVwMTprZWh1LXRlc3QtcGFzcw=="},
        {"Authorization": "kehu_no-scheme"},
    ],
)
def test_missing_or_bad_credentials_answer_401(org, headers):
    response = Client(headers=headers).get("/api/v1/customers")
    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)
    assert response["WWW-Authenticate"] == 'Bearer realm="kehu"'


def test_revoked_expired_and_inactive_users_tokens_answer_401(org):
    _revoked, revoked_raw = api_token_create(actor=org.rep, user=org.rep, name="revoked")
    api_token_revoke(actor=org.rep, token=_revoked)
    expired, expired_raw = api_token_create(actor=org.rep, user=org.rep, name="expired")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    leaver = UserFactory(username="leaver")
    _token, leaver_raw = api_token_create(actor=leaver, user=leaver, name="old")
    leaver.is_active = False
    leaver.save()

    for raw in (revoked_raw, expired_raw, leaver_raw):
        response = bearer(raw).get("/api/v1/customers")
        assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)


def test_unauthenticated_write_answers_401_not_a_csrf_error(org):
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/customers", {"name": "x"}, content_type="application/json"
    )
    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)
    assert Customer.objects.count() == 0


def test_session_writes_need_the_csrf_token(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.rep)
    client.get("/api/v1/docs")  # the docs page sets the csrftoken cookie, as any page does
    csrf = client.cookies["csrftoken"].value

    refused = client.post("/api/v1/customers", {"name": "无令牌"}, content_type="application/json")
    accepted = client.post(
        "/api/v1/customers",
        {"name": "有令牌"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )

    assert refused.status_code == 403
    assert (
        refused.json()["detail"] == "CSRF check failed: send the X-CSRFToken header, or use a bearer token."
    )
    assert accepted.status_code == 201
    assert list(Customer.objects.values_list("name", flat=True)) == ["有令牌"]


def test_bearer_writes_need_no_csrf_token(org):
    _token, raw = api_token_create(actor=org.rep, user=org.rep, name="script")
    response = bearer(raw, enforce_csrf_checks=True).post(
        "/api/v1/customers", {"name": "脚本创建"}, content_type="application/json"
    )
    assert response.status_code == 201
    customer = Customer.objects.get()
    assert customer.owner == org.rep
    assert customer.history.get().history_user == org.rep  # the token's user is the request's user


# Users ---------------------------------------------------------------------------------------------------


def test_any_user_lists_active_users(org):
    UserFactory(username="gone", is_active=False)
    response = api_client(org.outsider).get("/api/v1/users?limit=200")
    assert response.status_code == 200
    assert [u["username"] for u in response.json()["items"]] == [
        "admin",
        "director",
        "lead",
        "manager",
        "outsider",
        "rep1",
        "rep2",
        "rep3",
        "rep4",
    ]
    assert response.json()["count"] == 9


def test_users_filter_by_username(org):
    response = api_client(org.rep).get("/api/v1/users?username=rep2")
    assert response.json() == {
        "items": [
            {
                "id": org.other_dept_rep.pk,
                "username": "rep2",
                "display_name": "Rep2",
                "department": org.south.pk,
                "department_name": "华南区",
                "is_active": True,
                "on_leave": False,
            }
        ],
        "count": 1,
    }


def test_users_search_name_and_display_name(org):
    UserFactory(username="wangwu", display_name="王五", department=org.east)
    client = api_client(org.rep)
    assert [u["username"] for u in client.get("/api/v1/users?q=王").json()["items"]] == ["wangwu"]
    assert [u["username"] for u in client.get("/api/v1/users?q=REP").json()["items"]] == [
        "rep1",
        "rep2",
        "rep3",
        "rep4",
    ]


def test_users_list_runs_constant_queries(org, django_assert_num_queries):
    for i in range(20):
        UserFactory(username=f"bulk{i}", department=org.east)
    client = api_client(org.rep)
    client.get("/api/v1/users")
    with django_assert_num_queries(3):  # token + count + page (department joined)
        response = client.get("/api/v1/users?limit=100")
    assert response.json()["count"] == 29


def test_me_describes_the_user_and_their_rights(org):
    data = api_client(org.team_lead).get("/api/v1/users/me").json()
    assert {k: data[k] for k in ("username", "department", "department_name", "role", "data_scope")} == {
        "username": "lead",
        "department": org.east.pk,
        "department_name": "华东区",
        "role": "Team lead",
        "data_scope": "department",
    }
    assert "customers.transfer_customer" in data["permissions"]
    assert data["is_superuser"] is False


# Tokens --------------------------------------------------------------------------------------------------


def test_create_token_shows_it_once_and_it_works(org):
    client = Client()
    client.force_login(org.rep)

    created = client.post("/api/v1/tokens", {"name": " ERP sync "}, content_type="application/json")
    raw = created.json()["token"]
    listed = client.get("/api/v1/tokens")

    assert created.status_code == 201
    token = ApiToken.objects.get(name="ERP sync")
    assert (created.json()["id"], created.json()["hint"], raw[:9]) == (token.pk, token.hint, token.hint)
    assert raw.startswith("kehu_")
    assert token.key_hash == ApiToken.hash(raw)
    assert listed.json()["count"] == 1
    assert "token" not in listed.json()["items"][0]
    assert listed.json()["items"][0]["name"] == "ERP sync"
    assert bearer(raw).get("/api/v1/users/me").json()["username"] == "rep1"
    assert [a.verb for a in activity_for(org.rep)] == ["api_token.created"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "   "}, 400, "name"),
        ({"name": "x" * 101}, 400, "name"),
        ({"name": "x" * 201}, 422, "name"),
        ({"name": "old", "expires_at": "2000-01-01T00:00:00Z"}, 400, "expires_at"),
        ({}, 422, "name"),
    ],
)
def test_create_token_refuses_bad_input(org, body, status, field):
    response = api_client(org.rep).post("/api/v1/tokens", body, content_type="application/json")
    assert (response.status_code, response.json()["field"]) == (status, field)
    assert ApiToken.objects.filter(user=org.rep).count() == 1  # only the client's own


def test_revoke_token(org):
    token, raw = api_token_create(actor=org.rep, user=org.rep, name="to revoke")
    client = api_client(org.rep)

    response = client.delete(f"/api/v1/tokens/{token.pk}")

    assert (response.status_code, response.content) == (204, b"")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(raw).get("/api/v1/users/me").status_code == 401
    assert client.get("/api/v1/tokens").json()["items"][1]["revoked_at"] is not None


def test_cannot_see_or_revoke_another_users_token(org):
    theirs, _raw = api_token_create(actor=org.peer_rep, user=org.peer_rep, name="theirs")
    client = api_client(org.rep)

    response = client.delete(f"/api/v1/tokens/{theirs.pk}")

    assert (response.status_code, response.json()["detail"]) == (404, "Not found.")
    assert [t["name"] for t in client.get("/api/v1/tokens").json()["items"]] == ["test"]
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


# OpenAPI and docs ----------------------------------------------------------------------------------------


def test_openapi_document_lists_the_endpoints(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Kehu CRM API"
    assert {
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
        "/api/v1/customers/transfer",
        "/api/v1/customers/{customer_id}/tags",
        "/api/v1/customers/{customer_id}/restore",
        "/api/v1/customers/{customer_id}/contacts",
        "/api/v1/contacts",
        "/api/v1/contacts/{contact_id}",
        "/api/v1/users",
        "/api/v1/users/me",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
    } <= set(schema["paths"])
    assert schema["components"]["securitySchemes"] == {
        "ApiTokenAuth": {"type": "http", "scheme": "bearer"},
        "SessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }


def test_docs_page_uses_bundled_assets_not_a_cdn(db):
    response = Client().get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<script src="/static/ninja/swagger-ui-bundle.js">' in html
    assert 'href="/static/ninja/swagger-ui.css"' in html
    assert "cdn" not in html.lower()
    assert "https://" not in html


def test_customer_created_by_token_is_in_scope_for_its_owner(org):
    """A token acts with its user's data scope, exactly like the pages."""
    CustomerFactory(owner=org.other_dept_rep, name="south")
    client = api_client(org.rep)
    client.post("/api/v1/customers", {"name": "mine"}, content_type="application/json")
    assert [c["name"] for c in client.get("/api/v1/customers").json()["items"]] == ["mine"]
