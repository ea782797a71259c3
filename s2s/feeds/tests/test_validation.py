"""The validation fixtures of issue 13: each gives its error or warning, and what is kept."""

import pytest

from s2s.feeds.models import Mark, Pupil
from s2s.feeds.tests.conftest import UPN_1, UPN_2, codes, pupil, send_marks, send_roll

pytestmark = pytest.mark.django_db


def _warnings_for(connector, **fields):
    feed = send_roll(connector, [pupil(**{"upn": UPN_1, **fields})])
    assert feed.errors == []
    return feed.warnings


def test_an_impossible_dob_warns_and_the_pupil_is_kept_without_it(connector):
    warnings = _warnings_for(connector, dob="2016-02-31")
    assert codes(warnings) == ["dob_impossible"]
    assert "2016-02-31" in warnings[0]["message"]
    assert warnings[0]["upn"] == UPN_1
    assert warnings[0]["index"] == 0
    assert Pupil.objects.get().dob is None


def test_a_dob_out_of_range_for_the_nc_year_warns(connector):
    assert codes(_warnings_for(connector, dob="2010-10-15", nc_year="5")) == ["dob_nc_year"]
    assert codes(_warnings_for(connector, dob="2025-01-15", nc_year="")) == ["dob_range"]


def test_a_blank_postcode_warns(connector):
    assert codes(_warnings_for(connector, postcode="")) == ["postcode_missing"]


def test_a_malformed_postcode_warns(connector):
    assert codes(_warnings_for(connector, postcode="DT20NS")) == ["postcode_malformed"]


def test_a_name_with_double_and_trailing_spaces_warns_and_is_kept_as_sent(connector):
    warnings = _warnings_for(connector, surname="Smith  Jones ")
    assert codes(warnings) == ["name_spaces"]
    assert Pupil.objects.get().surname == "Smith  Jones "


def test_a_bad_upn_check_letter_warns_and_the_pupil_is_kept(connector):
    warnings = _warnings_for(connector, upn="Z801200001001")
    assert codes(warnings) == ["upn_check"]
    assert "check letter" in warnings[0]["message"]
    assert Pupil.objects.get().upn == "Z801200001001"


def test_la_999_is_an_unknown_la_in_a_upn_and_in_a_destination(connector):
    assert codes(_warnings_for(connector, upn="A999000000001")) == ["upn_check"]
    assert codes(_warnings_for(connector, destination="9991234")) == ["la_unknown"]


def test_a_home_la_that_is_no_la_warns_and_is_dropped_and_a_real_one_is_kept(connector):
    assert codes(_warnings_for(connector, home_la="999")) == ["home_la_unknown"]
    assert Pupil.objects.get().home_la == ""
    assert codes(_warnings_for(connector, home_la="681")) == []
    assert Pupil.objects.get().home_la == "681"


def test_a_leaving_date_that_is_not_a_date_refuses_the_pupil(connector):
    feed = send_roll(connector, [pupil(UPN_1, leaving_date="2026-13-01"), pupil(UPN_2)])
    assert codes(feed.errors) == ["date_invalid"]
    assert list(Pupil.objects.values_list("upn", flat=True)) == [UPN_2]


def test_an_unknown_code_and_a_code_outside_its_dates_are_errors(connector):
    send_roll(connector, [pupil(UPN_1)])
    feed = send_marks(connector, [(UPN_1, "2026-11-02", "AM", "Ä"),
                                  (UPN_1, "2023-11-02", "AM", "Y4")])
    assert codes(feed.errors) == ["code_unknown", "code_out_of_dates"]
    assert [e["index"] for e in feed.errors] == [0, 1]
    assert Mark.objects.count() == 0


def test_the_report_keeps_the_first_thousand_findings_and_counts_them_all(connector):
    send_roll(connector, [pupil(UPN_1)])
    marks = [(UPN_1, f"{y}-{m:02d}-{d:02d}", s, "A") for y in (2025, 2026)
             for m in range(1, 13) for d in range(1, 29) for s in ("AM", "PM")][:1100]
    feed = send_marks(connector, marks)
    assert (feed.error_count, len(feed.errors), feed.quarantined) == (1100, 1000, 1100)
    assert feed.errors[999]["index"] == 999
