"""The audit trail's hash chain: each row carries the hash of its content and of the row before.

Row n of the chain stores `seq = n`, `previous_hash` (row n-1's `hash`, "" for the first) and
`hash = sha256(previous_hash, seq, content)`. The one `AuditChainHead` row holds the last
`hash` and the chain's length, so rows removed from the end are noticed too.

Writers never wait on the chain: `chain_append` (`AuditEvent.save`) inserts the row unchained
(`seq = 0`, no hash) in one statement and, once the transaction commits, makes sure the
follower runs soon (`tasks.follow_soon`). The follower, `chain_follow`, is the chain's only
writer: it locks the head, so one runs at a time, takes the unchained rows it can see in id
order and writes their `seq`, `previous_hash` and `hash` (one UPDATE ... FROM on PostgreSQL).
A row whose transaction commits after rows with higher ids is still unchained when it becomes
visible, so the next run takes it: the chain's order is the order rows became visible to the
follower, not their ids.

`chain_verify` (after running the follower) walks the chain by position and names the first
row that does not fit: changed (its content no longer gives its hash, or the next row no
longer links to it), inserted (a row the chain never wrote, or a second row at a position) or
deleted (a gap in the positions, or a head longer than the rows); then rows left unchained
for more than `STALE_AFTER` (a follower that stopped). The chain has no secret: it shows
tampering by anyone who does not also rewrite every later row and the head, and the database
backups (`s2s backup`) keep older heads to compare with. Between a row's commit and its
chaining (a second or so) it is covered by nothing: a row changed then is chained as changed.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from s2s.core.prepared import Linked, insert_new, insert_new_linked

CONTENT_FIELDS = ("at", "actor_id", "actor_username", "action", "object_type", "object_id",
                  "summary", "ip_address", "detail")
# The follower links at most this many rows a transaction (and holds the head that long).
FOLLOW_BATCH = 1000
# An unchained row older than this (by its time `at`) means the follower is not running.
STALE_AFTER = timedelta(minutes=1)


def chain_content(values: dict) -> bytes:
    """Return a row's content as canonical bytes (the same before saving and after reading)."""
    # To the millisecond: what Django's JSON serialiser keeps, so a restored backup verifies.
    at = values["at"].astimezone(UTC)
    at = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"
    fields = {**{name: values[name] for name in CONTENT_FIELDS}, "at": at}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      default=str).encode()


def chain_hash(*, previous_hash: str, seq: int, content: bytes) -> str:
    """Return the hash that links a row to the one before it."""
    digest = hashlib.sha256()
    digest.update(f"s2s-audit-v1\n{previous_hash}\n{seq}\n".encode())
    digest.update(content)
    return digest.hexdigest()


# --- writing: one INSERT, no lock ---------------------------------------------------------

def chain_append(event, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert `event` unchained in one statement, and have the follower link it after commit.

    The body of `AuditEvent.save` (so `insert_new` is told its caller is the model's save).
    """
    event.seq, event.previous_hash, event.hash = 0, "", ""
    insert_new(event, using=using, from_own_save=True)
    chain_follow_after_commit()


def chain_append_with(event, rows: list[Linked], *, links: dict | None = None,
                      then: tuple | None = None, using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert new `rows`, then `event` unchained, in one statement (`insert_new_linked`).

    For a service whose rows and their audit record are written together; `links` are the
    event's fields that take a new row's id (its `object_id`).
    """
    event.seq, event.previous_hash, event.hash = 0, "", ""
    insert_new_linked([*rows, (event, links or {})], then=then, using=using,
                      own_save_of=type(event))
    chain_follow_after_commit()


def chain_follow_after_commit() -> None:
    """Make sure the follower runs after the current transaction commits (at once if none)."""
    # robust: the row is in; a lost task only delays its chaining to the minutely run.
    transaction.on_commit(_follow_soon, robust=True)


def _follow_soon() -> None:
    from s2s.audit.tasks import follow_soon

    follow_soon()


# --- the follower: the chain's only writer -------------------------------------------------

def chain_follow() -> int:
    """Link every row committed unchained before it runs to the chain's end; return how many."""
    linked = 0
    while (batch := chain_follow_batch()) == FOLLOW_BATCH:
        linked += batch
    return linked + batch


def chain_follow_batch() -> int:
    """Link up to `FOLLOW_BATCH` unchained rows in id order, in one transaction; return how many."""
    from s2s.audit.models import AuditChainHead, AuditEvent

    with transaction.atomic():
        # Locked until commit: one follower at a time. Writers never touch the head.
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        # Read after the lock is held, so rows a follower that just finished linked are not
        # read again, and rows committed while this one waited are seen.
        rows = list(AuditEvent._base_manager.filter(seq=0).order_by("pk")
                    .values("id", *CONTENT_FIELDS)[:FOLLOW_BATCH])
        if not rows:
            return 0
        links, previous, seq = [], head.hash, head.length
        for row in rows:
            seq += 1
            digest = chain_hash(previous_hash=previous, seq=seq, content=chain_content(row))
            links.append((row["id"], seq, previous, digest))
            previous = digest
        _links_write(AuditEvent, links)
        AuditChainHead.objects.filter(pk=1).update(length=seq, hash=previous)
    return len(rows)


def _links_write(model, links: list[tuple[int, int, str, str]]) -> None:
    """Write each row's (id, seq, previous_hash, hash): one statement on PostgreSQL."""
    if connection.vendor != "postgresql":
        for pk, seq, previous, digest in links:
            model._base_manager.filter(pk=pk).update(seq=seq, previous_hash=previous,
                                                     hash=digest)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        # Arrays, not a VALUES list: the statement is the same text for every batch.
        cursor.execute(
            f"UPDATE {table} AS e SET seq = v.seq, previous_hash = v.previous_hash, "
            "hash = v.hash FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[]) "
            "AS v(id, seq, previous_hash, hash) WHERE e.id = v.id AND e.seq = 0",
            [list(column) for column in zip(*links, strict=True)])


# --- verifying ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainBreak:
    """The first place the chain does not hold: what happened, and to which row."""

    kind: str  # "changed", "inserted", "deleted" or "unchained"
    row_id: int | None
    message: str


def _describe(row: dict) -> str:
    return gettext("row %(id)s (position %(seq)s, %(at)s %(action)s)") % {
        "id": row["id"], "seq": row["seq"], "at": f"{row['at']:%Y-%m-%d %H:%M:%S}",
        "action": row["action"]}


def _row_break(row: dict, *, seq: int, previous: str, last: dict | None) -> ChainBreak | None:
    """Return how `row` breaks the chain, expected at position `seq` after hash `previous`."""
    genuine = row["hash"] == chain_hash(previous_hash=row["previous_hash"] or "",
                                        seq=row["seq"] or 0, content=chain_content(row))
    linked = row["seq"] == seq and row["previous_hash"] == previous
    if not genuine:
        if linked:
            return ChainBreak("changed", row["id"], gettext(
                "Audit %(row)s was changed: its content no longer matches its hash.")
                % {"row": _describe(row)})
        return ChainBreak("inserted", row["id"], gettext(
            "Audit %(row)s was inserted: the chain never wrote it.") % {"row": _describe(row)})
    if linked:
        return None
    if row["seq"] == seq and last is not None:
        return ChainBreak("changed", last["id"], gettext(
            "Audit %(row)s was changed: the next row no longer links to it.")
            % {"row": _describe(last)})
    if row["seq"] > seq:
        last_missing = row["seq"] - 1
        values = {"count": last_missing - seq + 1, "first": seq, "last": last_missing,
                  "row": _describe(row)}
        if last_missing == seq:
            return ChainBreak("deleted", row["id"], gettext(
                "%(count)d audit row(s) at position %(first)d were deleted, just before "
                "%(row)s.") % values)
        return ChainBreak("deleted", row["id"], gettext(
            "%(count)d audit row(s) at positions %(first)d to %(last)d were deleted, just "
            "before %(row)s.") % values)
    return ChainBreak("inserted", row["id"], gettext(
        "Audit %(row)s was inserted: its position is already taken.") % {"row": _describe(row)})


def _head_break(head: dict, *, checked: int, previous: str, last: dict | None):
    """Return how the head disagrees with the last row (rows deleted from the end), if it does."""
    if head["length"] == checked and head["hash"] == previous:
        return None
    missing = head["length"] - checked
    values = {"count": missing, "row": _describe(last) if last else ""}
    if missing > 0:
        return ChainBreak("deleted", None, (
            gettext("%(count)d audit row(s) at the end, after %(row)s, were deleted.") if last
            else gettext("%(count)d audit row(s) at the end, from the start, were deleted."))
            % values)
    return ChainBreak("changed", last["id"] if last else None, (
        gettext("The audit chain's head does not match its last row (after %(row)s).") if last
        else gettext("The audit chain's head does not match its last row (from the start)."))
        % values)


def _stale_break(*, now) -> ChainBreak | None:
    """Return the rows the follower should have linked by now, if there are any."""
    from s2s.audit.models import AuditEvent

    stale = AuditEvent._base_manager.filter(seq=0, at__lt=now - STALE_AFTER).order_by("pk")
    first = stale.values("id", "seq", "at", "action").first()
    if first is None:
        return None
    return ChainBreak("unchained", first["id"], gettext(
        "%(count)d audit row(s) written over a minute ago are not in the chain yet, the first "
        "%(row)s: is the chain's follower running (s2s audit follow)?")
        % {"count": stale.count(), "row": _describe(first)})


def chain_verify(*, follow: bool = True) -> tuple[int, ChainBreak | None]:
    """Check the whole chain; return the rows checked and the first break, if any.

    Runs the follower first unless `follow` is False (a check that writes nothing, which
    then names the rows a stopped follower left).
    """
    if follow:
        chain_follow()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The rows and the head from one moment, though a follower commits meanwhile.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return _chain_check()
    return _chain_check()


def _chain_check() -> tuple[int, ChainBreak | None]:
    from s2s.audit.models import AuditChainHead, AuditEvent

    now = timezone.now()
    head = AuditChainHead.objects.filter(pk=1).values("length", "hash").first() or {
        "length": 0, "hash": ""}
    rows = (AuditEvent._base_manager.filter(seq__gt=0).order_by("seq", "pk")
            .values("id", "seq", "previous_hash", "hash", *CONTENT_FIELDS).iterator(2000))
    previous, last, checked = "", None, 0
    for row in rows:
        problem = _row_break(row, seq=checked + 1, previous=previous, last=last)
        if problem is not None:
            return checked, problem
        previous, last, checked = row["hash"], row, checked + 1
    return checked, (_head_break(head, checked=checked, previous=previous, last=last)
                     or _stale_break(now=now))
