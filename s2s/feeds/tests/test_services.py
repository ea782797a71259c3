"""Receiving feeds: the roll, marks and their history, exclusions, errors and idempotency."""

from datetime import date

import pytest

from s2s.core.errors import ServiceError
from s2s.feeds.models import Exclusion, Mark, MarkVersion, Pupil, QuarantinedMark
from s2s.feeds.selectors import mark_history
from s2s.feeds.services import feed_receive
from s2s.feeds.tests.conftest import (
    UPN_1,
    UPN_2,
    UPN_3,
    codes,
    pupil,
    send,
    send_marks,
    send_roll,
)

pytestmark = pytest.mark.django_db


def test_a_roll_puts_its_pupils_on_the_schools_roll(connector, sending_school):
    feed = send_roll(connector, [pupil(UPN_1), pupil(UPN_2, forename="Ben")])
    assert (feed.status, feed.received, feed.changed) == ("accepted", 2, 2)
    assert feed.errors == []
    assert feed.warnings == []
    assert sorted(Pupil.objects.filter(establishment=sending_school)
                  .values_list("upn", "forename")) == sorted([(UPN_1, "Amy"), (UPN_2, "Ben")])


def test_sending_the_same_roll_twice_changes_nothing(connector):
    send_roll(connector, [pupil(UPN_1), pupil(UPN_2)])
    again = send_roll(connector, [pupil(UPN_1), pupil(UPN_2)])
    assert (again.received, again.changed) == (2, 0)


def test_a_full_roll_without_a_pupil_marks_the_pupil_left_and_keeps_the_record(connector):
    send_roll(connector, [pupil(UPN_1), pupil(UPN_2)], full=True)
    feed = send_roll(connector, [pupil(UPN_1)], full=True)
    assert feed.changed == 1
    left = Pupil.objects.get(upn=UPN_2)
    assert left.on_roll is False
    assert left.missing_since == feed.received_at
    assert Pupil.objects.get(upn=UPN_1).on_roll is True


def test_a_delta_roll_leaves_the_pupils_it_does_not_name_on_roll(connector):
    send_roll(connector, [pupil(UPN_1), pupil(UPN_2)], full=True)
    send_roll(connector, [pupil(UPN_1, town="Weymouth")])
    assert Pupil.objects.filter(on_roll=True).count() == 2
    assert Pupil.objects.get(upn=UPN_1).town == "Weymouth"


def test_marks_are_stored_and_the_same_marks_twice_change_nothing(connector):
    send_roll(connector, [pupil(UPN_1), pupil(UPN_2)])
    marks = [(UPN_1, "2026-11-02", "AM", "/"), (UPN_1, "2026-11-02", "PM", "\\"),
             (UPN_2, "2026-11-02", "AM", "I"), (UPN_2, "2026-11-02", "PM", "I")]
    first = send_marks(connector, marks)
    again = send_marks(connector, marks)
    assert (first.received, first.changed) == (4, 4)
    assert (again.received, again.changed) == (4, 0)
    assert sorted(Mark.objects.values_list("pupil__upn", "session", "code")) == sorted(
        [(UPN_1, 0, "/"), (UPN_1, 1, "\\"), (UPN_2, 0, "I"), (UPN_2, 1, "I")])
    assert MarkVersion.objects.count() == 0


def test_a_correction_replaces_the_mark_and_both_versions_stay_with_who_sent_them(
        connector, census_officer):
    send_roll(connector, [pupil(UPN_1)])
    first = send_marks(connector, [(UPN_1, "2026-11-02", "AM", "N")])
    correction = send_marks(census_officer, [(UPN_1, "2026-11-02", "AM", "M")])
    assert correction.changed == 1
    assert Mark.objects.get().code == "M"
    history = mark_history(pupil=Pupil.objects.get(), day=date(2026, 11, 2), session=0)
    assert [(h["code"], h["sent_by"], h["feed"]) for h in history] == [
        ("N", "8383321-mis", first.pk), ("M", "838-census", correction.pk)]


def test_a_mark_for_a_pupil_not_on_the_roll_is_refused_on_its_own(connector):
    send_roll(connector, [pupil(UPN_1)])
    feed = send_marks(connector, [(UPN_1, "2026-11-02", "AM", "/"),
                                  (UPN_3, "2026-11-02", "AM", "/")])
    assert feed.status == "accepted"
    assert (feed.received, feed.changed) == (2, 1)
    assert feed.errors == [{"message": feed.errors[0]["message"], "code": "unknown_pupil",
                            "upn": UPN_3, "index": 1, "words": feed.errors[0]["words"]}]


def test_a_date_that_is_not_a_date_refuses_the_mark(connector):
    send_roll(connector, [pupil(UPN_1)])
    feed = send_marks(connector, [(UPN_1, "2026-11-31", "AM", "/"),
                                  (UPN_1, "yesterday", "PM", "/")])
    assert codes(feed.errors) == ["date_invalid", "date_invalid"]
    assert feed.changed == 0
    assert Mark.objects.count() == 0


def test_an_unknown_code_is_held_as_no_mark_until_the_school_corrects_it(connector):
    send_roll(connector, [pupil(UPN_1)])
    feed = send_marks(connector, [(UPN_1, "2026-11-02", "AM", "A")])
    assert (feed.quarantined, feed.changed) == (1, 0)
    assert codes(feed.errors) == ["code_unknown"]
    assert Mark.objects.count() == 0
    held = QuarantinedMark.objects.get()
    assert (held.code, held.resolved_by) == ("A", None)
    corrected = send_marks(connector, [(UPN_1, "2026-11-02", "AM", "I")])
    held.refresh_from_db()
    assert held.resolved_by == corrected
    assert Mark.objects.get().code == "I"


def test_a_code_used_outside_the_dates_it_was_valid_is_held(connector):
    send_roll(connector, [pupil(UPN_1)])
    feed = send_marks(connector, [
        (UPN_1, "2024-03-01", "AM", "C1"),  # C1 began on 19 August 2024
        (UPN_1, "2025-01-10", "AM", "H"),  # H ended then
        (UPN_1, "2024-08-16", "AM", "H"),  # still valid
        (UPN_1, "2024-08-19", "AM", "J1"),  # valid from its first day
    ])
    assert codes(feed.errors) == ["code_out_of_dates", "code_out_of_dates"]
    assert feed.quarantined == 2
    assert sorted(Mark.objects.values_list("code", flat=True)) == ["H", "J1"]


def test_a_welsh_school_uses_the_welsh_codes(welsh_connector):
    upn = "R201100018042"
    send_roll(welsh_connector, [pupil(upn, postcode="CF10 1AA")], school="6812345")
    feed = send_marks(welsh_connector, [(upn, "2026-11-02", "AM", "H"),
                                        (upn, "2026-11-02", "PM", "C1")], school="6812345")
    assert codes(feed.errors) == ["code_unknown"]
    assert Mark.objects.get().code == "H"


def test_a_mark_after_the_pupils_leaving_date_is_kept_with_a_warning(connector):
    send_roll(connector, [pupil(UPN_1, leaving_date="2026-10-23")])
    feed = send_marks(connector, [(UPN_1, "2026-11-02", "AM", "/")])
    assert feed.changed == 1
    assert codes(feed.warnings) == ["mark_after_leaving"]


def test_exclusions_are_stored_and_a_later_feed_replaces_one(connector):
    send_roll(connector, [pupil(UPN_1)])
    body = {"school": "8383321", "exclusions": [
        {"upn": UPN_1, "category": "suspension", "start_date": "2026-11-02", "sessions": 4,
         "reasons": ["PP"], "rescinded": False}]}
    first = send(connector, "exclusions", body)
    again = send(connector, "exclusions", body)
    body["exclusions"][0]["rescinded"] = True
    rescinded = send(connector, "exclusions", body)
    assert (first.changed, again.changed, rescinded.changed) == (1, 0, 1)
    exclusion = Exclusion.objects.get()
    assert (exclusion.category, exclusion.sessions, exclusion.reasons, exclusion.rescinded) == (
        "suspension", 4, ["PP"], True)


def test_an_exclusion_with_an_unknown_category_is_refused_on_its_own(connector):
    send_roll(connector, [pupil(UPN_1)])
    feed = send(connector, "exclusions", {"school": "8383321", "exclusions": [
        {"upn": UPN_1, "category": "expelled", "start_date": "2026-11-02"},
        {"upn": UPN_1, "category": "lunchtime", "start_date": "2026-11-03"}]})
    assert codes(feed.errors) == ["category_invalid"]
    assert feed.changed == 1


def test_a_body_that_is_not_json_is_refused_as_a_whole(connector):
    feed = feed_receive(user=connector, kind="roll", content=b"not json", school="8383321")
    assert feed.status == "refused"
    assert codes(feed.errors) == ["feed_unreadable"]


def test_a_body_that_is_not_json_and_names_no_school_is_refused_unrecorded(connector):
    with pytest.raises(ServiceError) as refused:
        feed_receive(user=connector, kind="roll", content=b"not json")
    assert refused.value.code == "feed_unreadable"


def test_a_mark_on_a_session_the_calendar_does_not_open_is_kept_with_a_warning(connector):
    from s2s.calendars.services import calendar_set

    calendar_set(user=connector, owner=connector.establishment, academic_year="2025/26",
                 terms=[{"start": "2025-09-03", "end": "2025-10-24"},
                        {"start": "2025-11-03", "end": "2025-12-19"}],
                 closures=[{"date": "2025-11-14", "sessions": "pm", "reason": "INSET"}])
    send_roll(connector, [pupil(UPN_1)])
    feed = send_marks(connector, [
        (UPN_1, "2025-10-29", "AM", "/"),  # half-term
        (UPN_1, "2025-11-14", "AM", "/"),  # open in the morning
        (UPN_1, "2025-11-14", "PM", "\\"),  # INSET in the afternoon
        (UPN_1, "2025-11-15", "AM", "/"),  # a Saturday
        (UPN_1, "2025-12-25", "AM", "/"),  # Christmas, in no term
        (UPN_1, "2026-11-02", "AM", "/"),  # 2026/27: no calendar, no warning
    ])
    assert feed.changed == 6
    assert [(w["code"], w["index"]) for w in feed.warnings] == [
        ("not_school_day", 0), ("not_school_day", 2), ("not_school_day", 3),
        ("not_school_day", 4)]
