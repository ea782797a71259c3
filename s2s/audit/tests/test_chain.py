"""Issue 18: the audit trail is hash-chained; `s2s audit verify` names the first broken row.

Rows go in unchained and the follower links them (chain.py). In tests marked `db` nothing
commits, so the follower runs when verify runs it (or a test calls it); in `transactional_db`
tests it runs after each commit, as the task queued on commit does.
"""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from s2s.audit import tasks
from s2s.audit.chain import chain_follow, chain_verify
from s2s.audit.models import AuditChainHead, AuditEvent
from s2s.audit.services import audit_record

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                     reason="concurrent writers need a server database")


def _verify(*args) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def _refusal(*args) -> str:
    with pytest.raises(CommandError) as refused:
        _verify(*args)
    return str(refused.value)


@pytest.fixture
def trail(db, la_officer):
    events = [audit_record(action="sign_in", actor=la_officer, ip_address="2001:db8::1",
                           detail={"n": n, "upn": "A123456789012", "why": ("a", "b")},
                           summary=f"event {n}")
              for n in range(5)]
    chain_follow()
    return list(AuditEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("pk"))


def test_a_row_goes_in_unchained_and_the_follower_links_it(db, la_officer):
    event = audit_record(action="sign_in", actor=la_officer)
    event.refresh_from_db()
    assert (event.seq, event.previous_hash, event.hash) == (0, "", "")
    out = StringIO()
    call_command("audit", "follow", stdout=out)
    assert out.getvalue() == "Linked 1 audit rows into the chain.\n"
    event.refresh_from_db()
    assert event.seq == 1
    assert len(event.hash) == 64


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
                        at=trail[2].at + timedelta(seconds=1), seq=3,
                        previous_hash=trail[1].hash, hash="0" * 64)
    models.Model.save(forged)  # straight into the chain, as raw SQL would
    assert _refusal().startswith(f"Audit row {forged.pk} (position 3, ")
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


@postgresql_only
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
    # Each commit's follower ran after it, racing the others: none is left unchained.
    assert not AuditEvent.objects.filter(seq=0).exists()
    assert _verify("--no-follow") == "The audit chain holds: 90 rows checked.\n"
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 91))


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_row_committed_after_rows_with_higher_ids_is_chained_after_them():
    inserted, go = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                audit_record(action="sign_in", actor_username="slow", summary="late")
                inserted.set()
                go.wait(10)
        finally:
            connection.close()

    slow = threading.Thread(target=slow_writer)
    slow.start()
    assert inserted.wait(10)
    for n in range(3):  # each commits, and its follower runs, while the slow row is unseen
        audit_record(action="sign_in", actor_username="quick", summary=f"quick {n}")
    assert AuditChainHead.objects.get().length == 3
    go.set()
    slow.join()
    assert _verify("--no-follow") == "The audit chain holds: 4 rows checked.\n"
    late = AuditEvent.objects.get(summary="late")
    assert late.seq == 4
    assert late.pk < AuditEvent.objects.get(summary="quick 0").pk


def test_a_row_that_became_visible_late_with_a_lower_id_is_chained_not_called_inserted(
        db, la_officer):
    # As on PostgreSQL when a transaction that inserted first commits last: the follower has
    # linked the rows after it before it can see it.
    events = [audit_record(action="sign_in", actor=la_officer, summary=f"event {n}")
              for n in range(4)]
    late = AuditEvent._base_manager.filter(pk=events[0].pk).values().get()
    AuditEvent._base_manager.filter(pk=events[0].pk).delete()
    assert chain_follow() == 3
    models.Model.save(AuditEvent(**late))  # visible now, with its own (lowest) id
    assert chain_follow() == 1
    assert _verify("--no-follow") == "The audit chain holds: 4 rows checked.\n"
    assert AuditEvent.objects.get(pk=events[0].pk).seq == 4


def test_a_row_the_follower_has_not_linked_for_a_minute_is_named(db, la_officer):
    audit_record(action="sign_in", actor=la_officer, summary="just now")
    stale = AuditEvent.objects.create(action="sign_out", actor=la_officer,
                                      at=timezone.now() - timedelta(minutes=2))
    message = _refusal("--no-follow")
    assert message.startswith(
        "1 audit row(s) written over a minute ago are not in the chain yet, the first "
        f"row {stale.pk} (position 0, ")
    assert "is the chain's follower running (s2s audit follow)?" in message
    assert _verify() == "The audit chain holds: 2 rows checked.\n"  # the follower runs first


def test_rows_added_together_are_linked_in_their_order(db, la_officer):
    AuditEvent.objects.bulk_create([AuditEvent(action="sign_in", summary=f"bulk {n}", seq=9,
                                               hash="forged") for n in range(3)])
    assert _verify() == "The audit chain holds: 3 rows checked.\n"
    assert list(AuditEvent.objects.order_by("seq").values_list("summary", flat=True)) == [
        "bulk 0", "bulk 1", "bulk 2"]


def test_an_audited_commit_queues_one_follower_for_the_writes_until_it_is_due(
        transactional_db, settings, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(tasks, "_follower_due", None)
    clock = [timezone.now()]
    monkeypatch.setattr(tasks.timezone, "now", lambda: clock[0])
    audit_record(action="sign_in", actor_username="one")
    clock[0] += timedelta(milliseconds=500)
    audit_record(action="sign_in", actor_username="two")  # the first one's follower covers it
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "s2s.audit.tasks.follow_audit_chain"
    assert queued.run_after > clock[0]
    clock[0] += timedelta(seconds=1)
    audit_record(action="sign_in", actor_username="three")  # after it was due: another
    assert DBTaskResult.objects.count() == 2
    assert not AuditEvent.objects.exclude(seq=0).exists()  # no worker ran them here
    assert chain_verify() == (3, None)


@pytest.mark.django_db(transaction=True)
def test_rows_dumped_before_the_follower_linked_them_are_linked_when_loaded(tmp_path):
    # As `s2s backup` then `s2s restore`: rows written after the backup's follower ran are
    # dumped unchained, and the restore's verify links them.
    audit_record(action="sign_in", actor_username="838user", summary="chained")
    waiting = AuditEvent(action="sign_out", actor_username="838user", summary="waiting",
                         at=timezone.now() - timedelta(minutes=5))
    models.Model.save(waiting)  # committed, its follower not yet run
    dump = tmp_path / "audit.json"
    call_command("dumpdata", "audit", output=str(dump), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("loaddata", str(dump), verbosity=0)
    assert chain_verify(follow=False)[1].kind == "unchained"
    assert chain_verify() == (2, None)
    assert AuditEvent.objects.get(summary="waiting").seq == 2
