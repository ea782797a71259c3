"""`s2s create_token`: a token on the last line, stored hashed, revocable by its prefix."""

import io

import pytest
from django.core.management import CommandError, call_command

from s2s.accounts.models import ApiToken
from s2s.accounts.roles import Role


def _run(*args) -> str:
    out = io.StringIO()
    call_command("create_token", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def connector(make_user, sending_school):
    return make_user(Role.CONNECTOR, sending_school, username="8383321mis")


def test_the_token_is_printed_on_the_last_line_and_stored_hashed(connector):
    key = _run("8383321mis").splitlines()[-1]
    assert key.startswith("s2s_")
    token = ApiToken.objects.get(user=connector)
    assert token.key_hash == ApiToken.hash(key)
    assert token.prefix == key[4:12]
    assert not ApiToken.objects.filter(key_hash=key).exists()


def test_a_token_is_revoked_by_its_prefix(connector):
    key = _run("8383321mis").splitlines()[-1]
    out = _run("8383321mis", "--revoke", key[4:12])
    assert "Revoked" in out
    assert ApiToken.objects.get(user=connector).revoked_at is not None
    with pytest.raises(CommandError, match="no working token"):
        _run("8383321mis", "--revoke", key[4:12])


def test_the_working_tokens_are_listed_by_prefix_only(connector):
    key = _run("8383321mis").splitlines()[-1]
    out = _run("8383321mis", "--list")
    assert key[4:12] in out
    assert key not in out


def test_usernames_are_case_sensitive(connector):
    with pytest.raises(CommandError, match="There is no user 8383321MIS"):
        _run("8383321MIS")


def test_a_view_only_dba_cannot_have_a_token(make_user, home_la):
    make_user(Role.LA_DBA_VIEW, home_la, username="838viewer")
    with pytest.raises(CommandError, match="cannot use the API"):
        _run("838viewer")
