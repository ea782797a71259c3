"""The model's comparisons, its reasons in words and its bands, on pairs a person can read."""

from s2s.matching import engine
from s2s.matching.names import nickname_group, sounds

from .conftest import MATCH, POSSIBLE


def _pupil(ident, **fields):
    base = {"id": ident, "upn": "", "forename": "Katie", "surname": "Smith",
            "dob": "2014-06-07", "sex": "F", "postcode": "DT1 1AA", "town": "Dorchester"}
    return base | fields


def _link(left, right, model):
    return engine.link(left, right, match=MATCH, possible=POSSIBLE, model=model)


def test_names_from_other_languages_and_spellings_sound_alike():
    for one, other in (("WIKTORIA", "VICTORIA"), ("SIDDIQUE", "SIDDIQI"),
                       ("MOHAMMED", "MUHAMMAD"), ("MOHAMED", "MUHAMMAD")):
        assert set(sounds(one)) & set(sounds(other)), (one, other)
    assert not set(sounds("SMITH")) & set(sounds("JONES"))


def test_kate_katie_and_catherine_are_one_nickname_group():
    assert set(nickname_group("KATE")) & set(nickname_group("CATHERINE"))
    assert set(nickname_group("KATIE")) & set(nickname_group("KATHRYN"))
    assert not set(nickname_group("KATE")) & set(nickname_group("OLIVER"))


def test_the_reason_says_in_words_what_made_the_score(trained_model):
    left = [_pupil("l1", surname="Mohammed", dob="2014-06-07", postcode="DT1 1AA")]
    right = [_pupil("r1", surname="Muhammad", dob="2014-07-06", postcode="DT1 9ZZ")]
    pair = _link(left, right, trained_model).pairs[0]
    assert pair["reason"] == ("forename matches, surname sounds alike, DOB day and month "
                              "swapped, sex matches, postcode district matches")
    assert pair["weights"]["dob"]["level"] == "DOB day and month swapped"
    assert pair["weights"]["dob"]["weight"] > 0


def test_a_nickname_and_a_hyphenated_surname_still_match(trained_model):
    left = [_pupil("l1", forename="Kate", surname="Smith-Jones", upn="A846513319469")]
    right = [_pupil("r1", forename="Catherine", surname="Jones", upn="A846513319469")]
    pair = _link(left, right, trained_model).pairs[0]
    assert "forename a nickname of the other" in pair["reason"]
    assert "surname matches a former, preferred or part surname" in pair["reason"]
    assert pair["band"] == "match"


def test_a_different_forename_is_never_more_than_possible(trained_model):
    # Twins: same surname, DOB, sex and address; another forename.
    left = [_pupil("l1", forename="Evie")]
    right = [_pupil("r1", forename="Grace")]
    pairs = _link(left, right, trained_model).pairs
    assert [p["band"] for p in pairs] in ([], ["possible"])


def test_a_pupil_with_nothing_in_common_is_not_proposed(trained_model):
    left = [_pupil("l1")]
    right = [_pupil("r1", forename="Oliver", surname="Brown", dob="2012-01-01", sex="M",
                    postcode="BH1 1AA", town="Bournemouth")]
    assert _link(left, right, trained_model).pairs == []


def test_the_bands_follow_the_thresholds():
    assert engine.band_of(0.995, match=0.99, possible=0.2) == "match"
    assert engine.band_of(0.5, match=0.99, possible=0.2) == "possible"
    assert engine.band_of(0.1, match=0.99, possible=0.2) is None
    assert engine.band_of(0.999, match=0.99, possible=0.2,
                          levels=["forename differs"]) == "possible"


def test_the_chart_has_a_weight_for_each_level(trained_model):
    bars = engine.chart(trained_model)
    levels = {(b["comparison"], b["level"]) for b in bars}
    assert ("dob", "DOB day and month swapped") in levels
    assert ("forename", "forename a nickname of the other") in levels
    assert all(b["weight"] is not None for b in bars)
    upn = {b["level"]: b["weight"] for b in bars if b["comparison"] == "upn"}
    assert upn["UPN matches"] > 5 > 0 > upn["UPN differs"]
