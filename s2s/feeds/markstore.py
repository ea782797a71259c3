"""Writing attendance marks in bulk: one upsert per batch, never a statement per mark.

On PostgreSQL the rows are copied (COPY) into a temporary table and moved with one
`INSERT ... SELECT ... ON CONFLICT DO UPDATE`; elsewhere (SQLite) one `INSERT ... ON CONFLICT
DO UPDATE` is executed over the batch. Either way a mark for the same pupil, day and session
replaces the earlier one in place.
"""

from collections.abc import Iterable
from datetime import date

from django.db import connection

from s2s.feeds.models import Mark

COLUMNS = ("establishment_id", "pupil_id", "date", "session", "code", "feed_id")
BATCH = 20_000
_STAGE = "feeds_mark_stage"


def _table() -> str:
    return connection.ops.quote_name(Mark._meta.db_table)


def _upsert_sql(source: str) -> str:
    columns = ", ".join(COLUMNS)
    return (f"INSERT INTO {_table()} ({columns}) {source} "
            "ON CONFLICT (pupil_id, date, session) "
            "DO UPDATE SET code = EXCLUDED.code, feed_id = EXCLUDED.feed_id")


def _write_postgresql(rows: list[tuple]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (establishment_id bigint, "
            "pupil_id bigint, date date, session smallint, code varchar(2), feed_id bigint) "
            "ON COMMIT DELETE ROWS")
        cursor.execute(f"TRUNCATE {_STAGE}")
        columns = ", ".join(COLUMNS)
        with cursor.cursor.copy(f"COPY {_STAGE} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(_upsert_sql(f"SELECT {columns} FROM {_STAGE}"))


def _write_other(rows: list[tuple]) -> None:
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    with connection.cursor() as cursor:
        # Dates as text: SQLite stores them so, and Python's own date adapter is deprecated.
        cursor.executemany(_upsert_sql(f"VALUES ({placeholders})"),
                           [(s, p, d.isoformat(), n, c, f) for s, p, d, n, c, f in rows])


def marks_write(*, rows: Iterable[tuple]) -> None:
    """Insert or replace marks: rows of (establishment, pupil, date, session, code, feed) ids.

    Call inside the feed's transaction.
    """
    write = _write_postgresql if connection.vendor == "postgresql" else _write_other
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            write(batch)
            batch = []
    if batch:
        write(batch)


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
