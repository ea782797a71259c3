"""On PostgreSQL with the tasks on Redis, an upload's rows commit in one statement of their own."""

import io

import pytest
from django.db import IntegrityError, connection

from s2s.audit.models import AuditEvent
from s2s.core.tests.redis import needs_redis
from s2s.transfers.models import StoredFile, Transfer
from s2s.transfers.services import transfer_upload
from s2s.transfers.tests.conftest import stored_objects
from s2s.transfers.tests.ctfs import ctf

pytestmark = [
    needs_redis,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL"),
]

NAME = "8383321_CTF_8384512_001.XML"


def _upload(user):
    return transfer_upload(user=user, name=NAME,
                           content=io.BytesIO(ctf("8383321", "8384512", pupils=3))).transfer


def _the_rows_statement(sql: str) -> bool:
    return sql.startswith("WITH new_0 AS (INSERT INTO")


def test_the_rows_commit_alone_and_the_notice_is_pushed_after(
        transactional_db, redis_tasks, file_store, sending_school_user, receiving_school_user):
    seen = []

    def watch(execute, sql, params, many, context):
        if _the_rows_statement(sql):
            # No transaction of the upload's own: the statement commits by itself.
            seen.append((connection.get_autocommit(), connection.in_atomic_block))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        transfer = _upload(sending_school_user)
    assert seen == [(True, False)]
    read = Transfer.objects.get(pk=transfer.pk)
    assert read.pupils.count() == 3
    assert len(stored_objects(file_store)) == 1
    assert AuditEvent.objects.filter(action="transfer_upload",
                                     object_id=str(transfer.pk)).count() == 1
    assert redis_tasks.llen("rq:queue:default") == 1  # the notice task, pushed once committed


def test_when_that_statement_fails_nothing_of_the_upload_remains(
        transactional_db, redis_tasks, file_store, sending_school_user, receiving_school_user):
    def fail(execute, sql, params, many, context):
        if _the_rows_statement(sql):
            raise IntegrityError("injected at the rows' statement")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail), pytest.raises(IntegrityError):
        _upload(sending_school_user)
    assert not Transfer.objects.exists()
    assert not StoredFile.objects.exists()
    assert not AuditEvent.objects.filter(action="transfer_upload").exists()
    assert stored_objects(file_store) == []
    assert redis_tasks.llen("rq:queue:default") == 0
