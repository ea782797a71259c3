"""Benchmark MIS feeds through the API under gunicorn on PostgreSQL.

    .venv/bin/python bench/feeds.py [--scale 1.0] [--pupils 1500] [--sessions 120]
                                    [--clients 4] [--workers 3] [--keep]

Builds its own world in a fresh PostgreSQL database `s2s_fd_bench` (127.0.0.1:5432, user
postgres), migrated from the working tree, with a data directory in a temp dir:
  - one large secondary (8380001) with `--pupils` (1,500) pupils on roll and its connector;
  - the LA night: `400 * scale` schools of LA 838 with `150,000 * scale` pupils between them,
    an LA calendar for 2025/26, and a full term of marks already held (`--sessions`, 120:
    60 weekdays from 1 September 2025), loaded with COPY; an LA census user's token sends
    for every school.
Then, under gunicorn (`--workers` sync workers):
  1. the whole-term attendance feed of the large school (pupils x sessions marks) in one
     `POST /api/v1/feeds/attendance`, then the same feed again (nothing changes); against
     COPY of the same rows into a table of the same shape (`LIKE feeds_mark INCLUDING ALL`)
     on the same box, the ceiling: the ratio of the rates (target >= 0.3);
  2. the night: one new day of marks (AM and PM) for every pupil, one feed per school, sent
     by `--clients` concurrent clients: the time to ingest and validate them all (target:
     400 schools in under 5 minutes), the latency per feed, and the workers' peak memory
     (target < 300 MB). At a scale below 1 the time is also given scaled up to 400 schools.
Prints the figures; asserts nothing. Stops gunicorn and drops the database (unless --keep).
"""

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from upload import RssSampler, gunicorn_start  # noqa: E402 (the upload bench's helpers)

DB_NAME = "s2s_fd_bench"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
TERM_START = date(2025, 9, 1)
BIG_SCHOOL = "0001"
NIGHT_SCHOOLS, NIGHT_PUPILS = 400, 150_000
TARGET_RATIO, TARGET_NIGHT_S, TARGET_MB = 0.3, 300, 300
CODES = ["/"] * 90 + ["L"] * 3 + ["I"] * 4 + ["N", "M", "C"]


def weekdays(start: date, count: int) -> list[date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def database_reset(keep: bool = False) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        if not keep:
            conn.execute(f"CREATE DATABASE {DB_NAME}")


def environment(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ, "DJANGO_SETTINGS_MODULE": "s2s.settings", "DATABASE_URL": DATABASE_URL,
        "S2S_DATA_DIR": str(data_dir), "S2S_MODE": "local", "S2S_DEBUG": "false",
        "S2S_ALLOWED_HOSTS": "127.0.0.1,localhost", "S2S_TASKS_BACKEND": "database",
        "S2S_FEED_MAX_BYTES": str(64 << 20), "S2S_BENCH_SOURCE": str(ROOT),
        "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
    }


class World:
    """The schools, pupils and tokens, made in this process through the ORM and the services."""

    def __init__(self, scale: float, big_pupils: int, sessions: int):
        from django.core.management import call_command

        call_command("migrate", "--no-input", verbosity=0)
        self.sessions = sessions
        self.days = weekdays(TERM_START, sessions // 2)
        self.night = weekdays(self.days[-1] + timedelta(days=1), 1)[0]
        self.schools = max(1, round(NIGHT_SCHOOLS * scale))
        self.per_school = max(1, round(NIGHT_PUPILS * scale / self.schools))
        self._build(big_pupils)

    def _build(self, big_pupils: int) -> None:
        from s2s.accounts.models import ApiToken, User
        from s2s.accounts.roles import Role
        from s2s.calendars.services import calendar_set
        from s2s.directory.models import Establishment, LocalAuthority, Nation

        la = LocalAuthority.objects.create(number="838", name="Dorset", nation=Nation.ENGLAND)
        self.big = Establishment.objects.create(la=la, number=BIG_SCHOOL, name="Big secondary")
        self.night_schools = [Establishment.objects.create(la=la, number=f"{n + 1000:04d}",
                                                           name=f"School {n}")
                              for n in range(self.schools)]
        connector = User.objects.create_user(username="big-mis", role=Role.CONNECTOR,
                                             establishment=self.big, password=None)
        self.census = User.objects.create_user(username="838-census", role=Role.LA_CENSUS,
                                               la=la, password=None)
        calendar_set(user=self.census, owner=la, academic_year="2025/26",
                     terms=[{"start": "2025-09-01", "end": "2025-12-19"}], closures=[])
        self.big_token = ApiToken.issue(connector)[1]
        self.census_token = ApiToken.issue(self.census)[1]
        self.big_upns = self._roll(self.big, big_pupils)

    def _roll(self, school, count: int) -> list[str]:
        from s2s.ctf.identifiers import make_upn
        from s2s.feeds.services import feed_receive

        upns = [make_upn(la="838", establishment=school.number, year=10 + n // 1000,
                         serial=n % 1000) for n in range(count)]
        pupils = [{"upn": upn, "surname": "Pupil", "forename": f"N{n}", "dob": "2012-10-01",
                   "sex": "F", "postcode": "DT1 1AA", "nc_year": "9", "entry_date":
                   "2023-09-04"} for n, upn in enumerate(upns)]
        feed_receive(user=self.census, kind="roll", school=school.code, content=json.dumps(
            {"school": school.code, "full": True, "pupils": pupils}).encode())
        return upns

    def hold_a_term(self) -> int:
        """Roll every night school and COPY a full term of marks for them; return the marks."""
        from django.db import connection

        from s2s.feeds.models import Feed, Pupil

        started, held = time.monotonic(), 0
        for school in self.night_schools:
            self._roll(school, self.per_school)
        feeds = {s.pk: Feed.objects.create(establishment=s, kind="attendance", format="json",
                                           status="accepted").pk for s in self.night_schools}
        pupils = list(Pupil.objects.filter(establishment__in=self.night_schools)
                      .values_list("establishment_id", "pk"))
        rng = random.Random(1)
        with connection.cursor() as cursor, cursor.cursor.copy(
                "COPY feeds_mark (establishment_id, pupil_id, date, session, code, feed_id) "
                "FROM STDIN") as copy:
            for school_id, pupil_id in pupils:
                feed_id = feeds[school_id]
                for day in self.days:
                    copy.write_row((school_id, pupil_id, day, 0, rng.choice(CODES), feed_id))
                    copy.write_row((school_id, pupil_id, day, 1, rng.choice(CODES), feed_id))
                    held += 2
        connection.commit() if not connection.get_autocommit() else None
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"  held: {len(pupils):,} pupils in {self.schools} schools, {held:,} marks "
              f"({time.monotonic() - started:.0f} s to build)")
        return held


def post(port: int, token: str, path: str, body: bytes) -> tuple[int, float, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    started = time.monotonic()
    conn.request("POST", path, body, {"Authorization": f"Bearer {token}",
                                      "Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    elapsed = time.monotonic() - started
    conn.close()
    try:
        answer = json.loads(data)
    except ValueError:
        answer = {"raw": data[:200].decode(errors="replace")}
    return response.status, elapsed, answer


def term_rows(world: World, pupil_ids: list[int], feed_id: int) -> list[tuple]:
    rng = random.Random(2)
    return [(world.big.pk, pupil_id, day, session, rng.choice(CODES), feed_id)
            for pupil_id in pupil_ids for day in world.days for session in (0, 1)]


def copy_ceiling(rows: list[tuple]) -> float:
    """Return the seconds COPY takes to write the rows into a table shaped like feeds_mark."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_mark_copy")
        cursor.execute("CREATE TABLE bench_mark_copy (LIKE feeds_mark INCLUDING ALL)")
    connection.commit() if not connection.get_autocommit() else None
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(
            "COPY bench_mark_copy (establishment_id, pupil_id, date, session, code, feed_id) "
            "FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    connection.commit() if not connection.get_autocommit() else None
    return time.monotonic() - started


def whole_term(world: World, port: int, workers: list[int]) -> None:
    from s2s.feeds.models import Feed, Pupil

    marks = [{"upn": upn, "date": day.isoformat(), "session": session, "code": code}
             for upn in world.big_upns for day in world.days for session, code in
             (("AM", "/"), ("PM", "\\"))]
    rng = random.Random(3)
    for mark in marks:
        mark["code"] = rng.choice(CODES) if mark["session"] == "AM" else mark["code"]
    body = json.dumps({"school": world.big.code, "marks": marks}).encode()
    sampler = RssSampler(workers)
    sampler.start()
    status, first, answer = post(port, world.big_token, "/api/v1/feeds/attendance", body)
    status2, again, answer2 = post(port, world.big_token, "/api/v1/feeds/attendance", body)
    sampler.stopping.set()
    sampler.join()
    n = len(marks)
    print(f"\n1. Whole-term attendance feed of one school: {len(world.big_upns):,} pupils x "
          f"{world.sessions} sessions = {n:,} marks, {len(body) / 1e6:.1f} MB of JSON")
    print(f"   first send:  {status}, changed {answer.get('counts', {}).get('changed')}, "
          f"{first:.2f} s, {n / first:,.0f} marks/s")
    print(f"   same again:  {status2}, changed {answer2.get('counts', {}).get('changed')}, "
          f"{again:.2f} s, {n / again:,.0f} marks/s")
    pupil_ids = list(Pupil.objects.filter(establishment=world.big).values_list("pk", flat=True))
    seconds = copy_ceiling(term_rows(world, pupil_ids, Feed.objects.first().pk))
    ratio = (n / first) / (n / seconds)
    print(f"   COPY of the same {n:,} rows (same table shape): {seconds:.2f} s, "
          f"{n / seconds:,.0f} rows/s")
    print(f"   ratio s2s/COPY: {ratio:.2f} (target >= {TARGET_RATIO})")
    print(f"   worker peak RSS: {max(sampler.peaks.values()) / 1024:.0f} MB")


def night_bodies(world: World) -> list[bytes]:
    from s2s.feeds.models import Pupil

    by_school: dict[int, list[str]] = {}
    for school_id, upn in Pupil.objects.filter(establishment__in=world.night_schools) \
            .values_list("establishment_id", "upn"):
        by_school.setdefault(school_id, []).append(upn)
    rng = random.Random(4)
    day = world.night.isoformat()
    return [json.dumps({"school": school.code, "marks": [
        {"upn": upn, "date": day, "session": session, "code": rng.choice(CODES)}
        for upn in by_school[school.pk] for session in ("AM", "PM")]}).encode()
        for school in world.night_schools]


def the_night(world: World, port: int, workers: list[int], clients: int, scale: float) -> None:
    bodies = night_bodies(world)
    sampler = RssSampler(workers)
    sampler.start()
    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda body: post(port, world.census_token,
                                                  "/api/v1/feeds/attendance", body), bodies))
    wall = time.monotonic() - started
    sampler.stopping.set()
    sampler.join()
    ok = [r for r in results if r[0] == 201]
    marks = sum(r[2]["counts"]["received"] for r in ok)
    changed = sum(r[2]["counts"]["changed"] for r in ok)
    latencies = sorted(r[1] for r in results)
    peak = max(sampler.peaks.values()) / 1024
    print(f"\n2. The LA night: {len(bodies)} schools, {world.per_school * len(bodies):,} "
          f"pupils, one new day ({world.night}) from every school, {clients} clients")
    print(f"   {len(ok)}/{len(results)} feeds 201, {marks:,} marks received, {changed:,} "
          f"changed, in {wall:.1f} s ({marks / wall:,.0f} marks/s, {len(ok) / wall:.1f} "
          "feeds/s)")
    print(f"   per feed: p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p99 {latencies[int(0.99 * (len(latencies) - 1))] * 1000:.0f} ms")
    if scale < 1:
        print(f"   scaled to {NIGHT_SCHOOLS} schools (linear): {wall / scale:.0f} s "
              f"(target < {TARGET_NIGHT_S} s)")
    else:
        print(f"   target: < {TARGET_NIGHT_S} s")
    print(f"   worker peak RSS: {peak:.0f} MB each at most, "
          f"{sum(sampler.peaks.values()) / 1024:.0f} MB for all {len(workers)} "
          f"(target < {TARGET_MB} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the LA night's 400 schools and 150,000 pupils")
    parser.add_argument("--pupils", type=int, default=1500, help="the large school's roll")
    parser.add_argument("--sessions", type=int, default=120, help="sessions in the term")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database and temp dir")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="s2s-feeds-bench-"))
    env = environment(workdir / "data")
    os.environ.update(env)
    database_reset()
    server = None
    try:
        import django

        django.setup()
        print(f"Building the world (scale {args.scale}) in {DB_NAME} ...")
        world = World(args.scale, args.pupils, args.sessions)
        world.hold_a_term()
        from django.db import connection

        connection.close()
        server = gunicorn_start(f"sync:{args.workers}", env, workdir)
        workers = server.workers()
        print(f"gunicorn: {args.workers} sync workers on port {server.port}; "
              f"{os.cpu_count()} cores")
        whole_term(world, server.port, workers)
        the_night(world, server.port, workers, args.clients, args.scale)
    finally:
        if server is not None:
            server.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            database_reset(keep=True)
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {DB_NAME} and {workdir}")


if __name__ == "__main__":
    main()
