"""Benchmark the reports on PostgreSQL with a million transfers (issue 7).

    .venv/bin/python bench/reports.py [--transfers 1000000] [--las 174] [--schools 60]
                                      [--repeat 2] [--keep] [--reuse]

Builds its own world in a fresh PostgreSQL database `s2s_reports_bench` (127.0.0.1:5432, user
postgres, trust authentication), migrated: LAs (the last 22 in Wales), schools in each (one in
50 closed with a successor), and --transfers Transfer rows written with COPY, spread over
three school years with busy Julys and working hours: 85% CTFs, some generic zips and
statutory files, 5% of CTFs to the Lost Pupil Database, 70% of school-to-school CTFs within
their LA; most collected, some awaiting, rejected, deleted or redirected from a closed school.
Transfer.stored_file is nullable (a deleted file has none) and no report reads it, so the
bench writes no StoredFile rows. Then VACUUM ANALYZE.

Times each report as an officer of the busiest LA and as the service across every LA: its
page (the first 501 rows and the charts, what the page shows; the best of --repeat runs)
against the 2 s target, and reading every row as the CSV does (once), with the time to its
first row; the LA start panel. Before timing, it counts the closed days into the reports'
counts (`s2s refresh_report_counts`, the nightly job), so today's rows are read live as in
service. Then streams the whole-nation cluster CSVs and the
national usage, file-movement and school CSVs through the CSV response, printing the time
to the first row and to the end, the bytes, Python's peak allocation (tracemalloc) and the
process's peak RSS growth. Prints the load average before and after. Asserts nothing. Drops
the database on the way out unless --keep; --reuse times the database a --keep run left
(migrated to the current code) instead of building one.
"""

import argparse
import os
import random
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "s2s_reports_bench"
SERVER = "postgres://postgres@127.0.0.1:5432"
OTHER_TYPES = ["PLAS", "ATF", "KS2", "FSP", "EXC", "CFR"]


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "s2s.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _world(n_las: int, n_schools: int):
    """Make the LAs and schools; return (las, schools by LA id, closed schools)."""
    from s2s.directory.models import Establishment, EstablishmentStatus, LocalAuthority, Nation

    las = LocalAuthority.objects.bulk_create([
        LocalAuthority(number=f"{100 + i:03d}", name=f"LA {100 + i}",
                       nation=Nation.WALES if i >= n_las - 22 else Nation.ENGLAND)
        for i in range(n_las)
    ])
    rows = []
    for la in las:
        for j in range(n_schools):
            closed = j % 50 == 49
            rows.append(Establishment(
                la=la, number=f"{1000 + j:04d}", code=f"{la.number}{1000 + j:04d}",
                name=f"School {la.number}{1000 + j}",
                status=EstablishmentStatus.CLOSED if closed else EstablishmentStatus.OPEN))
    schools = Establishment.objects.bulk_create(rows, batch_size=5000)
    by_la: dict[int, list] = {}
    for school in schools:
        by_la.setdefault(school.la_id, []).append(school)
    closed = [s for s in schools if s.status == EstablishmentStatus.CLOSED]
    for school in closed:
        school.successor = by_la[school.la_id][0]
    Establishment.objects.bulk_update(closed, ["successor"], batch_size=2000)
    return las, by_la, closed


def _when(rng: random.Random, start: datetime, days: int) -> datetime:
    day = start + timedelta(days=rng.randrange(days))
    if rng.random() < 0.25:  # the July rush at the end of the school year
        day = day.replace(month=7, day=rng.randint(1, 25))
    hour = rng.choices(range(24), weights=[1] * 7 + [6, 12, 14, 12, 10, 8, 10, 12, 12, 8, 4]
                       + [2] * 6)[0]
    return day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))


def _status(rng: random.Random, uploaded: datetime, now: datetime) -> tuple:
    """Return (status, downloaded, collected, rejected, deleted): recent files still wait."""
    age = (now - uploaded).days
    roll = rng.random()
    if age < 30 and roll < 0.5 or roll < 0.03:
        return "awaiting", None, None, None, None
    done = uploaded + timedelta(hours=rng.randint(1, 200))
    if roll < 0.06:
        return "rejected", done, None, done, None
    if roll < 0.16:
        return "deleted", None, None, None, done
    return "collected", done, done, None, None


def _places(rng, las, by_la, closed, file_type):
    """Return (source fields, destination fields) for one file."""
    la = rng.choice(las)
    school = rng.choice(by_la[la.pk])
    if rng.random() < 0.08:
        src = (f"{la.number}LLLL", None, la.pk, "LLLL")
    else:
        src = (school.code, school.pk, None, "")
    roll = rng.random()
    if file_type == "CTF" and roll < 0.05:
        code = rng.choice(["XXXXXXX", "MMMMMMM"])
        kind = "lost_destination_unknown" if code == "XXXXXXX" else "lost_left_maintained_sector"
        return src, (code, kind, None, None, "", None)
    if file_type in ("PLAS", "EXC", "CFR") or roll < 0.15:
        mailbox = "PLAS" if file_type == "PLAS" else "LLLL"
        return src, (f"{la.number}{mailbox}", "la_mailbox", None, la.pk, mailbox, None)
    other = la if rng.random() < 0.7 else rng.choice(las)
    target = rng.choice(by_la[other.pk])
    if rng.random() < 0.01:
        gone = rng.choice(closed)
        return src, (gone.code, "school", gone.successor_id, None, "", gone.pk)
    return src, (target.code, "school", target.pk, None, "", None)


def _rows(n: int, las, by_la, closed, seed: int = 7):
    rng = random.Random(seed)
    now = datetime.now(UTC)
    start = now - timedelta(days=3 * 365)
    for i in range(n):
        roll = rng.random()
        file_type = "CTF" if roll < 0.85 else "ZIP" if roll < 0.92 else rng.choice(OTHER_TYPES)
        uploaded = min(_when(rng, start, 3 * 365), now - timedelta(minutes=1))
        (s_code, s_est, s_la, s_box), (d_code, kind, d_est, d_la, d_box, redirected) = (
            _places(rng, las, by_la, closed, file_type))
        status, downloaded, collected, rejected, deleted = _status(rng, uploaded, now)
        yield (
            f"{s_code}_{file_type}_{d_code}_{i % 1000:03d}.XML", file_type, s_code, s_est, s_la,
            s_box, d_code, kind, d_est, d_la, d_box, redirected, uploaded, status, collected,
            rejected, "", deleted, "", 1 if downloaded else 0, downloaded, downloaded,
            50_000, f"{i:064x}", rng.randint(1, 30) if file_type == "CTF" else 0, "", "", "",
            "[]",
        )


COLUMNS = (
    "name, file_type, source_code, source_establishment_id, source_la_id, source_mailbox, "
    "destination_code, destination_kind, destination_establishment_id, destination_la_id, "
    "destination_mailbox, redirected_from_id, uploaded_at, status, collected_at, rejected_at, "
    "reject_reason, deleted_at, delete_reason, download_count, first_downloaded_at, "
    "last_downloaded_at, size, sha256, pupil_count, ctf_version, document_qualifier, "
    "data_qualifier, warnings"
)


def _copy_transfers(n: int, las, by_la, closed) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        with cursor.connection.cursor().copy(
                f"COPY transfers_transfer ({COLUMNS}) FROM STDIN") as copy:
            for row in _rows(n, las, by_la, closed):
                copy.write_row(row)
        cursor.execute("VACUUM ANALYZE transfers_transfer")
        cursor.execute("VACUUM ANALYZE directory_establishment")
    return time.perf_counter() - started


def _people(busiest_la):
    from s2s.accounts.models import User
    from s2s.accounts.roles import Role

    officer = User.objects.create_user(username="bench-la", role=Role.LA_USER, la=busiest_la,
                                       email="la@example.gov.uk")
    admin = User.objects.create_user(username="bench-admin", role=Role.ADMIN,
                                     email="admin@example.gov.uk")
    return officer, admin


def _time(fn, repeat: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = fn()
        best = min(best, time.perf_counter() - started)
    return best, count


def _params(report, user, query: dict):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update(query)
    _form, params = report.parse(user, data)
    return params


def _page(report, user, query: dict):
    """What the report's page does: its first screen_rows + 1 rows and its charts."""
    from itertools import islice

    def go():
        params = _params(report, user, query)
        if not report.on_screen(params):  # CSV only: the page runs no query
            return 0
        rows = len(list(islice(report.csv_rows(params), report.screen_rows + 1)))
        report.charts(params)
        return rows

    return go


def _all_rows(report, user, query: dict) -> tuple[float, float, int]:
    """What the CSV does: every row. Return the seconds to the first row and to the last."""
    started = time.perf_counter()
    first, rows = None, 0
    for _row in report.csv_rows(_params(report, user, query)):
        rows += 1
        if first is None:
            first = time.perf_counter() - started
    every = time.perf_counter() - started
    return (every if first is None else first), every, rows


def _cases(officer, admin):
    from s2s.reports.registry import REPORTS

    for name, report in REPORTS.items():
        if report.allowed(officer):
            extra = {"las": " ".join(f"{n:03d}" for n in range(101, 110))} \
                if name == "cluster" else {}
            yield f"{name} (LA {officer.la.number})", report, officer, extra
        extra = {"las": " ".join(f"{n:03d}" for n in range(100, 110))} \
            if name == "cluster" else {}
        yield f"{name} (service, every LA)", report, admin, extra


def _time_reports(officer, admin, repeat: int) -> None:
    from s2s.reports.dashboard import la_dashboard

    print(f"\n{'report':40} {'page s':>7} {'rows':>9} {'1st row s':>9} {'all rows s':>10}"
          "  target: page and first CSV row < 2 s")
    print(f"{'':40} {'':>7} {'':>9} {'(CSV)':>9} {'(CSV)':>10}")
    for label, report, user, extra in _cases(officer, admin):
        page, _shown = _time(_page(report, user, extra), repeat)
        first, every, rows = _all_rows(report, user, extra)  # the CSV reads them all, once
        flag = "" if max(page, first) < 2 else "  OVER"
        print(f"{label:40} {page:7.3f} {rows:9d} {first:9.3f} {every:10.3f}{flag}", flush=True)
    seconds, _ = _time(lambda: la_dashboard(officer.la) and 0, repeat)
    print(f"{'LA start panel (LA ' + officer.la.number + ')':40} {seconds:7.3f}", flush=True)


def _refresh_counts() -> None:
    """Count the closed days into the reports' counts, as the nightly job does."""
    from s2s.reports.models import DownloadCount, HourCount, LAMonthCount
    from s2s.reports.rollup import report_counts_refresh

    started = time.perf_counter()
    counted = report_counts_refresh()
    seconds = time.perf_counter() - started
    sizes = ", ".join(f"{model.objects.count()} {model.__name__}"
                      for model in (HourCount, LAMonthCount, DownloadCount))
    print(f"Report counts refreshed in {seconds:.1f} s (days {counted}): {sizes}", flush=True)


def _stream(report_name: str, user, query: dict) -> None:
    from s2s.reports.exports import csv_response
    from s2s.reports.registry import REPORTS

    report = REPORTS[report_name]
    params = _params(report, user, query)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    size = lines = 0
    first = None
    for chunk in csv_response(report, params).streaming_content:
        size += len(chunk)
        lines += 1
        if lines == 2:  # the header, then the first row
            first = time.perf_counter() - started
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    first_text = f"{first:.2f} s" if first is not None else "-"
    print(f"{report_name + ' ' + str(query):28} {lines - 1:9d} rows {size / 1e6:6.1f} MB; "
          f"first row {first_text:>7}, all {seconds:6.2f} s; Python peak {peak / 1e6:.1f} MB;"
          f" peak RSS grew {(rss_after - rss_before) / 1e3:.1f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=1_000_000)
    parser.add_argument("--las", type=int, default=174)
    parser.add_argument("--schools", type=int, default=60, help="schools per LA")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="time the database an earlier --keep run left (no rebuild)")
    args = parser.parse_args()

    if not args.reuse:
        _admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        _admin_sql(f"CREATE DATABASE {DB_NAME}")
    try:
        _setup_django()
        from django.db.models import Count

        from s2s.accounts.models import User
        from s2s.directory.models import LocalAuthority

        if args.reuse:
            from s2s.transfers.models import Transfer

            print(f"Reusing {DB_NAME}: {Transfer.objects.count()} transfers, "
                  f"{LocalAuthority.objects.count()} LAs", flush=True)
            officer = User.objects.get(username="bench-la")
            admin = User.objects.get(username="bench-admin")
        else:
            las, by_la, closed = _world(args.las, args.schools)
            seconds = _copy_transfers(args.transfers, las, by_la, closed)
            print(f"{args.transfers} transfers, {len(las)} LAs, "
                  f"{sum(map(len, by_la.values()))} schools written and analysed in "
                  f"{seconds:.0f} s", flush=True)
            busiest = (LocalAuthority.objects.annotate(n=Count("establishments__transfers_sent"))
                       .order_by("-n").first())
            officer, admin = _people(busiest)
        _refresh_counts()
        print(f"load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
        _time_reports(officer, admin, args.repeat)
        print("\nStreamed CSV (the whole download)")
        _stream("cluster", admin, {"nation": "england"})
        _stream("usage", admin, {})
        _stream("movement", admin, {})
        _stream("school", admin, {})
        _stream("cluster", admin, {"nation": "wales"})
        print(f"load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
