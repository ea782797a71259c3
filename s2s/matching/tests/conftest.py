"""Shared for the matcher's tests: one seeded sample linked once, its trained model reused."""

import pytest

from s2s.matching import engine, synthetic

MATCH, POSSIBLE = 0.99, 0.2


@pytest.fixture(scope="session")
def quality_sample():
    """Return a seeded sample (1,000 lost pupils, 800 on a roll of 5,000) and its linkage."""
    sample = synthetic.sample(lost=1000, roll=5000, seed=2026)
    linked = engine.link(sample.lost, sample.roll, match=MATCH, possible=POSSIBLE)
    return sample, linked


@pytest.fixture(scope="session")
def trained_model(quality_sample):
    return quality_sample[1].model
