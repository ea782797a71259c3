"""Writing attendance marks in bulk: COPY for new marks, one UPDATE for changed ones.

The caller holds the school's lock (`services._ingest`), so the marks it read are still the
school's marks when it writes: a mark it did not find is new and is inserted, one it found
with another code is updated in place. On PostgreSQL new marks are copied (COPY) straight
into the table and changed ones copied into a temporary table and applied with one
`UPDATE ... FROM`; elsewhere (SQLite) one `executemany` does each. Never a statement per mark.
"""

from collections.abc import Collection, Iterable, Iterator
from datetime import date

from django.db import connection

from s2s.feeds.models import Mark

COLUMNS = ("establishment_id", "pupil_id", "date", "session", "code", "feed_id")
_STAGE = "feeds_mark_stage"


def _table() -> str:
    return connection.ops.quote_name(Mark._meta.db_table)


def _copy(cursor, table: str, rows: Iterable[tuple]) -> int:
    count = 0
    with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def marks_insert(*, rows: Iterable[tuple]) -> None:
    """Insert new marks: rows of (establishment, pupil, date, session, code, feed) ids."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, _table(), rows)
            return
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        # Dates as text: SQLite stores them so, and Python's own date adapter is deprecated.
        cursor.executemany(
            f"INSERT INTO {_table()} ({', '.join(COLUMNS)}) VALUES ({placeholders})",
            [(s, p, d.isoformat(), n, c, f) for s, p, d, n, c, f in rows])


def marks_update(*, rows: Iterable[tuple]) -> None:
    """Give held marks their new code and feed: rows as for `marks_insert`."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (establishment_id bigint, "
                "pupil_id bigint, date date, session smallint, code varchar(2), "
                "feed_id bigint) ON COMMIT DELETE ROWS")
            cursor.execute(f"TRUNCATE {_STAGE}")
            if _copy(cursor, _STAGE, rows):
                cursor.execute(
                    f"UPDATE {_table()} AS m SET code = s.code, feed_id = s.feed_id "
                    f"FROM {_STAGE} AS s WHERE m.pupil_id = s.pupil_id AND m.date = s.date "
                    "AND m.session = s.session")
            return
        cursor.executemany(
            f"UPDATE {_table()} SET code = %s, feed_id = %s "
            "WHERE pupil_id = %s AND date = %s AND session = %s",
            [(c, f, p, d.isoformat(), n) for _s, p, d, n, c, f in rows])


def marks_existing(*, establishment_id: int, start: date, end: date) -> dict:
    """Return {(pupil, date, session): (code, feed)} of the school's marks in [start, end].

    Read with one query and no model objects: a term of a large school is 180,000 marks.
    """
    sql = (f"SELECT pupil_id, date, session, code, feed_id FROM {_table()} "
           "WHERE establishment_id = %s AND date >= %s AND date <= %s")
    days: dict = {}
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [establishment_id, start, end])
        for pupil_id, day, session, code, feed_id in cursor.fetchall():
            if not isinstance(day, date):  # SQLite gives text
                day = days.get(day) or days.setdefault(day, date.fromisoformat(day))
            found[(pupil_id, day, session)] = (code, feed_id)
    return found


def mark_slot(*, day: date, session: int, start: date) -> str:
    """Return the one-character name of a session counted from `start` (see marks_by_pupil)."""
    return chr(SLOT_BASE + (day - start).days * 2 + session)


# A slot's character is this far into Unicode: clear of the separator and of control codes.
SLOT_BASE = 256


def marks_by_pupil(*, establishment_id: int, start: date, end: date,
                   pupil_ids: Collection[int]) -> Iterator[tuple[int, dict]]:
    """Yield (pupil, {slot: code}) for these pupils' marks at the school in [start, end].

    A slot names a session in one character, `mark_slot`. On PostgreSQL one query returns
    one row per pupil, its slots joined into one string and its codes into another (both
    aggregates read the group's rows in the same order), so a school's year of marks (a few
    hundred thousand) crosses to Python as a few hundred rows, split in C; the pupils' own
    index (pupil, date, session) finds their rows. Elsewhere (SQLite) rows are read one by one.
    """
    if not pupil_ids:
        return
    if connection.vendor != "postgresql":
        yield from _marks_by_pupil_rows(establishment_id, start, end, pupil_ids)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pupil_id, string_agg(chr((%s + (date - %s) * 2 + session)::int), ''), "
            f"string_agg(code, ',') FROM {_table()} WHERE pupil_id = ANY(%s) "
            "AND establishment_id = %s AND date >= %s AND date <= %s GROUP BY pupil_id",
            [SLOT_BASE, start, list(pupil_ids), establishment_id, start, end])
        for pupil_id, slots, codes in cursor.fetchall():
            yield pupil_id, dict(zip(slots, codes.split(","), strict=True))


def _marks_by_pupil_rows(establishment_id: int, start: date, end: date,
                         pupil_ids: Collection[int]) -> Iterator[tuple[int, dict]]:
    found: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pupil_id, date, session, code FROM {_table()} WHERE establishment_id = %s "
            f"AND date >= %s AND date <= %s AND pupil_id IN "
            f"({', '.join(['%s'] * len(pupil_ids))})",
            [establishment_id, start.isoformat(), end.isoformat(), *pupil_ids])
        for pupil_id, day, session, code in cursor.fetchall():
            slot = mark_slot(day=date.fromisoformat(str(day)), session=session, start=start)
            found.setdefault(pupil_id, {})[slot] = code
    yield from found.items()
