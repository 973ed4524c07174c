import pytest
from django.urls import reverse

from kehu.org.models import ApiToken
from kehu.org.services import api_token_authenticate, api_token_create
from kehu.org.tests.factories import PASSWORD


def test_login_and_logout(client, org):
    response = client.post(reverse("login"), {"username": "rep1", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("customers:list")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("customers:list")).status_code == 302


def test_lockout_after_repeated_failed_logins(client, org, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "rep1", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "rep1", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert client.get(reverse("customers:list")).status_code == 302


def test_inactive_user_cannot_log_in(client, org):
    org.rep.is_active = False
    org.rep.save()
    client.post(reverse("login"), {"username": "rep1", "password": PASSWORD})
    assert client.get(reverse("customers:list")).status_code == 302


def test_role_grants_model_permissions(org):
    assert org.rep.has_perm("customers.add_customer")
    assert not org.rep.has_perm("customers.transfer_customer")
    assert org.dept_manager.has_perm("customers.transfer_customer")
    assert not org.outsider.has_perm("customers.view_customer")


def test_settings_page_creates_shows_once_and_revokes_a_token(client, org):
    client.force_login(org.rep)
    response = client.post(reverse("settings"), {"name": "ERP sync"})
    raw = response.context["new_token"]
    assert raw.startswith("kehu_")
    assert raw in response.content.decode()
    assert raw not in client.get(reverse("settings")).content.decode()
    token = ApiToken.objects.get(user=org.rep)
    assert api_token_authenticate(raw) == org.rep
    client.post(reverse("api_token_revoke", args=[token.pk]))
    assert api_token_authenticate(raw) is None


def test_settings_page_refuses_an_empty_name(client, org):
    client.force_login(org.rep)
    response = client.post(reverse("settings"), {"name": ""})
    assert list(response.context["form"].errors) == ["name"]
    assert ApiToken.objects.count() == 0


def test_user_cannot_revoke_someone_elses_token(client, org):
    token, raw = api_token_create(actor=org.peer_rep, user=org.peer_rep, name="x")
    client.force_login(org.rep)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    assert api_token_authenticate(raw) == org.peer_rep


def test_password_change(client, org):
    client.force_login(org.rep)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-longer-Passw0rd!",
            "new_password2": "a-longer-Passw0rd!",
        },
    )
    assert response.status_code == 302
    org.rep.refresh_from_db()
    assert org.rep.check_password("a-longer-Passw0rd!")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/org/department/",
        "/admin/org/role/",
        "/admin/org/user/",
        "/admin/customers/customer/",
        "/admin/org/department/add/",
    ],
)
def test_admin_pages_load_for_an_administrator(client, org, path):
    client.force_login(org.admin)
    assert client.get(path).status_code == 200


def test_security_headers(client, org):
    client.force_login(org.rep)
    response = client.get(reverse("customers:list"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_error_pages(client, org):
    client.force_login(org.rep)
    response = client.get("/customers/999999/")
    assert response.status_code == 404
    assert "not shared with you" in response.content.decode()


def test_admin_purge_is_audited(client, org):
    from kehu.core.activity import Activity
    from kehu.customers.models import Customer
    from kehu.customers.tests.factories import CustomerFactory

    customer = CustomerFactory(owner=org.rep, name="gone")
    client.force_login(org.admin)
    response = client.post(
        "/admin/customers/customer/", {"action": "purge", "_selected_action": [customer.pk]}
    )
    assert response.status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()
    entry = Activity.objects.get(verb="customer.purged")
    assert (entry.subject_id, entry.data, entry.actor) == (customer.pk, {"name": "gone"}, org.admin)
