"""`insert_new`: a new row written with a statement built once, read back as `save()` writes it."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models.signals import post_save

from s2s.audit.models import AuditEvent
from s2s.core.prepared import insert_new
from s2s.directory.models import Establishment
from s2s.transfers.models import StoredFile


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
