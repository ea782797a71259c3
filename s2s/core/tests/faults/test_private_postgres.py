"""The fault tests' own database is the private server, never the machine's shared one."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_tests_talk_to_the_private_server(private_postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'port'")
        assert cursor.fetchone()[0] == str(private_postgres.port)
    assert connection.vendor == "postgresql"
