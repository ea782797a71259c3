"""Issue 18: the audit trail is hash-chained; `s2s audit verify` names the first broken row."""

import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor

from s2s.audit.models import AuditChainHead, AuditEvent
from s2s.audit.services import audit_record


def _verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def _refusal() -> str:
    with pytest.raises(CommandError) as refused:
        _verify()
    return str(refused.value)


@pytest.fixture
def trail(db, la_officer):
    return [audit_record(action="sign_in", actor=la_officer, ip_address="2001:db8::1",
                         detail={"n": n, "upn": "A123456789012", "why": ("a", "b")},
                         summary=f"event {n}")
            for n in range(5)]


def test_an_untouched_trail_verifies(trail):
    assert _verify() == "The audit chain holds: 5 rows checked.\n"
    assert [e.seq for e in AuditEvent.objects.order_by("pk")] == [1, 2, 3, 4, 5]


def test_an_empty_trail_verifies(db):
    assert "0 rows checked" in _verify()


def test_each_row_links_to_the_one_before(trail):
    rows = list(AuditEvent.objects.order_by("pk"))
    assert rows[0].previous_hash == ""
    assert [r.previous_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert AuditChainHead.objects.get().hash == rows[-1].hash


def test_a_changed_row_is_named(trail):
    AuditEvent._base_manager.filter(pk=trail[2].pk).update(summary="nothing to see")
    assert _refusal().startswith(f"Audit row {trail[2].pk} (position 3, ")
    assert "was changed: its content no longer matches its hash" in _refusal()


def test_a_changed_row_whose_hash_was_recomputed_is_named_by_the_next_link(trail):
    from s2s.audit.chain import CONTENT_FIELDS, chain_content, chain_hash

    AuditEvent._base_manager.filter(pk=trail[1].pk).update(action="sign_out")
    row = AuditEvent._base_manager.filter(pk=trail[1].pk).values(*CONTENT_FIELDS).get()
    forged = chain_hash(previous_hash=trail[0].hash, seq=2, content=chain_content(row))
    AuditEvent._base_manager.filter(pk=trail[1].pk).update(hash=forged)
    message = _refusal()
    assert message.startswith(f"Audit row {trail[1].pk} (position 2, ")
    assert "sign_out) was changed: the next row no longer links to it" in message


def test_a_deleted_row_is_named_by_its_place(trail):
    AuditEvent._base_manager.filter(pk__in=[trail[1].pk, trail[2].pk]).delete()
    message = _refusal()
    assert message.startswith("2 audit row(s) at positions 2 to 3 were deleted, just before "
                              f"row {trail[3].pk} (position 4, ")
    assert message.endswith("(1 rows before it hold.)")


def test_deleted_rows_at_the_end_are_noticed_through_the_head(trail):
    AuditEvent._base_manager.filter(pk=trail[4].pk).delete()
    assert _refusal().startswith(
        f"1 audit row(s) at the end, after row {trail[3].pk} (position 4, ")


def test_an_inserted_row_is_named(trail):
    forged = AuditEvent(action="sign_in", actor_username="838user", summary="was never here",
                        at=trail[2].at + timedelta(seconds=1))
    models.Model.save(forged)  # straight into the table, as raw SQL would
    assert _refusal().startswith(f"Audit row {forged.pk} (position 0, ")
    assert "was inserted: the chain never wrote it" in _refusal()


def test_a_copied_row_put_in_the_chain_is_named_as_inserted(trail):
    copy = AuditEvent._base_manager.filter(pk=trail[1].pk).values().get()
    copy.pop("id")
    AuditEvent._base_manager.filter(pk__gt=trail[1].pk).delete()
    inserted = AuditEvent(**copy)
    models.Model.save(inserted)
    assert "was inserted: its position is already taken" in _refusal()
    assert f"row {inserted.pk} (position 2, " in _refusal()


def test_the_chain_is_written_for_rows_that_existed_before_it(transactional_db, la_officer):
    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0001_initial")])
    old = executor.loader.project_state([("audit", "0001_initial")]).apps
    OldEvent = old.get_model("audit", "AuditEvent")
    for n in range(3):
        OldEvent.objects.create(action="sign_in", actor_username="838user", summary=f"old {n}",
                                detail={"n": n})
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    audit_record(action="sign_out", actor=la_officer)
    assert _verify() == "The audit chain holds: 4 rows checked.\n"
    assert list(AuditEvent.objects.order_by("pk").values_list("seq", flat=True)) == [1, 2, 3, 4]


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="concurrent writers need a server database")
@pytest.mark.django_db(transaction=True)
def test_writers_at_the_same_moment_never_fork_the_chain():
    start = threading.Barrier(6)

    def writer(n):
        start.wait()
        try:
            for k in range(15):
                audit_record(action="sign_in", actor_username=f"user{n}", summary=f"{n}.{k}")
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _verify() == "The audit chain holds: 90 rows checked.\n"
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 91))
