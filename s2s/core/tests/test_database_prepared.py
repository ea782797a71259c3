"""On PostgreSQL the hot statements are prepared on the server (`S2S_DB_PREPARED`, issue 18)."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from s2s.accounts.models import ApiToken
from s2s.api.auth import working_token

SETTINGS = """
import json, s2s.settings as s
print(json.dumps(s.DATABASES["default"].get("OPTIONS", {})))
"""


def _options(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("S2S_", "DATABASE_URL"))}
    result = subprocess.run([sys.executable, "-c", SETTINGS], env={**clean, **env},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgresql_prepares_unless_told_not_to(tmp_path):
    url = "postgres://s2s@db.example:5432/s2s"
    assert _options(DATABASE_URL=url, S2S_DATA_DIR=str(tmp_path)) == {
        "server_side_binding": True, "prepare_threshold": 5}
    assert _options(DATABASE_URL=url, S2S_DB_PREPARED="false", S2S_DATA_DIR=str(tmp_path)) == {}
    sqlite = _options(S2S_DATA_DIR=str(tmp_path))
    assert "server_side_binding" not in sqlite


def test_the_options_in_database_url_are_kept(tmp_path):
    url = "postgres://s2s@db.example:5432/s2s?sslmode=require&connect_timeout=5"
    assert _options(DATABASE_URL=url, S2S_DATA_DIR=str(tmp_path)) == {
        "sslmode": "require", "connect_timeout": 5, "server_side_binding": True,
        "prepare_threshold": 5}
    assert _options(DATABASE_URL=url, S2S_DB_PREPARED="false", S2S_DATA_DIR=str(tmp_path)) == {
        "sslmode": "require", "connect_timeout": 5}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL feature")
def test_the_token_lookup_is_prepared_after_five_runs_and_still_sees_a_revoke(
        receiving_school_user):
    from s2s.accounts.services import api_token_create

    key = api_token_create(by=None, user=receiving_school_user)
    for _ in range(6):
        assert working_token(key) is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "accounts_apitoken"' in statement for statement in prepared)
    # Prepared is the plan, not the answer: a revoked token is refused at once.
    ApiToken.objects.filter(key_hash=ApiToken.hash(key)).update(revoked_at="2026-12-06T10:00Z")
    assert working_token(key) is None
