"""The matcher's quality on seeded noisy pupils (issue 15, Quality): what a reviewer relies on."""

from s2s.matching import synthetic


def test_the_match_band_is_right_at_least_999_times_in_1000(quality_sample):
    sample, linked = quality_sample
    scores = synthetic.scores(linked.pairs, sample.truth)
    assert scores["matches"] > 600
    assert scores["match_precision"] >= 0.999


def test_match_and_possible_together_find_at_least_97_in_100_lost_pupils(quality_sample):
    sample, linked = quality_sample
    assert synthetic.scores(linked.pairs, sample.truth)["recall"] >= 0.97


def test_each_kind_of_noise_is_found(quality_sample):
    sample, linked = quality_sample
    found = {(p["left_id"], p["right_id"]) for p in linked.pairs}
    for kind in synthetic.NOISE:
        pairs = [(lost, roll) for lost, roll in sample.truth if kind in sample.noise[lost]]
        assert pairs, kind
        share = sum(pair in found for pair in pairs) / len(pairs)
        assert share >= 0.9, (kind, share)


def test_a_twin_on_the_same_roll_is_never_a_match(quality_sample):
    sample, linked = quality_sample
    true_roll = {roll for _lost, roll in sample.truth}
    twins = {r["id"] for r in sample.roll[5000:]} - true_roll
    assert twins
    assert not [p for p in linked.pairs if p["right_id"] in twins and p["band"] == "match"]


def test_the_pair_count_stays_near_linear(quality_sample):
    _sample, linked = quality_sample
    # 1,000 x 5,000 records: 5 million possible pairs; blocking compares under 2% of them.
    assert 0 < linked.pairs_compared < 100_000
