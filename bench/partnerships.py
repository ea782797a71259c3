"""Benchmark a partnership: a term of lesson attendance pushed, and the combined view read.

    .venv/bin/python bench/partnerships.py [--pupils 3000] [--members 12] [--days 60]
                                           [--lessons 2] [--views 200] [--keep]

Builds its own world in a fresh PostgreSQL database `s2s_partners_bench` (127.0.0.1:5432, user
postgres), migrated from the working tree, with a data directory in a temp dir: LA 838 with
`--members` (12) institutions, a school user and an MIS connector each, and one partnership
of them all, signed by every member, sharing attendance. `--pupils` (3,000) pupils are linked
(the first 50 through `pupil_link`, the rest written as it writes them, in bulk): each has a
main institution and a subsidiary (the next member round the ring), from the term's start.

1. Ingest: for `--days` (60) weekdays ending last Friday, each pupil's main marks its AM and
   PM sessions and its subsidiary `--lessons` (2) lessons a day, sent by the members'
   connectors through the service the API calls (`records_push`, 5,000 records a push, in
   one thread): records per second. The floor it is a ratio to: the same rows copied (COPY)
   into a bare table of the same shape (`LIKE partnerships_sharedrecord INCLUDING ALL`) on
   the same box, the fastest the database takes them; ratio = service rate / COPY rate.
2. The combined view: `--views` (200) random pupils read by their main institution's user,
   through the service (`pupil_view_read`: the policy, every record of the term, the
   attendance summary, the audit row) and through the API in-process (`GET
   /api/v1/partnerships/{id}/pupils/{upn}` with a bearer token): median and p95 in ms
   (target: p95 under 200 ms), and the floor: one bare SELECT of the pupil's records (no
   policy, no audit), with the ratio of the p95s.

Prints the figures; asserts nothing. Drops the database at the end (unless --keep).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "s2s_partners_bench"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
BATCH = 5000
CODES = ["/"] * 92 + ["L", "I", "I", "N", "M", "O", "C", "B"]


def database_reset(*, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {DB_NAME}")


def django_start(data_dir: str) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "s2s.settings", "S2S_MODE": "local", "S2S_DEBUG": "false",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        "S2S_DATA_DIR": data_dir, "S2S_ALLOWED_HOSTS": "testserver",
        "S2S_TASKS_BACKEND": "immediate",
    })
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)


def weekdays_before(today: date, count: int) -> list[date]:
    days, day = [], today - timedelta(days=today.weekday() + 3)  # last Friday
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


def world(members: int, pupils: int, first_day: date):
    """Return (partnership, {code: (school user, connector)}, [(upn, main, partner)])."""
    from s2s.accounts.models import User
    from s2s.accounts.roles import Role
    from s2s.ctf.identifiers import make_upn
    from s2s.directory.models import Establishment, LocalAuthority
    from s2s.partnerships.models import PupilLink, PupilPlace
    from s2s.partnerships.services import partnership_create, partnership_sign, pupil_link

    la = LocalAuthority.objects.create(number="838", name="Dorset", nation="england",
                                       email="s2s@dorset.example.gov.uk")
    people = {}
    for n in range(members):
        school = Establishment.objects.create(la=la, number=f"{4000 + n}", name=f"Member {n}",
                                              email=f"office{n}@school.example.sch.uk")
        people[school.code] = tuple(
            User.objects.create_user(username=f"{school.code}{suffix}", role=role,
                                     establishment=school, email=f"{school.code}{suffix}@e.uk")
            for suffix, role in (("", Role.SCHOOL), ("-mis", Role.CONNECTOR)))
    codes = sorted(people)
    partnership = partnership_create(
        user=people[codes[0]][0], name="Bench partnership", members=codes[1:],
        purpose="Benchmark", kinds=["attendance"], lawful_basis="Public task",
        retention_days=365, review_date=date.today() + timedelta(days=120))
    for code in codes:
        partnership_sign(user=people[code][0], partnership_id=partnership.pk)
    linked = []
    for n in range(pupils):
        main, partner = codes[n % members], codes[(n + 1) % members]
        upn = make_upn(la="838", establishment=main[3:], year=10 + n // 1000, serial=n % 1000)
        linked.append((upn, main, partner))
    # The first 50 through the service; the rest as the service writes them, in bulk (the
    # world is not what is measured).
    for upn, main, partner in linked[:50]:
        pupil_link(user=people[main][0], partnership_id=partnership.pk, upn=upn, main=main,
                   links=[{"school": partner, "role": "subsidiary", "courses": ["BTEC"],
                           "linked_from": first_day}])
    schools = {e.code: e for e in Establishment.objects.all()}
    links = PupilLink.objects.bulk_create(
        PupilLink(partnership=partnership, upn=upn, main=schools[main])
        for upn, main, _p in linked[50:])
    PupilPlace.objects.bulk_create(
        place for link, (_u, main, partner) in zip(links, linked[50:], strict=True)
        for place in (
            PupilPlace(link=link, partnership=partnership, establishment=schools[main],
                       role="main", linked_from=first_day),
            PupilPlace(link=link, partnership=partnership, establishment=schools[partner],
                       role="subsidiary", courses=["BTEC"], linked_from=first_day)))
    return partnership, people, linked


def term_batches(linked, days, lessons):
    """Yield (sender, records) a push at a time: each member's records for the term, its
    mains' AM and PM sessions then its partners' lessons, built as the push needs them."""
    rng = random.Random(16)
    senders = sorted({main for _u, main, _p in linked})
    for code in senders:
        items = []
        for day in days:
            for upn, main, partner in linked:
                slots = ([("session", s) for s in ("AM", "PM")] if main == code else []) + (
                    [("lesson", f"P{n + 1}") for n in range(lessons)] if partner == code
                    else [])
                for field, value in slots:
                    items.append({"upn": upn, "kind": "attendance", "date": day,
                                  field: value, "code": rng.choice(CODES)})
                if len(items) >= BATCH:
                    yield code, items
                    items = []
        if items:
            yield code, items


def ingest(partnership, people, batches) -> tuple[int, float]:
    """Push every batch through the service; return the records taken and the seconds spent
    in the service (building the batches is the MIS's work, not counted)."""
    from s2s.partnerships.records import records_push

    total, elapsed = 0, 0.0
    for code, items in batches:
        started = time.perf_counter()
        total += records_push(user=people[code][1], partnership_id=partnership.pk,
                              items=items)
        elapsed += time.perf_counter() - started
    return total, elapsed


def floor(total_rows: int) -> float:
    """Copy the service's rows, as stored, into a bare table of the same shape; return s."""
    from django.db import connection, transaction

    columns = ("partnership_id", "link_id", "source_id", "kind", "date", "session", "lesson",
               "code", "minutes_late", "sealed", "recorded_at")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_floor (LIKE partnerships_sharedrecord "
                       "INCLUDING ALL)")
        cursor.execute(f"SELECT {', '.join(columns)} FROM partnerships_sharedrecord")
        rows = cursor.fetchall()
        assert len(rows) == total_rows
        started = time.perf_counter()
        with cursor.cursor.copy(f"COPY bench_floor ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_floor")
    return elapsed


def views(partnership, people, linked, count) -> tuple[list[float], ...]:
    from django.db import connection
    from django.test import Client

    from s2s.accounts.models import ApiToken
    from s2s.partnerships.services import pupil_view_read

    rng = random.Random(4)
    tokens = {code: ApiToken.issue(user)[1] for code, (user, _c) in people.items()}
    client = Client()
    service_ms, api_ms, floor_ms = [], [], []
    bare = ("SELECT r.* FROM partnerships_sharedrecord r JOIN partnerships_pupillink l "
            "ON l.id = r.link_id WHERE l.partnership_id = %s AND l.upn = %s "
            "ORDER BY r.date, r.session, r.lesson, r.id")
    for upn, main, _partner in rng.sample(linked, min(count, len(linked))):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(bare, [partnership.pk, upn])
            cursor.fetchall()
        floor_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        view = pupil_view_read(user=people[main][0], partnership_id=partnership.pk, upn=upn)
        service_ms.append((time.perf_counter() - started) * 1000)
        assert view["attendance"]
        started = time.perf_counter()
        answer = client.get(f"/api/v1/partnerships/{partnership.pk}/pupils/{upn}",
                            headers={"Authorization": f"Bearer {tokens[main]}"})
        api_ms.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.content[:200]
    return service_ms, api_ms, floor_ms


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pupils", type=int, default=3000)
    parser.add_argument("--members", type=int, default=12)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--lessons", type=int, default=2)
    parser.add_argument("--views", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    database_reset()
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            django_start(data_dir)
            days = weekdays_before(date.today(), args.days)
            started = time.perf_counter()
            partnership, people, linked = world(args.members, args.pupils, days[0])
            print(f"world: {args.members} members, {len(linked)} pupils linked in "
                  f"{time.perf_counter() - started:.1f} s")
            batches = term_batches(linked, days, args.lessons)
            total, elapsed = ingest(partnership, people, batches)
            rate = total / elapsed
            copy_s = floor(total)
            print(f"ingest: {total} records ({args.days} days: 2 sessions at the main, "
                  f"{args.lessons} lessons at the subsidiary) in {elapsed:.1f} s = "
                  f"{rate:,.0f} records/s")
            print(f"floor: COPY of the same rows into a bare table {copy_s:.1f} s = "
                  f"{total / copy_s:,.0f} rows/s; ratio service/floor = "
                  f"{rate / (total / copy_s):.2f}")
            service_ms, api_ms, floor_ms = views(partnership, people, linked, args.views)
            per_pupil = total // len(linked)
            print(f"floor: one bare SELECT of a pupil's records: median "
                  f"{statistics.median(floor_ms):.1f} ms, p95 {p95(floor_ms):.1f} ms")
            for label, values in (("service", service_ms), ("API", api_ms)):
                print(f"combined view ({label}, {len(values)} pupils, ~{per_pupil} records "
                      f"each): median {statistics.median(values):.0f} ms, p95 "
                      f"{p95(values):.0f} ms (target p95 < 200 ms); p95 / floor p95 = "
                      f"{p95(values) / p95(floor_ms):.0f}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            database_reset(drop_only=True)


if __name__ == "__main__":
    main()
