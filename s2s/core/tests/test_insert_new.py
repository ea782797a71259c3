"""`insert_new`: a new row written with a statement built once, read back as `save()` writes it."""

import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models.signals import post_save

from s2s.audit.models import AuditEvent
from s2s.core.prepared import insert_new, insert_new_linked
from s2s.directory.models import Establishment
from s2s.transfers.models import StoredFile, Transfer
from s2s.transfers.services import transfer_upload
from s2s.transfers.tests.ctfs import ctf


def _stored(path: str) -> StoredFile:
    return StoredFile(path=path, wrapped_key=b"\x00\x01wrapped", key_id="k1",
                      nonce_prefix=b"\x02" * 7, size=51234, sha256="ab" * 32)


def _row(model, pk) -> dict:
    row = model.objects.filter(pk=pk).values().get()
    row.pop("id")
    return {name: bytes(value) if isinstance(value, memoryview) else value
            for name, value in row.items()}


def test_a_row_inserted_reads_back_as_the_orm_writes_it(db):
    ours = insert_new(_stored("aa/one.s2se"))
    theirs = StoredFile.objects.create(**{f.name: getattr(_stored("aa/two.s2se"), f.name)
                                          for f in StoredFile._meta.concrete_fields
                                          if not f.primary_key and f.name != "created_at"})
    assert ours.pk is not None
    assert ours.pk != theirs.pk
    assert not ours._state.adding
    mine, orm = _row(StoredFile, ours.pk), _row(StoredFile, theirs.pk)
    assert mine.pop("path") == "aa/one.s2se"
    assert orm.pop("path") == "aa/two.s2se"
    assert abs(mine.pop("created_at") - orm.pop("created_at")).total_seconds() < 5
    assert mine == orm
    assert StoredFile.objects.get(pk=ours.pk).wrapped_key == b"\x00\x01wrapped"


def test_json_and_dates_round_trip(db):
    at = datetime(2027, 1, 18, 9, 30, 15, 123000, tzinfo=UTC)
    event = AuditEvent(action="test_action", at=at, actor_username="someone",
                       detail={"upns": ["A123"], "words": {"n": 2}})
    event.save()  # AuditEvent.save is insert_new, told it is the model's own save
    read = AuditEvent.objects.get(pk=event.pk)
    assert (read.at, read.detail, read.actor_username) == (
        at, {"upns": ["A123"], "words": {"n": 2}}, "someone")


def test_then_runs_with_the_new_id_in_the_same_round_trip(db):
    # A second row that reads the first's id: on PostgreSQL in the same statement.
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    follow_on = (f"INSERT INTO {table} (at, actor_username, action, object_type, object_id, "
                 "summary, detail, seq, previous_hash, hash) SELECT at, 'follow-on', action, "
                 "'transfers.storedfile', CAST(new_row.id AS VARCHAR(64)), '', '{}', 0, '', '' "
                 f"FROM new_row, {table} WHERE {table}.id = %s", [])
    first = AuditEvent(action="first")
    first.save()
    with connection.execute_wrapper(count):
        stored = insert_new(_stored("bb/three.s2se"),
                            then=(follow_on[0], [first.pk]))
    follow = AuditEvent.objects.get(actor_username="follow-on")
    assert follow.object_id == str(stored.pk)
    assert len(statements) == (1 if connection.vendor == "postgresql" else 2)


def test_a_model_with_receivers_is_saved_by_the_orm(db):
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.path, created))

    post_save.connect(receiver, sender=StoredFile)
    try:
        stored = insert_new(_stored("cc/four.s2se"))
    finally:
        post_save.disconnect(receiver, sender=StoredFile)
    assert seen == [("cc/four.s2se", True)]
    assert StoredFile.objects.filter(pk=stored.pk).exists()


def test_a_model_with_its_own_save_is_refused_rather_than_written_wrong(db, receiving_school):
    school = Establishment(la=receiving_school.la, number="7777", name="New school")
    with pytest.raises(TypeError, match="Establishment has a save"):
        insert_new(school)
    assert not Establishment.objects.filter(number="7777").exists()
    with pytest.raises(TypeError, match="AuditEvent has a save"):
        insert_new(AuditEvent(action="bypassing the append-only save"))


# --- several new rows that refer to each other ----------------------------------------------

def _statements_counted():
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    return statements, count


def test_linked_rows_take_each_others_new_ids_in_one_statement_on_postgresql(
        db, sending_school_user):
    statements, count = _statements_counted()
    stored = _stored("dd/five.s2se")
    event = AuditEvent(action="linked", actor_username="someone")
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    then = (stored, f"INSERT INTO {table} (at, actor_username, action, object_type, object_id, "
                    "summary, detail, seq, previous_hash, hash) SELECT CURRENT_TIMESTAMP, "
                    "'then', 'linked_then', '', CAST(new_row.id AS VARCHAR(64)), '', '{}', 0, "
                    "'', '' FROM new_row", [])
    with connection.execute_wrapper(count):
        insert_new_linked([(stored, {}), (event, {"object_id": stored})], then=then,
                          own_save_of=AuditEvent)
    assert stored.pk is not None
    assert event.pk is not None
    assert AuditEvent.objects.get(pk=event.pk).object_id == str(stored.pk) == event.object_id
    assert AuditEvent.objects.get(action="linked_then").object_id == str(stored.pk)
    assert _row(StoredFile, stored.pk)["path"] == "dd/five.s2se"
    writes = [sql for sql in statements if not sql.startswith(("SAVEPOINT", "RELEASE"))]
    assert len(writes) == (1 if connection.vendor == "postgresql" else 3)


def test_a_foreign_key_linked_to_a_new_row_holds_its_id(db, sending_school_user,
                                                        receiving_school):
    stored = _stored("ee/six.s2se")
    transfer = Transfer(name="8383321_CTF_8384512_001.XML", file_type="CTF",
                        source_code="8383321", destination_code="8384512",
                        destination_kind="school", destination_establishment=receiving_school,
                        uploaded_by=sending_school_user, stored_file=stored, size=1,
                        sha256="cd" * 32)
    insert_new_linked([(stored, {}), (transfer, {"stored_file_id": stored})])
    assert Transfer.objects.get(pk=transfer.pk).stored_file_id == stored.pk
    assert transfer.stored_file_id == stored.pk
    assert Transfer.objects.get(pk=transfer.pk).stored_file.path == "ee/six.s2se"


def test_linked_rows_refuse_a_model_with_its_own_save_unless_it_is_named(db):
    with pytest.raises(TypeError, match="AuditEvent has a save"):
        insert_new_linked([(_stored("ff/seven.s2se"), {}),
                           (AuditEvent(action="bypassing"), {})])
    assert not StoredFile.objects.filter(path="ff/seven.s2se").exists()


def test_the_upload_writes_its_rows_in_one_statement_on_postgresql(
        db, sending_school_user, receiving_school):
    # The stored file, the transfer, its pupils and the audit record: one round trip.
    statements, count = _statements_counted()
    with connection.execute_wrapper(count):
        transfer = transfer_upload(user=sending_school_user, name="8383321_CTF_8384512_001.XML",
                                   content=io.BytesIO(ctf("8383321", "8384512", pupils=3)))
    transfer = transfer.transfer
    tables = ("transfers_storedfile", "transfers_transfer", "transfers_transferpupil",
              "audit_auditevent")
    inserts = [sql for sql in statements
               if any(f'INSERT INTO "{table}"' in sql for table in tables)]
    assert len(inserts) == (1 if connection.vendor == "postgresql" else 4)
    read = Transfer.objects.get(pk=transfer.pk)
    assert read.pupils.count() == 3
    assert read.stored_file_id == transfer.stored_file_id is not None
    event = AuditEvent.objects.get(action="transfer_upload")
    assert (event.object_type, event.object_id) == ("transfers.transfer", str(transfer.pk))
    assert event.actor_id == sending_school_user.pk


def test_a_nullable_field_left_empty_is_not_written_and_reads_back_empty(
        db, sending_school_user, receiving_school):
    # The database writes NULL for a column left out: the statement carries fewer values.
    statements, count = _statements_counted()
    transfer = Transfer(name="8383321_CTF_8384512_002.XML", file_type="CTF",
                        source_code="8383321", destination_code="8384512",
                        destination_kind="school", destination_establishment=receiving_school,
                        uploaded_by=sending_school_user, size=1, sha256="ef" * 32)
    with connection.execute_wrapper(count):
        insert_new(transfer)
    [insert] = statements
    assert '"collected_at"' not in insert
    assert '"uploaded_by_id"' in insert
    read = Transfer.objects.get(pk=transfer.pk)
    assert (read.collected_at, read.stored_file_id, read.uploaded_by_id) == (
        None, None, sending_school_user.pk)


def test_the_uploads_statement_stays_within_psycopgs_cache_of_parsed_statements(
        db, sending_school_user, receiving_school):
    # psycopg keeps a statement's parsed placeholders only up to 50 parameters; past that it
    # parses it again on every upload.
    seen = []

    def watch(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        transfer_upload(user=sending_school_user, name="8383321_CTF_8384512_001.XML",
                        content=io.BytesIO(ctf("8383321", "8384512", pupils=30)))
    inserts = [params for sql, params in seen if 'INSERT INTO "transfers_transfer"' in sql]
    assert inserts
    assert all(len(params) <= 50 for params in inserts)
