"""NUL characters anywhere in a request are a 400, on pages and in the API, before any view runs."""

import pytest
from django.test import Client

from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_nul_in_a_json_body_is_a_400_with_the_api_error_shape(org):
    client = Client()
    client.force_login(org.rep)
    response = client.post(
        "/api/v1/customers", '{"name": "星河\\u0000科技"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Text may not contain NUL characters.", "field": None, "errors": {}}
    assert not Customer.objects.exists()


def test_nul_in_a_query_or_a_form_is_a_400(org):
    client = Client()
    client.force_login(org.rep)
    assert client.get("/customers/?q=%00").status_code == 400
    assert client.get("/api/v1/quotes?q=a%00b").status_code == 400
    form = client.post("/customers/new/", "name=a%00b", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 400
    # multipart forms reach the form, whose fields refuse NUL characters themselves
    assert (
        "Null characters are not allowed."
        in client.post("/customers/new/", {"name": "a\x00b"}).content.decode()
    )
    assert client.get("/customers/?q=ok").status_code == 200


def test_offsets_beyond_a_database_column_are_a_422(org):
    client = Client()
    client.force_login(org.rep)
    assert client.get("/api/v1/quotes?offset=99999999999999999999").status_code == 422
