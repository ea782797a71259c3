"""The attendance code dictionary: versions by nation and date, meanings, mark strings."""

from datetime import date

import pytest

from s2s.feeds.codes import Meaning, look_up, meaning_of, split_marks

ENGLAND_NEW = [
    ("/", Meaning.PRESENT), ("\\", Meaning.PRESENT), ("L", Meaning.PRESENT),
    ("K", Meaning.EDUCATIONAL_ACTIVITY), ("V", Meaning.EDUCATIONAL_ACTIVITY),
    ("P", Meaning.EDUCATIONAL_ACTIVITY), ("W", Meaning.EDUCATIONAL_ACTIVITY),
    ("B", Meaning.EDUCATIONAL_ACTIVITY),
    ("C1", Meaning.AUTHORISED), ("M", Meaning.AUTHORISED), ("J1", Meaning.AUTHORISED),
    ("S", Meaning.AUTHORISED), ("C2", Meaning.AUTHORISED), ("C", Meaning.AUTHORISED),
    ("T", Meaning.AUTHORISED), ("R", Meaning.AUTHORISED), ("I", Meaning.AUTHORISED),
    ("E", Meaning.AUTHORISED),
    ("G", Meaning.UNAUTHORISED), ("N", Meaning.UNAUTHORISED), ("O", Meaning.UNAUTHORISED),
    ("U", Meaning.UNAUTHORISED),
    ("D", Meaning.NOT_POSSIBLE), ("X", Meaning.NOT_POSSIBLE), ("Q", Meaning.NOT_POSSIBLE),
    ("Y1", Meaning.NOT_POSSIBLE), ("Y4", Meaning.NOT_POSSIBLE), ("Y7", Meaning.NOT_POSSIBLE),
    ("Z", Meaning.NOT_POSSIBLE), ("#", Meaning.NOT_POSSIBLE),
]


@pytest.mark.parametrize(("code", "meaning"), ENGLAND_NEW)
def test_each_english_code_from_19_august_2024_has_its_meaning(code, meaning):
    assert meaning_of(nation="england", day=date(2025, 10, 6), code=code) == meaning


def test_no_mark_is_never_an_absence():
    for nation in ("england", "wales"):
        assert meaning_of(nation=nation, day=date(2025, 10, 6), code="-") == Meaning.NO_MARK


def test_an_interview_was_an_educational_activity_before_2024_and_is_an_absence_after():
    assert meaning_of(nation="england", day=date(2024, 8, 16), code="J") == (
        Meaning.EDUCATIONAL_ACTIVITY)
    assert look_up(nation="england", day=date(2024, 8, 19), code="J").problem == "out_of_dates"
    assert meaning_of(nation="england", day=date(2024, 8, 19), code="J1") == Meaning.AUTHORISED
    assert look_up(nation="england", day=date(2024, 8, 16), code="J1").problem == "out_of_dates"


def test_wales_keeps_its_2010_codes():
    day = date(2025, 10, 6)
    assert meaning_of(nation="wales", day=day, code="H") == Meaning.AUTHORISED
    assert meaning_of(nation="wales", day=day, code="J") == Meaning.EDUCATIONAL_ACTIVITY
    assert look_up(nation="wales", day=day, code="C1").problem == "unknown"


def test_a_code_no_version_has_is_unknown():
    assert look_up(nation="england", day=date(2025, 10, 6), code="A").problem == "unknown"


def test_a_mark_string_splits_into_one_code_per_session_two_character_codes_first():
    assert split_marks("/\\C1C1Y4Y4--") == ["/", "\\", "C1", "C1", "Y4", "Y4", "-", "-"]
    assert split_marks("C/N") == ["C", "/", "N"]
