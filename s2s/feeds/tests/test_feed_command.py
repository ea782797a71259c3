"""`s2s feed load KIND FILE --school CODE`: an LA loads a feed it received by another route."""

import json

import pytest
from django.core.management import CommandError, call_command

from s2s.feeds.models import Feed, Mark
from s2s.feeds.tests.conftest import UPN_1, pupil

pytestmark = pytest.mark.django_db


def _load(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("feed", "load", *args, stdout=out)
    return out.getvalue()


def test_a_json_roll_then_a_csv_of_marks_are_loaded_as_the_system(tmp_path, sending_school):
    roll = tmp_path / "roll.json"
    roll.write_text(json.dumps({"school": "8383321", "pupils": [pupil(UPN_1, postcode="")]}))
    marks = tmp_path / "marks.csv"
    marks.write_text(f"upn,date,session,code\n{UPN_1},2026-11-02,AM,/\n")
    out = _load("roll", str(roll), "--school", "8383321")
    assert "accepted; 1 received, 1 changed" in out
    assert "warning: [0] postcode_missing: The pupil has no postcode." in out
    _load("attendance", str(marks), "--school", "8383321")
    assert Mark.objects.get().code == "/"
    assert set(Feed.objects.values_list("sent_by_username", flat=True)) == {"system"}


def test_a_file_that_is_no_feed_is_refused_and_exits_1(tmp_path, sending_school):
    bad = tmp_path / "roll.json"
    bad.write_text("not json")
    with pytest.raises(SystemExit) as exit_:
        _load("roll", str(bad), "--school", "8383321")
    assert exit_.value.code == 1
    assert Feed.objects.get().status == "refused"


def test_an_unknown_school_or_extension_is_an_error(tmp_path, sending_school):
    roll = tmp_path / "roll.json"
    roll.write_text(json.dumps({"pupils": []}))
    with pytest.raises(CommandError, match="no school 9999999"):
        _load("roll", str(roll), "--school", "9999999")
    with pytest.raises(CommandError, match=".json, .csv or .xml"):
        _load("roll", str(tmp_path / "roll.txt"), "--school", "8383321")
