"""Benchmark the CME case hook on the roll-feed path: what a case's child turning up costs.

    .venv/bin/python bench/cme_cases.py [--pupils 2000] [--cases 5000] [--repeat 8] [--keep]

Builds a fresh PostgreSQL database `s2s_cme_cases_bench` (127.0.0.1:5432, user postgres),
migrated from the working tree, with `--cases` open CME cases of LA 838 (none of them a pupil
of the rolls sent). Then, `--repeat` times, each order in turn, a new school's first full roll of
`--pupils` pupils (every one an arrival) through `feed_receive`, as `s2s feed load` sends it:
  - the floor: with the arrival listeners unregistered (the ingest as it was before the hook);
  - with the hook: `case_children_arrived` asked about every arriving UPN.
Also the hook alone over the same UPNs, and over them with one in 100 a case's child (the
flags, events, audit records and emails written). Prints the least time of each, and the
ratio hook/floor (target: under 1.05, the hook adding under 5% to a roll's ingest).
Asserts nothing. Drops the database unless --keep.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "s2s_cme_cases_bench"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
TARGET_RATIO = 1.05


def database_reset(*, create: bool) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        if create:
            conn.execute(f"CREATE DATABASE {DB_NAME}")


def setup_django(data_dir: str) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "s2s.settings", "S2S_MODE": "local",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        "S2S_DATA_DIR": data_dir, "S2S_TASKS_BACKEND": "database", "S2S_LOG_LEVEL": "WARNING",
    })
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def upn(serial: int) -> str:
    from s2s.ctf.identifiers import make_upn

    return make_upn(la="838", establishment=f"{serial // 1000 % 10000:04d}", year=20,
                    serial=serial % 1000)


def world(cases: int):
    from s2s.cme.models import Case
    from s2s.directory.models import LocalAuthority, Nation

    la = LocalAuthority.objects.create(number="838", name="Dorset", nation=Nation.ENGLAND)
    Case.objects.bulk_create(
        [Case(la=la, upn=upn(9_000_000 + n), surname="Case", forename="Child")
         for n in range(cases)], batch_size=2000)
    return la


def roll(first: int, pupils: int) -> bytes:
    records = [{"upn": upn(first + n), "former_upn": "", "surname": "Smith",
                "forename": "Amy", "middle_names": "", "preferred_surname": "",
                "former_surname": "", "dob": "2016-10-15", "sex": "F", "postcode": "DT2 0NS",
                "town": "Dorchester", "nc_year": "5", "entry_date": "2021-09-02",
                "leaving_date": "", "leaving_reason": "", "destination": "",
                "registration": "single"} for n in range(pupils)]
    return json.dumps({"pupils": records}).encode()


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def run(args) -> None:
    from s2s.cme.cases import case_children_arrived
    from s2s.cme.models import Case
    from s2s.core import arrivals
    from s2s.directory.models import Establishment
    from s2s.feeds.services import feed_receive

    la = world(args.cases)
    listeners = list(arrivals._LISTENERS)
    floor, hooked, alone, matching = [], [], [], []
    for round_ in range(-1, args.repeat):  # round -1 warms up and is not counted
        for hook in ((False, True) if round_ % 2 else (True, False)):  # in turns
            code = f"838{round_ * 2 + hook + 3:04d}"
            Establishment.objects.create(la=la, number=code[3:], name=f"School {code}",
                                         urn=f"9{code}", town="Dorchester")
            content = roll((round_ * 2 + hook + 2) * 100_000, args.pupils)
            arrivals._LISTENERS[:] = listeners if hook else []
            seconds = timed(lambda c=content, s=code: feed_receive(
                user=None, kind="roll", content=c, school=s, full=True))
            (hooked if hook else floor).append(seconds)
        school = Establishment.objects.get(code=code)
        upns = [upn((round_ * 2 + 3) * 100_000 + n) for n in range(args.pupils)]
        alone.append(timed(lambda s=school, u=upns: case_children_arrived(
            establishment=s, upns=u, via="feed")))
        found = upns[::100]
        made = Case.objects.bulk_create([Case(la=la, upn=u, surname="Turns", forename="Up")
                                         for u in found])
        matching.append(timed(lambda s=school, u=upns: case_children_arrived(
            establishment=s, upns=u, via="feed")))
        Case.objects.filter(pk__in=[case.pk for case in made]).delete()
        if round_ < 0:
            floor, hooked, alone, matching = [], [], [], []
    arrivals._LISTENERS[:] = listeners
    best = {name: min(values) for name, values in
            (("floor", floor), ("hooked", hooked), ("alone", alone), ("matching", matching))}
    print(f"{args.pupils} pupils a roll, {args.cases} open cases, best of {args.repeat}")
    print(f"  roll ingest without the hook (floor): {best['floor']:.3f} s")
    print(f"  roll ingest with the hook:            {best['hooked']:.3f} s")
    print(f"  ratio hook/floor: {best['hooked'] / best['floor']:.3f} "
          f"(target under {TARGET_RATIO})")
    print(f"  the hook alone, no case matching:     {best['alone'] * 1000:.1f} ms "
          f"({best['alone'] / best['floor']:.3f} of the floor: the part the ratio above "
          "would show on a quiet box)")
    print(f"  the hook alone, 1 in 100 a case's child ({len(found)} flagged, emailed): "
          f"{best['matching'] * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    import tempfile

    database_reset(create=True)
    try:
        with tempfile.TemporaryDirectory(prefix="s2s-cme-cases-bench-") as data_dir:
            setup_django(data_dir)
            run(args)
            from django.db import connections

            connections.close_all()
    finally:
        if not args.keep:
            database_reset(create=False)


if __name__ == "__main__":
    main()
