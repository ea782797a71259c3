"""The matcher's engine: one Splink model definition, trained without labels, on DuckDB or Spark.

No Django here: the engine takes two lists of pupils (any iterable of dicts with `RAW_COLUMNS`)
and gives scored pairs. `runs.py` feeds it the LPD and the roll, `linkcsv.py` two CSV files,
`bench/matching.py` millions of generated pupils.

The records are prepared in DuckDB (normalised names, sound-alike codes and nickname groups per
distinct name from `names.py`, DOB swapped and its year-month, postcode district), then linked
by Splink on DuckDB (the default) or on Spark (`engine="spark"`: the prepared tables go to
Spark as Parquet). Both read the same `settings()`.
"""

import logging
import math
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from s2s.ctf.words import _
from s2s.matching.names import name_rows

RAW_COLUMNS = ("id", "upn", "former_upn", "forename", "middle_names", "surname",
               "preferred_surname", "former_surname", "dob", "sex", "postcode", "town")
NAME_COLUMNS = ("forename", "middle_names", "surname", "preferred_surname", "former_surname")

Progress = Callable[[str], None]


def _quiet(_step: str) -> None:
    """Report nothing."""


# --- The model definition ---------------------------------------------------------------


def _level(sql: str, label: str, **options) -> cll.CustomLevel:
    level = cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")
    return level.configure(**options) if options else level


class _Overlap(ComparisonLevelCreator):
    """Two arrays share an element (DuckDB's `list_has_any`, Spark's `arrays_overlap`).

    Splink's own ArrayIntersectLevel builds the intersection to count it, several times slower
    on DuckDB; one shared element is all a level here asks.
    """

    def __init__(self, column: str, label: str):
        self.column = column
        self.label = label

    def create_sql(self, sql_dialect) -> str:
        function = "arrays_overlap" if sql_dialect.sql_dialect_str == "spark" else "list_has_any"
        return f"{function}({self.column}_l, {self.column}_r)"

    def create_label_for_charts(self) -> str:
        return self.label


def _one_edit(column: str, label: str, guard: ComparisonLevelCreator):
    """Damerau-Levenshtein distance 1, asked only of pairs a cheap guard lets through.

    DuckDB's damerau_levenshtein is about 25 times slower than its jaro_winkler_similarity;
    a pair one edit apart always passes the guard, so the level is the same, only cheaper.
    """
    return cll.And(guard, cll.DamerauLevenshteinLevel(column, 1)).configure(
        label_for_charts=label)


def _label(level, label: str):
    return level.configure(label_for_charts=label)


def _else(label: str) -> cll.ElseLevel:
    return cll.ElseLevel().configure(label_for_charts=label)


def _null(*columns: str) -> cll.CustomLevel:
    either = " OR ".join(f"({c}_l IS NULL OR {c}_r IS NULL)" for c in columns)
    return _level(either, "missing", is_null_level=True)


def _upn() -> cl.CustomComparison:
    return cl.CustomComparison(output_column_name="upn", comparison_levels=[
        _level("(upn_l IS NULL AND former_upn_l IS NULL) OR (upn_r IS NULL AND "
               "former_upn_r IS NULL)", "missing", is_null_level=True),
        _level("upn_l = upn_r", "UPN matches"),
        _level("upn_l = former_upn_r OR former_upn_l = upn_r OR former_upn_l = former_upn_r",
               "former UPN matches"),
        _else("UPN differs"),
    ])


def _forename() -> cl.CustomComparison:
    return cl.CustomComparison(output_column_name="forename", comparison_levels=[
        _null("forename"),
        cll.ExactMatchLevel("forename", term_frequency_adjustments=True).configure(
            label_for_charts="forename matches"),
        _level("forename_l = surname_r OR surname_l = forename_r",
               "forename and surname swapped"),
        _one_edit("forename", "forename one letter different",
                  cll.JaroWinklerLevel("forename", 0.6)),
        _label(cll.JaroWinklerLevel("forename", 0.92), "forename nearly the same"),
        _Overlap("forename_sounds", "forename sounds alike"),
        _Overlap("forename_nicknames", "forename a nickname of the other"),
        _level("forename_l = middle_r OR middle_l = forename_r", "middle name given as forename"),
        _label(cll.JaroWinklerLevel("forename", 0.8), "forename somewhat alike"),
        _else("forename differs"),
    ])


def _surname() -> cl.CustomComparison:
    return cl.CustomComparison(output_column_name="surname", comparison_levels=[
        _null("surname"),
        cll.ExactMatchLevel("surname", term_frequency_adjustments=True).configure(
            label_for_charts="surname matches"),
        _level("forename_l = surname_r OR surname_l = forename_r",
               "surname and forename swapped"),
        _one_edit("surname", "surname one letter different",
                  cll.JaroWinklerLevel("surname", 0.6)),
        _label(cll.JaroWinklerLevel("surname", 0.92), "surname nearly the same"),
        _Overlap("surname_variants", "surname matches a former, preferred or part surname"),
        _Overlap("surname_sounds", "surname sounds alike"),
        _Overlap("surname_variant_sounds",
                 "surname sounds like a former, preferred or part surname"),
        _else("surname differs"),
    ])


def _dob() -> cl.CustomComparison:
    return cl.CustomComparison(output_column_name="dob", comparison_levels=[
        _null("dob"),
        _label(cll.ExactMatchLevel("dob"), "DOB matches"),
        _level("dob_l = dob_swapped_r", "DOB day and month swapped"),
        _one_edit("dob", "DOB one digit different", _level(
            "(substr(dob_l, 1, 4) = substr(dob_r, 1, 4)) AND (substr(dob_l, 6, 2) = "
            "substr(dob_r, 6, 2) OR substr(dob_l, 9, 2) = substr(dob_r, 9, 2)) OR "
            "(substr(dob_l, 6, 5) = substr(dob_r, 6, 5))", "two of year, month and day match")),
        _label(cll.ExactMatchLevel("dob_month"), "DOB same month and year"),
        _else("DOB differs"),
    ])


def _sex() -> cl.CustomComparison:
    return cl.CustomComparison(output_column_name="sex", comparison_levels=[
        _null("sex"), _label(cll.ExactMatchLevel("sex"), "sex matches"), _else("sex differs"),
    ])


def _place() -> cl.CustomComparison:
    return cl.CustomComparison(output_column_name="place", comparison_levels=[
        _level("(postcode_l IS NULL AND town_l IS NULL) OR (postcode_r IS NULL AND "
               "town_r IS NULL)", "missing", is_null_level=True),
        _label(cll.ExactMatchLevel("postcode"), "postcode matches"),
        cll.ExactMatchLevel("postcode_district", term_frequency_adjustments=True).configure(
            label_for_charts="postcode district matches"),
        _label(cll.ExactMatchLevel("town"), "town matches"),
        _else("postcode and town differ"),
    ])


# Pairs compared: near-linear in the records. A DOB alone pairs each LPD record with every
# pupil born that day (about 1,600 on a 9-million roll), and a surname's sound with a birth
# year pairs each Smith with some 4,500 others, so each rule also asks for what a typo, a
# nickname or a surname change rarely alters all at once: the DOB with either name's
# sound-alike key (or the other name's, for names given the wrong way round), or with both
# names' first sounds; a swapped DOB with both first sounds; the surname's sound with the
# month of birth; the postcode district with the forename's first sound and the birth year,
# or with both names' sounds (a DOB written wrongly).
BLOCKING_RULES = (
    "l.upn = r.upn",
    "l.dob = r.dob AND l.surname_key = r.surname_key",
    "l.dob = r.dob AND l.forename_key = r.forename_key",
    "l.dob = r.dob AND l.surname_initial = r.surname_initial"
    " AND l.forename_initial = r.forename_initial",
    "l.dob = r.dob AND l.surname_key = r.forename_key",
    "l.dob = r.dob_swapped AND l.surname_initial = r.surname_initial"
    " AND l.forename_initial = r.forename_initial",
    "l.surname_key = r.surname_key AND l.dob_month = r.dob_month",
    "l.postcode_district = r.postcode_district AND l.forename_initial = r.forename_initial"
    " AND l.birth_year = r.birth_year",
    "l.forename_key = r.forename_key AND l.surname_key = r.surname_key"
    " AND l.postcode_district = r.postcode_district",
)


def for_dialect(model: dict, dialect: str) -> dict:
    """Return a saved model's parameters on today's definition, written for a SQL dialect.

    A saved model holds its SQL in the dialect it was trained in (DuckDB's `"forename_l"` is a
    column; Spark reads it as a string) and the blocking rules of its day, so its m and u
    probabilities and λ are put, level by level, on `settings()` as written for the engine
    that runs it. A model whose comparisons are not today's is refused: train a new version.
    """
    fresh = settings().create_settings_dict(dialect) | {"sql_dialect": dialect}
    fresh["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    if [_labels(c) for c in fresh["comparisons"]] != [_labels(c) for c in model["comparisons"]]:
        raise ValueError("The saved match model was trained on other comparisons: train a new "
                         "version (s2s match train).")
    for new, old in zip(fresh["comparisons"], model["comparisons"], strict=True):
        for new_level, old_level in zip(new["comparison_levels"], old["comparison_levels"],
                                        strict=True):
            for key in ("m_probability", "u_probability", "tf_minimum_u_value"):
                if old_level.get(key) is not None:
                    new_level[key] = old_level[key]
    return fresh


def _labels(comparison: dict) -> list[str]:
    return [level.get("label_for_charts", "") for level in comparison["comparison_levels"]]


def settings() -> SettingsCreator:
    """Return the one model definition both engines run."""
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[_upn(), _forename(), _surname(), _dob(), _sex(), _place()],
        blocking_rules_to_generate_predictions=list(BLOCKING_RULES),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )


def _run(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """Run one statement to its end (DuckDB 2 keeps a result open until it is fetched)."""
    return con.execute(sql).fetchall()


# --- Preparing the records ----------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def raw_table(records: Iterable[dict]) -> pa.Table:
    """Return the records as an Arrow table of text, one column per `RAW_COLUMNS`."""
    columns = {name: [] for name in RAW_COLUMNS}
    for record in records:
        for name in RAW_COLUMNS:
            columns[name].append(_text(record.get(name)))
    return pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})


# Names keyed in one process below this many; above it, in a pool of one worker per core.
_POOL_FROM = 50_000


def _keyed_names(texts: list[str]) -> list[dict]:
    """Return each distinct name's keys (pure Python, so spread over the cores when many)."""
    workers = min(os.cpu_count() or 1, 4)
    if len(texts) < _POOL_FROM or workers < 2:
        return name_rows(texts)
    size = -(-len(texts) // (workers * 4))
    chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [row for rows in pool.map(name_rows, chunks) for row in rows]


_NAME_KEYS_SCHEMA = pa.schema([
    ("raw", pa.string()), ("norm", pa.string()), ("sounds", pa.list_(pa.string())),
    ("nicknames", pa.list_(pa.string())), ("variants", pa.list_(pa.string())),
    ("variant_sounds", pa.list_(pa.string())), ("key", pa.string()),
])


def _name_keys(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    selects = " UNION ".join(f"SELECT {c} AS raw FROM {t}" for t in tables for c in NAME_COLUMNS)
    raw = [text for (text,) in _run(con, f"SELECT DISTINCT raw FROM ({selects}) "
                                        "WHERE raw <> ''")]
    rows = _keyed_names(raw)
    for row in rows:
        row["key"] = next((c[1:] for c in row["sounds"] if c.startswith("K")), None)
    keys = pa.Table.from_pylist(rows, schema=_NAME_KEYS_SCHEMA)
    con.register("name_keys_arrow", keys)
    _run(con, "CREATE OR REPLACE TABLE name_keys AS SELECT * FROM name_keys_arrow")
    con.unregister("name_keys_arrow")


_PREPARE = """
CREATE OR REPLACE TABLE {out} AS
SELECT
    r.id AS unique_id,
    nullif(regexp_replace(upper(r.upn), '[^A-Z0-9]', '', 'g'), '') AS upn,
    nullif(regexp_replace(upper(r.former_upn), '[^A-Z0-9]', '', 'g'), '') AS former_upn,
    f.norm AS forename, f.sounds AS forename_sounds, f.nicknames AS forename_nicknames,
    f.key AS forename_key, substr(f.key, 1, 1) AS forename_initial,
    m.variants[1] AS middle,
    s.norm AS surname, s.sounds AS surname_sounds, s.key AS surname_key,
    substr(s.key, 1, 1) AS surname_initial,
    list_distinct(list_concat(s.variants, coalesce(p.variants, []), coalesce(o.variants, [])))
        AS surname_variants,
    list_distinct(list_concat(s.variant_sounds, coalesce(p.variant_sounds, []),
                              coalesce(o.variant_sounds, []))) AS surname_variant_sounds,
    strftime(r.dob_date, '%Y-%m-%d') AS dob,
    CASE WHEN day(r.dob_date) <= 12 AND day(r.dob_date) <> month(r.dob_date)
         THEN strftime(make_date(year(r.dob_date), day(r.dob_date), month(r.dob_date)),
                       '%Y-%m-%d') END
        AS dob_swapped,
    strftime(r.dob_date, '%Y-%m') AS dob_month,
    year(r.dob_date) AS birth_year,
    CASE WHEN upper(substr(trim(r.sex), 1, 1)) IN ('M', 'F')
         THEN upper(substr(trim(r.sex), 1, 1)) END AS sex,
    nullif(regexp_replace(upper(r.postcode), '[^A-Z0-9]', '', 'g'), '') AS postcode,
    CASE WHEN length(regexp_replace(r.postcode, '[^A-Za-z0-9]', '', 'g')) >= 5
         THEN upper(substr(regexp_replace(r.postcode, '[^A-Za-z0-9]', '', 'g'), 1,
              length(regexp_replace(r.postcode, '[^A-Za-z0-9]', '', 'g')) - 3))
         -- A postcode shorter than a UK one (Australia's four digits, in FEBRL) is its own.
         ELSE nullif(upper(regexp_replace(r.postcode, '[^A-Za-z0-9]', '', 'g')), '') END
        AS postcode_district,
    nullif(regexp_replace(upper(strip_accents(r.town)), '[^A-Z]', '', 'g'), '') AS town
FROM (SELECT *, try_cast(dob AS DATE) AS dob_date FROM {raw}) r
LEFT JOIN name_keys f ON f.raw = r.forename
LEFT JOIN name_keys m ON m.raw = r.middle_names
LEFT JOIN name_keys s ON s.raw = r.surname
LEFT JOIN name_keys p ON p.raw = r.preferred_surname
LEFT JOIN name_keys o ON o.raw = r.former_surname
"""


def prepare(con: duckdb.DuckDBPyConnection, raw: dict[str, str]) -> None:
    """Prepare each raw table (`{"records_left": "raw_left", ...}`) as its key's table."""
    _name_keys(con, list(raw.values()))
    for out, table in raw.items():
        _run(con, _PREPARE.format(out=out, raw=table))


# --- Engines -----------------------------------------------------------------------------


def duckdb_connection(*, memory_limit: str | None = None, threads: int | None = None,
                      temp_directory: str | None = None) -> duckdb.DuckDBPyConnection:
    """Return an in-memory DuckDB connection, bounded in memory, spilling to a directory."""
    con = duckdb.connect()
    if memory_limit:
        _run(con, f"SET memory_limit = '{memory_limit}'")
    if threads:
        _run(con, f"SET threads = {int(threads)}")
    if temp_directory:
        _run(con, f"SET temp_directory = '{temp_directory}'")
    _run(con, "SET preserve_insertion_order = false")
    _run(con, "SET enable_progress_bar = false")
    return con


def spark_session(master: str = "local[2]"):
    """Return a Spark session with Splink's similarity functions (pyspark: the `spark` extra)."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    spark = (SparkSession.builder.master(master).appName("s2s-matching")
             .config("spark.jars", similarity_jar_location())
             .config("spark.sql.shuffle.partitions", "8")
             .config("spark.driver.memory", os.environ.get("S2S_SPARK_DRIVER_MEMORY", "4g"))
             .config("spark.ui.enabled", "false")
             .getOrCreate())
    # Splink breaks long query plans by checkpointing; on a cluster this must be a directory
    # every executor shares (S2S_SPARK_CHECKPOINT_DIR: hdfs://..., s3a://...).
    spark.sparkContext.setCheckpointDir(os.environ.get("S2S_SPARK_CHECKPOINT_DIR")
                                        or tempfile.mkdtemp(prefix="s2s-spark-checkpoint-"))
    return spark


@dataclass
class Linked:
    """The result of one linkage: the scored pairs above the possible threshold, and figures."""

    pairs: list[dict]
    left_records: int
    right_records: int
    pairs_compared: int
    seconds: float
    model: dict = field(default_factory=dict)

    def count(self, band: str) -> int:
        return sum(1 for pair in self.pairs if pair["band"] == band)


class Session:
    """One linkage of two prepared tables, on DuckDB or Spark, through one Splink linker."""

    def __init__(self, con: duckdb.DuckDBPyConnection, *, engine: str = "duckdb",
                 model: dict | None = None, spark=None):
        from splink.backends.duckdb import DuckDBAPI

        self.con = con
        self.engine = engine
        self._tmp = None
        if engine == "spark":
            from splink.backends.spark import SparkAPI

            self.spark = spark or spark_session()
            self._tmp = tempfile.TemporaryDirectory(prefix="s2s-match-")
            frames = []
            for name in ("records_left", "records_right"):
                path = os.path.join(self._tmp.name, f"{name}.parquet")
                _run(con, f"COPY {name} TO '{path}' (FORMAT parquet)")
                frames.append(self.spark.read.parquet(path))
            db_api = SparkAPI(spark_session=self.spark)
            inputs = [db_api.register(frames[0], dataset_display_name="left"),
                      db_api.register(frames[1], dataset_display_name="right")]
        else:
            db_api = DuckDBAPI(connection=con)
            inputs = [db_api.register("records_left", dataset_display_name="left"),
                      db_api.register("records_right", dataset_display_name="right")]
        if model is not None:
            model = for_dialect(model, "spark" if engine == "spark" else "duckdb")
        self.linker = Linker(inputs, model or settings(), log_level=logging.WARNING)

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()

    def train(self, *, u_pairs: float = 2e6, seed: int = 1) -> dict:
        """Train the model without labels and return it (Splink's settings with m and u).

        λ from deterministic rules, u by random sampling, m by EM on two blocked subsets
        (same DOB and surname sound: the forename, UPN, sex and place; same names: the DOB;
        same DOB and postcode: the names, swapped ones too).
        """
        training = self.linker.training
        training.estimate_probability_two_random_records_match(
            ["l.upn = r.upn",
             "l.dob = r.dob AND l.surname = r.surname AND l.forename = r.forename"],
            recall=0.8)
        training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed, num_chunks=2)
        for rule in (block_on("dob", "surname_key"), block_on("forename", "surname"),
                     block_on("dob", "postcode")):
            training.estimate_parameters_using_expectation_maximisation(
                rule, record_sample_proportion=1.0)
        return settle(self.linker.misc.save_model_to_json())

    def pairs_compared(self) -> int:
        """Return how many pairs the blocking rules give (each pair once)."""
        table = self.linker.inference.compute_blocked_pairs_for_predict()
        count = self.linker.misc.query_sql(
            f"SELECT count(*) AS n FROM {table.physical_name}").as_record_list()
        return int(count[0]["n"])

    def predict(self, *, possible: float) -> list[dict]:
        """Return the scored pairs at or above `possible`, as dicts of Python values."""
        result = self.linker.inference.predict(threshold_match_probability=possible)
        if self.engine == "duckdb":
            # Arrow, not Splink's row-by-row conversion (8,000 rows took 6 s).
            rows = self.con.sql(f"SELECT * FROM {result.physical_name}")
            rows = rows.to_arrow_table().to_pylist()
        else:
            rows = result.as_record_list()
        result.drop_table_from_database_and_remove_from_cache()
        return rows


# --- Bands, weights and reasons -------------------------------------------------------------

COMPARISONS = ("upn", "forename", "surname", "dob", "sex", "place")

def level_labels(model: dict) -> dict[str, dict[int, str]]:
    """Return each comparison's levels by comparison vector value (gamma) -> chart label."""
    labels = {}
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        # Splink numbers the non-null levels from the most specific down to 0 (else).
        top = len(levels) - 1
        labels[comparison["output_column_name"]] = {
            top - i: lv.get("label_for_charts") or lv["sql_condition"]
            for i, lv in enumerate(levels)}
    return labels


# EM gives a level it rarely sees in its blocked subsets an m near 0, and so a weight of -50
# against a pair that agrees (a surname that only sounds alike); an agreement is never allowed
# to count more than 4 bits against, nor any level more than 14. A level never seen at all
# (a former UPN matching) keeps the strong evidence it is: m 1%, u 1 in 100,000.
_AGREEMENT_FLOOR = 2**-4
_ANY_FLOOR = 2**-14
_UNSEEN_M, _UNSEEN_U = 0.01, 1e-5
# Probabilities EM or sampling drive towards 0 stop here (Splink refuses below 1e-300).
_TINY = 1e-12


def settle(model: dict) -> dict:
    """Return the trained model with its untrained and near-zero m probabilities settled."""
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for i, level in enumerate(levels):
            is_else = i == len(levels) - 1
            m, u = level.get("m_probability"), level.get("u_probability")
            if u is None:
                u = level["u_probability"] = 0.99 if is_else else _UNSEEN_U
            if m is None:
                m = level["m_probability"] = 0.01 if is_else else _UNSEEN_M
            u = level["u_probability"] = max(u, _TINY)
            floor = u * (_ANY_FLOOR if is_else else _AGREEMENT_FLOOR)
            level["m_probability"] = max(m, floor, _TINY)
    return model


def chart(model: dict) -> list[dict]:
    """Return the match weight chart's bars: each comparison level's m, u and weight."""
    bars = []
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            bars.append({"comparison": comparison["output_column_name"],
                         "level": level.get("label_for_charts") or level["sql_condition"],
                         "m": m, "u": u, "weight": weight})
    return bars


# A pair whose forename, surname or DOB differs outright is at most "possible", however high
# its score: twins share a surname, DOB and address, which the model (each comparison
# independent of the others) counts as much evidence as it would for one child.
CHECK_WITH_CARE = {"forename differs", "surname differs", "DOB differs"}


def band_of(probability: float, *, match: float, possible: float,
            levels: Iterable[str] = ()) -> str | None:
    """Return "match", "possible" or None for a probability, the thresholds and its levels."""
    if probability >= match and not CHECK_WITH_CARE.intersection(levels):
        return "match"
    if probability >= possible:
        return "possible"
    return None


def explain(row: dict, labels: dict[str, dict[int, str]]) -> tuple[str, dict]:
    """Return a pair's reason in words and its weight per comparison."""
    words, weights = [], {}
    for name in COMPARISONS:
        gamma = row.get(f"gamma_{name}")
        if gamma is None or gamma < 0:
            continue
        label = labels[name].get(gamma, "")
        weight = (row.get(f"mw_{name}") or 0.0) + (row.get(f"mw_tf_adj_{name}") or 0.0)
        weights[name] = {"level": label, "weight": round(weight, 2)}
        # Each level's chart label is its words; the swap is said once, by the forename.
        if label and label != "surname and forename swapped":
            words.append(label)
    return ", ".join(words), weights


# --- One linkage, end to end --------------------------------------------------------------


def link(left: Iterable[dict], right: Iterable[dict], *, match: float, possible: float,
         model: dict | None = None, engine: str = "duckdb", progress: Progress = _quiet,
         count_pairs: bool = True, con: duckdb.DuckDBPyConnection | None = None,
         spark=None, u_pairs: float = 2e6) -> Linked:
    """Link two lists of pupils and return the pairs in the two bands with their reasons.

    With no `model`, one is trained on these records first (and returned in `Linked.model`).
    """
    started = time.monotonic()
    con = con or duckdb_connection()
    con.register("raw_left_arrow", raw_table(left))
    con.register("raw_right_arrow", raw_table(right))
    progress(_("preparing records"))
    prepare(con, {"records_left": "raw_left_arrow", "records_right": "raw_right_arrow"})
    con.unregister("raw_left_arrow")
    con.unregister("raw_right_arrow")
    return link_prepared(con, match=match, possible=possible, model=model, engine=engine,
                         progress=progress, count_pairs=count_pairs, spark=spark,
                         started=started, u_pairs=u_pairs)


def link_prepared(con: duckdb.DuckDBPyConnection, *, match: float, possible: float,
                  model: dict | None = None, engine: str = "duckdb", progress: Progress = _quiet,
                  count_pairs: bool = True, spark=None, started: float | None = None,
                  u_pairs: float = 2e6) -> Linked:
    """Link the prepared tables `records_left` and `records_right` already in `con` (see `link`)."""
    started = time.monotonic() if started is None else started
    sizes = [_run(con, f"SELECT count(*) FROM {t}")[0][0]
             for t in ("records_left", "records_right")]
    if model is None:
        progress(_("training the model"))
        trainer = Session(con, engine=engine, spark=spark)
        try:
            model = trainer.train(u_pairs=u_pairs)
        finally:
            trainer.close()
    session = Session(con, engine=engine, model=model, spark=spark)
    try:
        compared = 0
        if count_pairs:
            progress(_("counting the pairs to compare"))
            compared = session.pairs_compared()
        progress(_("comparing pairs"))
        rows = session.predict(possible=possible)
    finally:
        session.close()
    labels = level_labels(model)
    pairs = []
    for row in rows:
        reason, weights = explain(row, labels)
        band = band_of(row["match_probability"], match=match, possible=possible,
                       levels=[w["level"] for w in weights.values()])
        if band is None:
            continue
        pairs.append({"left_id": row["unique_id_l"], "right_id": row["unique_id_r"],
                      "probability": row["match_probability"],
                      "match_weight": row["match_weight"], "band": band, "reason": reason,
                      "weights": weights})
    pairs.sort(key=lambda p: (-p["probability"], str(p["left_id"]), str(p["right_id"])))
    return Linked(pairs=pairs, left_records=sizes[0], right_records=sizes[1],
                  pairs_compared=compared, seconds=time.monotonic() - started, model=model)
