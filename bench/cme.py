"""Benchmark the CME signal recompute on PostgreSQL: a full recompute and a night's.

    .venv/bin/python bench/cme.py                          # 15,000 pupils, 40 schools
    .venv/bin/python bench/cme.py --pupils 150000 --schools 400   # the issue's size
    .venv/bin/python bench/cme.py --reuse --before DIR     # also an earlier tree, same data

Builds its own world in a fresh PostgreSQL database `s2s_cmebench` (127.0.0.1:5432, user
postgres; another name in S2S_CMEBENCH_DB keeps two sizes side by side), migrated from the
working tree: LA 838 (England) with its 2025/26 calendar (six
terms, half-term 27-31 October, an INSET day; bank holidays from the calendar), `--schools`
schools (a tenth of them secondaries of 1,500 pupils, the rest sharing the other pupils), and
a full school year of marks up to the day before the last of the summer term, COPY'd in with
the table's indexes dropped and built again after. Pupils follow profiles that make every
signal fire: most present with a little absence; some persistently or severely absent; some
with a long unauthorised absence or a long illness; a few dual registered (D) or suspended.

Then, each in a fresh process (so its peak RSS is its own) and with the signals emptied first:
  1. floor: read every school's marks the way the recompute reads them (one query per school,
     `feeds.markstore.marks_by_pupil`) and nothing else;
  2. full: `signals_recompute_due(full=True)`: every school, every pupil (target: 150,000
     pupils in 400 schools in under 15 minutes);
  3. night: one night's feed for every school (the last day's marks for every pupil, and 1%
     of pupils with a mark two days back recoded, its old version kept as the feeds app
     does), then `signals_recompute_due()` on the watermark (target: under 2 minutes);
  4. one: `signals_recompute` of one secondary of 1,500 pupils (before: about 13 s).
Prints seconds, marks per second, ratios to the floor, signals fired and peak RSS. The night's
feed is taken away again after, so `--reuse` (with `--keep`) times the same data again.
`--before DIR` times phases 2-4 with the `s2s` package of DIR too (`git archive REV s2s |
tar -x -C DIR`), on the same data. Asserts nothing.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = os.environ.get("S2S_CMEBENCH_DB", "s2s_cmebench")
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
TERMS = [("2025-09-03", "2025-10-24"), ("2025-11-03", "2025-12-19"),
         ("2026-01-05", "2026-02-13"), ("2026-02-23", "2026-03-27"),
         ("2026-04-13", "2026-05-22"), ("2026-06-01", "2026-07-22")]
INSET = date(2025, 11, 14)
BIG = 1500
TARGET_FULL_S, TARGET_NIGHT_S = 15 * 60, 2 * 60
FULL_PUPILS = 150_000
# Profiles: (share of pupils, codes, their weights).
REGULAR = (["/", "L", "I", "M", "N", "O"], [930, 20, 25, 10, 10, 5])
PERSISTENT = (["/", "I", "N", "O", "M"], [80, 8, 6, 3, 3])
SEVERE = (["/", "N", "O", "I"], [40, 30, 20, 10])
NIGHT_FEED_AT = datetime.now(UTC).replace(microsecond=0)
YEAR_FEED_AT = NIGHT_FEED_AT - timedelta(days=1)


def environment(source: Path, data_dir: str) -> dict[str, str]:
    return {
        **os.environ, "DJANGO_SETTINGS_MODULE": "s2s.settings", "DATABASE_URL": DATABASE_URL,
        "S2S_DATA_DIR": data_dir, "S2S_MODE": "local", "S2S_DEBUG": "false",
        "PYTHONPATH": str(source), "PYTHONUNBUFFERED": "1", "S2S_CMEBENCH_DB": DB_NAME,
    }


def django_setup(source: Path) -> None:
    sys.path.insert(0, str(source))
    import django

    django.setup()


def database_reset() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def database_drop() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def school_days() -> list[date]:
    import holidays

    closed = set(holidays.country_holidays("GB", subdiv="ENG", years=[2025, 2026])) | {INSET}
    days = []
    for first, last in TERMS:
        day = date.fromisoformat(first)
        while day <= date.fromisoformat(last):
            if day.weekday() < 5 and day not in closed:
                days.append(day)
            day += timedelta(days=1)
    return days


def sizes(pupils: int, schools: int) -> list[int]:
    """Return each school's roll: a tenth secondaries of 1,500, the rest share the others."""
    big = min(max(1, schools // 10), pupils // BIG)
    rest = schools - big
    small = [(pupils - big * BIG) // rest + (n < (pupils - big * BIG) % rest)
             for n in range(rest)] if rest else []
    return [BIG] * big + small


class Marks:
    """A pupil's codes for a run of sessions, by profile (seeded, so every run is the same)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def profile(self) -> tuple:
        roll = self.rng.random()
        if roll < 0.12:
            return ("persistent", PERSISTENT)
        if roll < 0.14:
            return ("severe", SEVERE)
        if roll < 0.17:
            return ("absent_run", REGULAR)
        if roll < 0.20:
            return ("ill_run", REGULAR)
        if roll < 0.21:
            return ("dual", REGULAR)
        return ("regular", REGULAR)

    def codes(self, kind: str, codes: tuple, sessions: int) -> list[str]:
        population, weights = codes
        found = self.rng.choices(population, weights, k=sessions)
        if kind in ("absent_run", "ill_run"):
            length = self.rng.randint(10, 60) if kind == "absent_run" else self.rng.randint(
                10, 40)
            start = self.rng.randrange(max(1, sessions - length))
            code = "N" if kind == "absent_run" else "I"
            found[start:start + length] = [code] * len(found[start:start + length])
        elif kind == "dual":
            found[1::4] = ["D"] * len(found[1::4])
        if self.rng.random() < 0.01:  # a session the school did not mark
            found[self.rng.randrange(sessions)] = "-"
        return found


def build(pupils: int, schools: int) -> dict:
    """Make the world; return its facts (the night's day, counts)."""
    from django.core.management import call_command
    from django.db import connection

    from s2s.calendars.models import Calendar, Closure, Term
    from s2s.ctf.identifiers import make_upn
    from s2s.directory.models import Establishment, LocalAuthority, Nation
    from s2s.feeds.models import Exclusion, Feed, Pupil

    started = time.monotonic()
    call_command("migrate", "--no-input", verbosity=0)
    la = LocalAuthority.objects.create(number="838", name="Dorset", nation=Nation.ENGLAND)
    calendar = Calendar.objects.create(la=la, academic_year="2025/26")
    Term.objects.bulk_create(Term(calendar=calendar, start=first, end=last)
                             for first, last in TERMS)
    Closure.objects.create(calendar=calendar, date=INSET, sessions="both", reason="INSET")
    rolls = sizes(pupils, schools)
    made = [Establishment.objects.create(la=la, number=f"{n + 1000:04d}", name=f"School {n}")
            for n in range(len(rolls))]
    feeds = {school.pk: Feed.objects.create(
        establishment=school, kind="attendance", format="json", status="accepted",
        received_at=YEAR_FEED_AT).pk for school in made}
    for school, roll in zip(made, rolls, strict=True):
        Pupil.objects.bulk_create(
            [Pupil(establishment=school, upn=make_upn(la="838", establishment=school.number,
                                                      year=10 + n // 1000, serial=n % 1000),
                   surname="Pupil", forename=f"N{n}", dob=date(2012, 10, 1),
                   entry_date=date(2021, 9, 1) if n % 50 else date(2026, 1, 5))
             for n in range(roll)], batch_size=5000)
    days = school_days()
    year, night = days[:-1], days[-1]
    marks = _copy_marks(connection, made, feeds, year)
    rng = random.Random(3)
    Exclusion.objects.bulk_create(
        [Exclusion(establishment_id=school_id, pupil_id=pupil_id, category=category,
                   start_date=rng.choice(year), sessions=rng.choice([4, 10, 12, 20, 30]))
         for school_id, pupil_id in Pupil.objects.values_list("establishment_id", "pk")
         if (category := {0: "permanent", 1: "suspension", 2: "suspension"}.get(
             rng.randrange(400)))], batch_size=5000, ignore_conflicts=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  built: {sum(rolls):,} pupils in {len(rolls)} schools ({rolls[0]:,} to "
          f"{rolls[-1]:,} each), {marks:,} marks over {len(year)} school days, "
          f"{time.monotonic() - started:.0f} s")
    return {"night": night.isoformat(), "before": year[-1].isoformat(), "marks": marks,
            "recode": year[-2].isoformat()}


def _copy_marks(connection, made, feeds: dict, days: list[date]) -> int:
    """COPY a year of marks for every pupil, the table's indexes dropped and built after."""
    from s2s.feeds.models import Pupil

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE "
            "conrelid = 'feeds_mark'::regclass AND contype = 'u'")
        constraints = cursor.fetchall()
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
                       "'feeds_mark' AND indexname NOT LIKE '%%pkey'")
        indexes = [row for row in cursor.fetchall()
                   if row[0] not in {name for name, _d in constraints}]
        for name, _definition in constraints:
            cursor.execute(f"ALTER TABLE feeds_mark DROP CONSTRAINT {name}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    slots = [f"{day.isoformat()}\t{session}\t" for day in days for session in (0, 1)]
    rolls: dict[int, list[int]] = {}
    for school_id, pupil_id in Pupil.objects.values_list("establishment_id", "pk").order_by(
            "pk"):
        rolls.setdefault(school_id, []).append(pupil_id)
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(
            "COPY feeds_mark (establishment_id, pupil_id, date, session, code, feed_id) "
            "FROM STDIN") as copy:
        for school in made:
            # Written day by day, as nightly feeds leave them on disk.
            profile, suffix = Marks(school.pk), f"\t{feeds[school.pk]}\n"
            pupils = rolls.get(school.pk, [])
            codes = [profile.codes(*profile.profile(), len(slots)) for _pupil in pupils]
            prefixes = [f"{school.pk}\t{pupil_id}\t" for pupil_id in pupils]
            for k, slot in enumerate(slots):
                lines = [prefix + slot + pupil_codes[k] + suffix
                         for prefix, pupil_codes in zip(prefixes, codes, strict=True)
                         if pupil_codes[k] != "-"]
                copy.write("".join(lines))
                count += len(lines)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in constraints:
            cursor.execute(f"ALTER TABLE feeds_mark ADD CONSTRAINT {name} {definition}")
        for _name, definition in indexes:
            cursor.execute(definition)
    return count


def night_feed(facts: dict) -> int:
    """Send every school's night: the last day's marks, 1% of pupils with a recoded mark."""
    from django.db import connection

    from s2s.feeds.models import Feed, Pupil

    night = date.fromisoformat(facts["night"])
    feeds = {school: Feed.objects.create(
        establishment_id=school, kind="attendance", format="json", status="accepted",
        received_at=NIGHT_FEED_AT).pk
        for school in Pupil.objects.values_list("establishment_id", flat=True).distinct()}
    count, roll = 0, list(Pupil.objects.values_list("establishment_id", "pk"))
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
                "COPY feeds_mark (establishment_id, pupil_id, date, session, code, feed_id) "
                "FROM STDIN") as copy:
            rng = random.Random(4)
            for school, pupil_id in roll:
                for session in (0, 1):
                    copy.write_row((school, pupil_id, night, session,
                                    rng.choices(*REGULAR)[0], feeds[school]))
                    count += 1
        cursor.execute("CREATE TEMPORARY TABLE bench_night (establishment_id bigint, "
                       "feed_id bigint)")
        cursor.executemany("INSERT INTO bench_night VALUES (%s, %s)", list(feeds.items()))
        cursor.execute(
            "INSERT INTO feeds_markversion (pupil_id, date, session, code, feed_id, "
            "replaced_by_id) SELECT m.pupil_id, m.date, m.session, m.code, m.feed_id, "
            "n.feed_id FROM feeds_mark m JOIN bench_night n USING (establishment_id) "
            "WHERE m.date = %s AND m.session = 0 AND m.pupil_id %% 100 = 7",
            [facts["recode"]])
        cursor.execute(
            "UPDATE feeds_mark m SET code = CASE WHEN m.code IN ('N', 'O') THEN 'I' ELSE 'N' "
            "END, feed_id = v.replaced_by_id FROM feeds_markversion v JOIN bench_night n "
            "ON n.feed_id = v.replaced_by_id WHERE m.pupil_id = v.pupil_id AND "
            "m.date = v.date AND m.session = v.session")
        count += cursor.rowcount
        cursor.execute("DROP TABLE bench_night")
    return count


def night_undo() -> None:
    """Take the night's feed away again: recoded marks restored, new marks deleted."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM feeds_feed WHERE received_at = %s", [NIGHT_FEED_AT])
        night = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "UPDATE feeds_mark m SET code = v.code, feed_id = v.feed_id FROM "
            "feeds_markversion v WHERE v.replaced_by_id = ANY(%s) AND m.pupil_id = v.pupil_id "
            "AND m.date = v.date AND m.session = v.session", [night])
        cursor.execute("DELETE FROM feeds_markversion WHERE replaced_by_id = ANY(%s)", [night])
        cursor.execute("DELETE FROM feeds_mark WHERE feed_id = ANY(%s)", [night])
        cursor.execute("DELETE FROM feeds_feed WHERE id = ANY(%s)", [night])


def signals_reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cme_signal CASCADE")  # and the (bench-less) cases
        cursor.execute("TRUNCATE cme_runstate")  # the full recompute writes every pupil's
        cursor.execute("DELETE FROM cme_watermark")


# Phases run in a child process: each prints one JSON line.

def phase_floor(facts: dict) -> dict:
    from s2s.directory.models import Establishment
    from s2s.feeds.markstore import marks_by_pupil
    from s2s.feeds.models import Pupil

    start, end = date(2025, 9, 1), date.fromisoformat(facts["before"])
    marks = 0
    for school in Establishment.objects.all():
        roll = list(Pupil.objects.filter(establishment=school).values_list("pk", flat=True))
        for _pupil, pupil_marks in marks_by_pupil(establishment_id=school.pk, start=start,
                                                  end=end, pupil_ids=roll):
            marks += len(pupil_marks)
    return {"marks": marks}


def phase_full(facts: dict) -> dict:
    from s2s.cme.services import signals_recompute_due

    schools, done = signals_recompute_due(full=True, today=date.fromisoformat(facts["before"]))
    return {"schools": schools, "fired": done.fired, "updated": done.updated,
            "withdrawn": done.withdrawn, "kinds": _kinds()}


def phase_night(facts: dict) -> dict:
    from s2s.cme.services import signals_recompute_due

    schools, done = signals_recompute_due(today=date.fromisoformat(facts["night"]))
    return {"schools": schools, "fired": done.fired, "updated": done.updated,
            "withdrawn": done.withdrawn}


def phase_check(facts: dict) -> dict:
    """Read every school again: what the night left should be what a full read finds."""
    from s2s.cme.services import signals_recompute_due

    schools, done = signals_recompute_due(full=True, today=date.fromisoformat(facts["night"]))
    return {"schools": schools, "fired": done.fired, "updated": done.updated,
            "withdrawn": done.withdrawn}


def phase_one(facts: dict) -> dict:
    from s2s.cme.services import signals_recompute
    from s2s.directory.models import Establishment
    from s2s.feeds.models import Pupil

    school = Establishment.objects.select_related("la").get(number="1000")
    done = signals_recompute(establishment=school, today=date.fromisoformat(facts["before"]))
    return {"pupils": Pupil.objects.filter(establishment=school).count(),
            "fired": done.fired, "updated": done.updated}


def _kinds() -> dict:
    from django.db.models import Count

    from s2s.cme.models import Signal

    return dict(Signal.objects.values_list("kind").annotate(n=Count("pk")).order_by("kind"))


PHASES = {"floor": phase_floor, "full": phase_full, "night": phase_night, "one": phase_one,
          "check": phase_check}


def child(name: str, facts: dict, profile: bool) -> None:
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started_cpu, started = time.process_time(), time.monotonic()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        result = profiler.runcall(PHASES[name], facts)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    else:
        result = PHASES[name](facts)
    result.update(seconds=time.monotonic() - started, cpu=time.process_time() - started_cpu,
                  rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  baseline_mb=baseline)
    print(json.dumps(result))


def run_phase(name: str, facts: dict, source: Path, data_dir: str,
              profile: bool = False) -> dict:
    command = [sys.executable, __file__, "--phase", name, "--facts", json.dumps(facts),
               "--source", str(source)] + (["--profile"] if profile else [])
    done = subprocess.run(command, env=environment(source, data_dir), capture_output=True,
                          text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"phase {name} failed")
    if profile:
        sys.stderr.write(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(label: str, result: dict, floor: dict, marks: int, target: float | None,
           scale: float) -> None:
    ratio = result["seconds"] / floor["seconds"]
    line = (f"  {label:<22} {result['seconds']:8.1f} s  {marks / result['seconds']:>11,.0f} "
            f"marks/s  {ratio:5.1f} x floor  CPU {result['cpu']:7.1f} s  peak RSS "
            f"{result['rss_mb']:5.0f} MB")
    if target is not None:
        line += f"  (target {target:.0f} s"
        line += f"; scaled to 150,000 pupils {result['seconds'] / scale:.0f} s)" if (
            scale < 1) else ")"
    print(line)
    counts = {k: v for k, v in result.items() if k in ("schools", "fired", "updated",
                                                        "withdrawn", "pupils")}
    print(f"  {'':<22} {counts}" + (f" {result['kinds']}" if "kinds" in result else ""))


def measure(facts: dict, source: Path, label: str, data_dir: str, floor: dict,
            profile: bool, check: bool = True) -> None:
    from django.db import connection

    scale = facts["pupils"] / FULL_PUPILS
    print(f"{label} ({source}):")
    signals_reset()
    if source != ROOT:  # an earlier tree may not write the watermark's newer column
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE cme_watermark ALTER COLUMN feeds_read SET DEFAULT "
                           "'[]'::jsonb")
    connection.close()
    full = run_phase("full", facts, source, data_dir, profile)
    report("full recompute", full, floor, facts["marks"], TARGET_FULL_S, scale)
    facts["night_marks"] = night_feed(facts)
    connection.close()
    try:
        night = run_phase("night", facts, source, data_dir, profile)
        report("night (incremental)", night, floor, facts["marks"] + facts["night_marks"],
               TARGET_NIGHT_S, scale)
        if check:
            same = run_phase("check", facts, source, data_dir)
            print(f"  check: a full read after the night changed {same['fired']} + "
                  f"{same['updated']} + {same['withdrawn']} signals (0: the night left what "
                  f"a full read finds), {same['seconds']:.1f} s")
    finally:
        night_undo()
    one = run_phase("one", facts, source, data_dir)
    report(f"one school ({one['pupils']:,})", one, floor, facts["marks"] * one["pupils"]
           // facts["pupils"], None, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pupils", type=int, default=15_000)
    parser.add_argument("--schools", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="leave the database behind")
    parser.add_argument("--reuse", action="store_true", help="time the kept database again")
    parser.add_argument("--before", type=Path, help="also time the s2s package in this dir")
    parser.add_argument("--profile", action="store_true", help="cProfile the full and night")
    parser.add_argument("--no-check", action="store_true",
                        help="skip the full read after the night (it takes a full's time)")
    parser.add_argument("--build-only", action="store_true",
                        help="build (and keep) the database, time nothing")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--facts", help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        django_setup(args.source)
        child(args.phase, json.loads(args.facts), args.profile)
        return
    data_dir = tempfile.mkdtemp(prefix="s2s-cmebench-")
    os.environ.update(environment(ROOT, data_dir))
    if not args.reuse:
        database_reset()
    django_setup(ROOT)
    facts_file = Path(tempfile.gettempdir()) / f"{DB_NAME}.json"
    try:
        if args.reuse:
            from django.core.management import call_command

            call_command("migrate", "--no-input", verbosity=0)
            facts = json.loads(facts_file.read_text())
        else:
            print(f"Building {args.pupils:,} pupils in {args.schools} schools ...")
            facts = build(args.pupils, args.schools)
            facts["pupils"] = args.pupils
            facts_file.write_text(json.dumps(facts))
            if args.build_only:
                return
        floor = run_phase("floor", facts, ROOT, data_dir)
        print(f"floor: read {floor['marks']:,} marks in {floor['seconds']:.1f} s "
              f"({floor['marks'] / floor['seconds']:,.0f}/s, CPU {floor['cpu']:.1f} s, "
              f"peak RSS {floor['rss_mb']:.0f} MB; a bare process {floor['baseline_mb']:.0f} "
              "MB)")
        measure(facts, ROOT, "this tree", data_dir, floor, args.profile, not args.no_check)
        if args.before:
            measure(facts, args.before.resolve(), "before", data_dir, floor, args.profile, False)
    finally:
        from django.db import connection

        connection.close()
        if not (args.keep or args.build_only):
            database_drop()


if __name__ == "__main__":
    main()
