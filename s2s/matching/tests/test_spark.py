"""The same model on Spark in local mode gives the same pairs as on DuckDB (issue 15, Model)."""

import pytest

from s2s.matching import engine, synthetic

from .conftest import MATCH, POSSIBLE

pyspark = pytest.importorskip("pyspark")


@pytest.fixture(scope="module")
def spark():
    session = engine.spark_session("local[1]")
    yield session
    session.stop()


def test_spark_and_duckdb_propose_the_same_pairs_with_the_same_reasons(trained_model, spark):
    sample = synthetic.sample(lost=60, roll=200, seed=5)
    on_duckdb = engine.link(sample.lost, sample.roll, match=MATCH, possible=POSSIBLE,
                            model=trained_model)
    on_spark = engine.link(sample.lost, sample.roll, match=MATCH, possible=POSSIBLE,
                           model=trained_model, engine="spark", spark=spark)
    assert on_spark.pairs_compared == on_duckdb.pairs_compared > 0
    duck = {(p["left_id"], p["right_id"]): (p["band"], p["reason"]) for p in on_duckdb.pairs}
    spark_pairs = {(p["left_id"], p["right_id"]): (p["band"], p["reason"])
                   for p in on_spark.pairs}
    assert spark_pairs == duck
    assert len(duck) >= 40
    probabilities = {(p["left_id"], p["right_id"]): p["probability"] for p in on_spark.pairs}
    for pair in on_duckdb.pairs:
        key = (pair["left_id"], pair["right_id"])
        assert probabilities[key] == pytest.approx(pair["probability"], abs=1e-9)
