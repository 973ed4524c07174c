from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kehu.org.models import ApiToken
from kehu.org.services import api_token_authenticate
from kehu.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run_token(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_token_create_prints_a_working_token_once():
    # given a user
    user = UserFactory(username="rep1")

    # when a token is created from the command line
    out, err = run_token("create", "rep1", "--name", "ERP sync")

    # then stdout holds only the raw token, which authenticates as that user, and only its hash is stored
    raw = out.strip()
    assert raw.startswith(ApiToken.PREFIX)
    assert api_token_authenticate(raw) == user
    token = ApiToken.objects.get(user=user)
    assert token.name == "ERP sync"
    assert token.key_hash == ApiToken.hash(raw)
    assert token.expires_at is None
    assert "shown only now" in err


def test_token_create_with_expiry():
    UserFactory(username="rep1")

    run_token("create", "rep1", "--days", "30")

    token = ApiToken.objects.get()
    assert token.name == "command line"
    assert token.expires_at is not None


def test_token_create_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="no user 'ghost'"):
        run_token("create", "ghost")
    assert ApiToken.objects.count() == 0


def test_token_create_refuses_an_inactive_user():
    UserFactory(username="gone", is_active=False)

    with pytest.raises(CommandError, match="inactive"):
        run_token("create", "gone")
    assert ApiToken.objects.count() == 0


def test_token_create_refuses_an_empty_name():
    UserFactory(username="rep1")

    with pytest.raises(CommandError, match="name"):
        run_token("create", "rep1", "--name", "  ")
    assert ApiToken.objects.count() == 0
