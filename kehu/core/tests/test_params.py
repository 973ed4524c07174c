"""Ids from query strings and forms, and id filters: anything a client sends is refused cleanly."""

import pytest
from django.urls import reverse

from kehu.core.api import MAX_ID
from kehu.core.params import id_param


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 7 ", 7), (12, 12), ("²", None), ("١٢", None), ("0", None), ("-3", None), ("1.5", None),
     (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("", None), (None, None), ("abc", None)],
)  # fmt: skip
def test_id_param(raw, expected):
    assert id_param(raw) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/quotes/new/?opportunity=²",
        "/quotes/?opportunity=99999999999999999999999",
        "/quotes/?customer=99999999999999999999999",
        "/opportunities/?customer=99999999999999999999999",
        "/opportunities/new/?customer=99999999999999999999999",
        "/customers/?owner=99999999999999999999999",
    ],
)
def test_odd_ids_in_urls_are_never_a_server_error(client, org, url):
    client.force_login(org.rep)
    response = client.get(url)
    assert response.status_code in (200, 302), response.status_code
    assert client.get(reverse("quotes:list")).status_code == 200
