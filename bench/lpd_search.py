"""Benchmark the Lost Pupil Database search with a million records (issue 5).

    .venv/bin/python bench/lpd_search.py [--records 1000000] [--backend both|postgres|sqlite]
                                         [--queries 300] [--keep] [--reuse] [--profile]

Builds the LPD in a fresh database: PostgreSQL `s2s_lpd_bench` (127.0.0.1:5432, user
postgres, trust authentication), dropped and created anew, and SQLite in a temp file (with
--keep or --reuse, in `SQLITE_DIR` instead). --keep leaves both behind; --reuse times the
databases an earlier --keep run left, migrated to the current code, without reloading. Rows
are written directly in batches (`s2s.lostpupils.synthetic.load_records`: a Transfer row
without a stored file, the record and its surname keys), not through uploads; the pupils
come from the CTF library's synthetic generator (its names, dates of birth, UPNs, towns).

Then times `search_records` (the search behind the page and the API, scoring and the
first page's records included) for: a UPN; a sound-alike surname with one typo and the right
DOB; a surname alone (the most common ones included). Prints p50 and p95 of each, and how
often the intended pupil was found: one-typo surname with the right DOB; right surname with
the DOB's day and month swapped (swap asked for). Asserts nothing. Each backend runs in its
own process (Django is configured once per process). --profile then shows where one search's
time goes: its SQL statements (how many, and their time as the client sees it) against the
whole, per query, and cProfile of the sound-alike surname + DOB searches.
"""

import argparse
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "s2s_lpd_bench"
SERVER = "postgres://postgres@127.0.0.1:5432"
TODAY = date(2025, 11, 3)
SOURCE = "8383321"
SQLITE_DIR = Path(tempfile.gettempdir()) / "s2s-lpd-bench"
SAMPLE = 5000


class Known(NamedTuple):
    """A sampled pupil as loaded: the truth a search should find."""

    upn: str
    surname: str
    dob: str  # CCYY-MM-DD


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _setup_django(backend: str, data_dir: str, reuse: bool) -> None:
    if backend == "postgres":
        if not reuse:
            _admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME}")
            _admin_sql(f"CREATE DATABASE {DB_NAME}")
        os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
    else:
        if not reuse:
            for old in Path(data_dir).glob("s2s.sqlite3*"):
                old.unlink()
        os.environ.pop("DATABASE_URL", None)
        os.environ["S2S_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "s2s.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _pupils(count: int, seed: int):
    """Yield light synthetic pupils: the generator's names, DOBs, UPNs, towns and postcodes."""
    from s2s.ctf.records import Address, PupilData
    from s2s.ctf.synthetic import PupilFactory

    factory = PupilFactory(seed=seed, source=SOURCE, today=TODAY)
    for _ in range(count):
        sex = factory.random.choice("MF")
        nc_year = factory.random.choice(("R",) + tuple(str(n) for n in range(1, 12)))
        dob = factory._dob(nc_year)
        surname = factory.surname()
        town, area, _la = factory.random.choice(factory.towns)
        yield PupilData(
            upn=factory._upn(dob), surname=surname,
            forename=factory._pick("forenames_male.txt" if sex == "M"
                                   else "forenames_female.txt"),
            dob=dob, sex=sex, preferred_surname=surname,
            address=Address(paon="1", street="High Street", town=town,
                            postcode=factory._postcode(area)),
        )


def _columns(model) -> tuple[list, dict]:
    """Return the model's concrete fields and each one's default, computed once."""
    fields = [f for f in model._meta.concrete_fields]
    return fields, {f.attname: f.get_default() for f in fields}


def _insert(model, rows: list[dict]) -> None:
    """Write rows straight into the model's table: COPY on PostgreSQL, executemany on SQLite."""
    import json

    from django.db import connection

    fields, defaults = _columns(model)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    jsons = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    tuples = [tuple(json.dumps(row.get(f.attname, defaults[f.attname])) if f.attname in jsons
                    else row.get(f.attname, defaults[f.attname]) for f in fields)
              for row in rows]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for values in tuples:
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuples)


def _rows(n: int, pupil, school, when) -> tuple[dict, dict, list[dict]]:
    from s2s.lostpupils.keys import variants_of
    from s2s.lostpupils.synthetic import record_values

    transfer = {
        "id": n, "name": f"{school.code}_CTF_XXXXXXX_{n % 1000:03d}.XML", "file_type": "CTF",
        "source_code": school.code, "source_establishment_id": school.pk,
        "destination_code": "XXXXXXX", "destination_kind": "lost_destination_unknown",
        "uploaded_at": when, "sha256": f"{n:064x}", "pupil_count": 1,
    }
    values = record_values(pupil)
    record = {"id": n, "transfer_id": n, "kind": "XXXXXXX", "uploading_la_id": school.la_id,
              "uploading_school_id": school.pk, "uploaded_at": when, **values}
    names = [{"record_id": n, "kind": kind, "name": name, "key": key}
             for kind, name, key in variants_of(values["name_keys"])]
    return transfer, record, names


def _load(records: int, batch: int = 20_000) -> dict:
    """Write the records; return a sample of them, by id, as the pupils they were made from."""
    from django.db import transaction
    from django.utils import timezone

    from s2s.directory.models import Establishment, LocalAuthority, Nation
    from s2s.lostpupils.models import LostPupilName, LostPupilRecord
    from s2s.transfers.models import Transfer

    la = LocalAuthority.objects.create(number="838", name="Dorset", nation=Nation.ENGLAND)
    school = Establishment.objects.create(la=la, number="3321", name="Bench Primary")
    sample = _sample(records)
    kept, when, name_id = {}, timezone.now(), 0
    started = time.perf_counter()
    made = ([], [], [])
    for n, pupil in enumerate(_pupils(records, seed=11), start=1):
        if n in sample:
            kept[n] = Known(pupil.upn, pupil.surname, pupil.dob)
        transfer, record, names = _rows(n, pupil, school, when)
        for name in names:
            name_id += 1
            name["id"] = name_id
        made[0].append(transfer)
        made[1].append(record)
        made[2].extend(names)
        if n % batch == 0 or n == records:
            with transaction.atomic():
                for model, rows in zip((Transfer, LostPupilRecord, LostPupilName), made,
                                       strict=True):
                    _insert(model, rows)
                    rows.clear()
            if n % 100_000 == 0:
                print(f"  {n:,} records written, {time.perf_counter() - started:.0f} s",
                      flush=True)
    print(f"  loaded {records:,} records ({name_id:,} surname keys) in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    return kept


def _sample(records: int) -> set[int]:
    return set(random.Random(5).sample(range(1, records + 1), min(records, SAMPLE)))


def _known(records: int) -> dict:
    """Return the sample of a database loaded earlier, as `_load` returned it."""
    from s2s.lostpupils.models import LostPupilRecord

    found = LostPupilRecord.objects.count()
    if found != records:
        sys.exit(f"The kept database has {found:,} records, not {records:,}: run with "
                 f"--records {found} or load it again without --reuse.")
    print(f"  reusing {records:,} records", flush=True)
    rows = LostPupilRecord.objects.filter(pk__in=_sample(records)).values_list(
        "id", "upn", "surname", "dob")
    return {n: Known(upn, surname, dob.isoformat()) for n, upn, surname, dob in rows}


def _analyse(backend: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if backend == "postgres" else "ANALYZE")


def _time(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _percentiles(ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ms)})"


def _typo(rng: random.Random, text: str) -> str:
    """One letter swapped, dropped or doubled, as the synthetic generator's typos."""
    i = rng.randrange(1, len(text) - 1)
    how = rng.randrange(3)
    if how == 0 and text[i] != text[i + 1]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if how == 1:
        return text[:i] + text[i + 1:]
    return text[:i] + text[i] + text[i:]


def _run_queries(known: dict, queries: int) -> None:
    from s2s.lostpupils.search import Criteria, search_records

    rng = random.Random(3)
    targets = rng.sample(sorted(known), min(queries, len(known)))

    def found(criteria, record_id) -> tuple[bool, float]:
        result = {}
        ms = _time(lambda: result.setdefault("ids", [h.id for h in search_records(
            criteria, per_page=25).object_list]))
        return record_id in result["ids"], ms

    upn_ms = [found(Criteria(upn=known[i].upn), i)[1] for i in targets]
    typo = [found(Criteria(surname=_typo(rng, known[i].surname),
                           dob=date.fromisoformat(known[i].dob)), i) for i in targets
            if len(known[i].surname) >= 3]
    swappable = [i for i in targets if int(known[i].dob[8:]) <= 12
                 and known[i].dob[5:7] != known[i].dob[8:]]
    swap = [found(Criteria(surname=known[i].surname, swap_dob=True, dob=date(
        int(known[i].dob[:4]), int(known[i].dob[8:]), int(known[i].dob[5:7]))), i)
        for i in swappable]
    alone_ms = [found(Criteria(surname=known[i].surname), i)[1] for i in targets[:100]]
    print(f"  UPN                          {_percentiles(upn_ms)}")
    print(f"  sound-alike surname + DOB    {_percentiles([ms for _f, ms in typo])}")
    print(f"  surname alone                {_percentiles(alone_ms)}")
    print(f"  swapped DOB (+ surname)      {_percentiles([ms for _f, ms in swap])}")
    print(f"  found, one-typo surname + right DOB: "
          f"{sum(f for f, _ms in typo) / len(typo):.1%} of {len(typo)}")
    print(f"  found, day/month swapped DOB:        "
          f"{sum(f for f, _ms in swap) / len(swap):.1%} of {len(swap)}")


def _profile(known: dict, count: int = 100) -> None:
    """Print each query's SQL round trips and SQL time against its whole, then cProfile."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from s2s.lostpupils.search import Criteria, search_records

    rng = random.Random(4)
    targets = rng.sample(sorted(known), min(count, len(known)))
    kinds = {
        "UPN": [Criteria(upn=known[i].upn) for i in targets],
        "sound-alike surname + DOB": [
            Criteria(surname=_typo(rng, known[i].surname), dob=date.fromisoformat(known[i].dob))
            for i in targets if len(known[i].surname) >= 3],
        "surname alone": [Criteria(surname=known[i].surname) for i in targets],
    }
    for kind, searches in kinds.items():
        total = sql = statements = 0.0
        for criteria in searches:
            with CaptureQueriesContext(connection) as captured:
                total += _time(lambda c=criteria: list(search_records(c).object_list))
            statements += len(captured.captured_queries)
            sql += sum(float(q["time"]) for q in captured.captured_queries) * 1000
        n = len(searches)
        print(f"  {kind:28} {statements / n:4.1f} statements, SQL {sql / n:5.1f} ms of "
              f"{total / n:5.1f} ms (mean, n={n}; query logging adds its own time)")
    profiler = cProfile.Profile()
    profiler.enable()
    for criteria in kinds["sound-alike surname + DOB"]:
        list(search_records(criteria).object_list)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def _data_dir(keep: bool):
    """Return a context giving the SQLite data directory: kept, or a temp one."""
    if keep:
        SQLITE_DIR.mkdir(exist_ok=True)
        return contextlib.nullcontext(str(SQLITE_DIR))
    return tempfile.TemporaryDirectory(prefix="lpd-bench-")


def run_backend(backend: str, records: int, queries: int, *, keep: bool, reuse: bool,
                profile: bool) -> None:
    """Build (or reuse) the LPD on one backend, time the searches and print the figures."""
    with _data_dir(keep or reuse) as data_dir:
        print(f"{backend}: {records:,} LPD records", flush=True)
        _setup_django(backend, data_dir, reuse)
        known = _known(records) if reuse else _load(records)
        _analyse(backend)
        print(f"  load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}", flush=True)
        _run_queries(known, queries)
        if profile:
            _profile(known)
        if backend == "sqlite":
            size = sum(p.stat().st_size for p in Path(data_dir).rglob("*") if p.is_file())
            print(f"  SQLite files: {size / 1e6:.0f} MB")
    if backend == "postgres" and not (keep or reuse):
        from django.db import connections

        connections.close_all()
        _admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["both", "postgres", "sqlite"], default="both")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--keep", action="store_true",
                        help=f"keep the databases (PostgreSQL {DB_NAME}, SQLite in {SQLITE_DIR})")
    parser.add_argument("--reuse", action="store_true",
                        help="time the databases an earlier --keep run left (no reload)")
    parser.add_argument("--profile", action="store_true",
                        help="also show where a search's time goes (SQL, cProfile)")
    args = parser.parse_args()
    if args.backend != "both":
        run_backend(args.backend, args.records, args.queries, keep=args.keep,
                    reuse=args.reuse, profile=args.profile)
        return
    flags = [f"--{name}" for name in ("keep", "reuse", "profile") if getattr(args, name)]
    for backend in ("postgres", "sqlite"):
        command = [sys.executable, __file__, "--backend", backend, "--records",
                   str(args.records), "--queries", str(args.queries)]
        subprocess.run(command + flags, check=False)


if __name__ == "__main__":
    main()
