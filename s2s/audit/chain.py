"""The audit trail's hash chain: each row carries the hash of its content and of the row before.

Row n stores `seq = n`, `previous_hash` (row n-1's `hash`, "" for the first) and
`hash = sha256(previous_hash, seq, content)`. The one `AuditChainHead` row holds the last
`hash` and the chain's length, so rows removed from the end are noticed too.

`chain_append` is the only writer (`AuditEvent.save` calls it). On PostgreSQL it moves the
head's length on with UPDATE ... RETURNING, which locks the head's row until the transaction
ends and gives the new position and the last hash; then one statement writes the new hash to
the head and inserts the row. On SQLite it reads the head with SELECT ... FOR UPDATE (write
transactions begin IMMEDIATE, `settings.py`, so it runs one writer at a time anyway). Either
way two inserts at once can never link to the same previous row.

`chain_verify` walks the rows in order and names the first one that does not fit: changed
(its content no longer gives its hash, or the next row no longer links to it), inserted (a row
the chain never wrote) or deleted (a gap in the positions, or a head longer than the rows).
The chain has no secret: it shows tampering by anyone who does not also rewrite every later
row and the head, and the database backups (`s2s backup`) keep older heads to compare with.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import connection, transaction
from django.utils.translation import gettext

CONTENT_FIELDS = ("at", "actor_id", "actor_username", "action", "object_type", "object_id",
                  "summary", "ip_address", "detail")


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


def _normalised(event) -> dict:
    """Return the event's content as the database will give it back."""
    values = {name: getattr(event, name) for name in CONTENT_FIELDS}
    field = event._meta.get_field("ip_address")
    values["ip_address"] = field.get_prep_value(values["ip_address"])
    values["detail"] = json.loads(json.dumps(values["detail"] or {}))
    event.detail = values["detail"]
    return values


def chain_append(event, save) -> None:
    """Link `event` to the end of the chain and insert it, in one transaction.

    `save()` inserts it on SQLite; on PostgreSQL the chain's own statement does.
    """
    from s2s.audit.models import AuditChainHead

    if connection.vendor == "postgresql":
        _append_postgresql(event)
        return
    # No savepoint inside the caller's transaction (two statements fewer per audited write):
    # a failed insert fails the caller's whole change, as it must.
    with transaction.atomic(savepoint=False):
        # Locked until commit, so the next insert waits for this one (on SQLite, every write
        # transaction already begins IMMEDIATE, holding the database's one write lock).
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        _link(event, seq=head.length + 1, previous_hash=head.hash)
        save()
        AuditChainHead.objects.filter(pk=1).update(length=event.seq, hash=event.hash)


def _link(event, *, seq: int, previous_hash: str) -> None:
    event.seq = seq
    event.previous_hash = previous_hash
    event.hash = chain_hash(previous_hash=previous_hash, seq=seq,
                            content=chain_content(_normalised(event)))


def _append_postgresql(event) -> None:
    """Link and insert `event` in two statements of SQL written once (audit is on every write).

    The first moves the head's length on, which locks its row until the transaction ends
    and returns the new position with the last hash (not yet changed); the second writes the
    new hash to the head and inserts the row. The rules are `chain_append`'s, in a third of
    the statements and without the ORM's work for each (a save, a get_or_create, an update).
    """
    from s2s.audit.models import AuditChainHead

    head_table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {head_table} SET length = length + 1 WHERE id = 1 "
                       "RETURNING length, hash")
        moved = cursor.fetchone()
        if moved is None:  # the chain's first row: make its head, then take it as above
            AuditChainHead.objects.get_or_create(pk=1)
            cursor.execute(f"UPDATE {head_table} SET length = length + 1 WHERE id = 1 "
                           "RETURNING length, hash")
            moved = cursor.fetchone()
        _link(event, seq=moved[0], previous_hash=moved[1])
        fields, sql = _insert_sql(type(event))
        cursor.execute(sql, [event.hash, *(field.get_db_prep_save(
            field.pre_save(event, add=True), connection) for field in fields)])
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias


_INSERTS: dict = {}


def _insert_sql(model) -> tuple[list, str]:
    """Return the fields an audit row inserts and the statement that moves the head's hash."""
    if model not in _INSERTS:
        from s2s.audit.models import AuditChainHead

        quote = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        _INSERTS[model] = fields, (
            f"WITH moved AS (UPDATE {quote(AuditChainHead._meta.db_table)} SET hash = %s "
            f"WHERE id = 1) INSERT INTO {quote(model._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(model._meta.pk.column)}"
        )
    return _INSERTS[model]


@dataclass(frozen=True)
class ChainBreak:
    """The first place the chain does not hold: what happened, and to which row."""

    kind: str  # "changed", "inserted" or "deleted"
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


def chain_verify(rows=None, head=None) -> tuple[int, ChainBreak | None]:
    """Check the whole chain; return the rows checked and the first break, if any."""
    from s2s.audit.models import AuditChainHead, AuditEvent

    if rows is None:
        rows = (AuditEvent.objects.order_by("pk")
                .values("id", "seq", "previous_hash", "hash", *CONTENT_FIELDS).iterator(2000))
    if head is None:
        head = AuditChainHead.objects.filter(pk=1).values("length", "hash").first() or {
            "length": 0, "hash": ""}
    previous, last, checked = "", None, 0
    for row in rows:
        problem = _row_break(row, seq=checked + 1, previous=previous, last=last)
        if problem is not None:
            return checked, problem
        previous, last, checked = row["hash"], row, checked + 1
    return checked, _head_break(head, checked=checked, previous=previous, last=last)
