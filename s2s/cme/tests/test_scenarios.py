"""The issue's scenarios, end to end: feeds in, calendars read, signals recomputed (issue 14).

LA 838's 2025/26 calendar: half-term 27-31 October 2025, INSET day Friday 14 November, May
Day Monday 4 May 2026 inside the summer term.
"""

from datetime import UTC, date, datetime

import pytest

from s2s.accounts.roles import Role
from s2s.cme.tests.conftest import (
    UPN_1,
    days_between,
    mark_days,
    pupil,
    recompute,
    send,
    send_marks,
    send_roll,
    signals,
)
from s2s.feeds.health import feed_health
from s2s.feeds.models import Feed, MarkVersion


@pytest.fixture
def absent_from_20_october(school, connector):
    """N and O alternately, every session from Monday 20 October to Friday 7 November."""
    days = days_between(school, "2025-10-20", "2025-11-07")
    send_marks(connector, [(UPN_1, day.isoformat(), session, "N" if i % 2 else "O")
                           for i, day in enumerate(days) for session in ("AM", "PM")])
    return days


def test_ten_days_of_absence_from_20_october_fire_on_friday_7_november_not_before(
        school, connector):
    mark_days(connector, days_between(school, "2025-10-20", "2025-11-06"), "N")
    recompute(school, "2025-11-06")
    assert signals("absence_10_days") == []
    mark_days(connector, [date(2025, 11, 7)], "O")
    done = recompute(school, "2025-11-07")
    [signal] = signals("absence_10_days")
    assert (signal.first_day, signal.fired_on, signal.school_days, signal.status) == (
        date(2025, 10, 20), date(2025, 11, 7), 10, "open")
    assert (signal.upn, signal.surname, signal.forename, signal.dob) == (
        UPN_1, "Smith", "Amy", date(2016, 10, 15))
    # Ten days absent of ten possible are persistent and severe absence too.
    assert done.fired == 3
    assert sorted(s.kind for s in signals()) == [
        "absence_10_days", "persistent_absence", "severe_absence"]


def test_a_signal_fires_once_per_run_however_often_it_is_recomputed(
        school, connector, absent_from_20_october):
    first = recompute(school, "2025-11-07")
    again = recompute(school, "2025-11-07")
    mark_days(connector, [date(2025, 11, 10)], "N")
    later = recompute(school, "2025-11-10")
    assert (first.fired, again.fired, again.updated, later.fired) == (3, 0, 0, 0)
    [signal] = signals("absence_10_days")
    assert (signal.fired_on, signal.school_days) == (date(2025, 11, 7), 11)


def test_an_inset_day_inside_the_run_is_skipped(school, connector):
    # From Monday 10 November; Friday 14 November is an INSET day.
    mark_days(connector, days_between(school, "2025-11-10", "2025-11-24"), "N")
    recompute(school, "2025-11-24")
    [signal] = signals("absence_10_days")
    assert (signal.first_day, signal.fired_on) == (date(2025, 11, 10), date(2025, 11, 24))


def test_a_bank_holiday_inside_the_run_is_skipped(school, connector):
    # From Tuesday 21 April 2026; Monday 4 May is May Day.
    mark_days(connector, days_between(school, "2026-04-21", "2026-05-05"), "N")
    recompute(school, "2026-05-05")
    [signal] = signals("absence_10_days")
    assert (signal.first_day, signal.fired_on) == (date(2026, 4, 21), date(2026, 5, 5))


@pytest.mark.parametrize("code", ["/", "I"])
def test_one_present_or_illness_mark_on_day_9_resets_the_run(school, connector, code):
    mark_days(connector, days_between(school, "2025-10-20", "2025-11-07"), "N")
    send_marks(connector, [(UPN_1, "2025-11-06", "AM", code)])  # day 9
    recompute(school, "2025-11-07")
    assert signals("absence_10_days") == []


def test_after_a_present_morning_on_day_9_a_new_run_starts_that_afternoon(school, connector):
    mark_days(connector, days_between(school, "2025-10-20", "2025-11-21"), "N")
    send_marks(connector, [(UPN_1, "2025-11-06", "AM", "/")])  # day 9
    recompute(school, "2025-11-20")
    assert signals("absence_10_days") == []
    recompute(school, "2025-11-21")
    # 6 November PM, then 10 school days (the INSET day, 14 November, skipped) to the 20th
    # session on the morning of Friday 21 November.
    [signal] = signals("absence_10_days")
    assert (signal.first_day, signal.fired_on, signal.school_days) == (
        date(2025, 11, 6), date(2025, 11, 21), 11)


def test_an_n_recoded_as_i_two_days_later_withdraws_the_signal(
        school, connector, absent_from_20_october):
    recompute(school, "2025-11-07")
    mark_days(connector, days_between(school, "2025-11-10", "2025-11-11"), "/")
    send_marks(connector, [(UPN_1, "2025-11-05", "AM", "I")])
    done = recompute(school, "2025-11-11")
    [signal] = signals("absence_10_days")
    assert (signal.status, done.withdrawn) == ("withdrawn", 1)
    assert signal.withdrawn_at is not None
    # Both versions stay: the signal as it fired, and the N the I replaced.
    assert (signal.fired_on, signal.first_day) == (date(2025, 11, 7), date(2025, 10, 20))
    [replaced] = MarkVersion.objects.filter(date=date(2025, 11, 5), session=0)
    assert replaced.code == "N"


def test_a_withdrawn_signal_recoded_back_is_restored_not_fired_again(
        school, connector, absent_from_20_october):
    recompute(school, "2025-11-07")
    send_marks(connector, [(UPN_1, "2025-11-05", "AM", "I")])
    recompute(school, "2025-11-07")
    send_marks(connector, [(UPN_1, "2025-11-05", "AM", "N")])
    done = recompute(school, "2025-11-07")
    [signal] = signals("absence_10_days")
    assert (signal.status, signal.withdrawn_at, done.fired, done.updated) == (
        "open", None, 0, 1)


def test_a_run_ended_by_a_present_mark_is_closed_not_withdrawn(
        school, connector, absent_from_20_october):
    recompute(school, "2025-11-07")
    mark_days(connector, [date(2025, 11, 10)], "/")
    recompute(school, "2025-11-10")
    assert [s.status for s in signals("absence_10_days")] == ["closed"]


def test_illness_on_8_days_in_october_and_7_in_december_gives_one_sickness_signal(
        school, connector):
    mark_days(connector, days_between(school, "2025-10-01", "2025-10-10"), "I")  # 8 days
    mark_days(connector, days_between(school, "2025-10-13", "2025-11-28"), "/")
    mark_days(connector, days_between(school, "2025-12-01", "2025-12-09"), "I")  # 7 days
    recompute(school, "2025-12-09")
    [signal] = signals("sickness_15_days")
    assert (signal.first_day, signal.fired_on, signal.school_days) == (
        date(2025, 12, 1), date(2025, 12, 9), 15)


def test_dual_registration_fires_at_the_other_school_not_the_main_one(
        school, connector, receiving_school, other_connector):
    send_roll(connector, [pupil(UPN_1, registration="main")])
    send_roll(other_connector, [pupil(UPN_1, registration="subsidiary")], school="8384512")
    days = days_between(school, "2025-10-20", "2025-11-07")
    mark_days(connector, days, "D")
    mark_days(other_connector, days, "O", school="8384512")
    recompute(school, "2025-11-07")
    recompute(receiving_school, "2025-11-07")
    assert signals("absence_10_days", establishment=school) == []
    [signal] = signals("absence_10_days", establishment=receiving_school)
    assert signal.fired_on == date(2025, 11, 7)
    # The sessions are counted once, at the other school: D is not a possible session at
    # the main one, so it has no absence rate to report either.
    assert signals(establishment=school) == []
    assert sorted(s.kind for s in signals(establishment=receiving_school)) == [
        "absence_10_days", "persistent_absence", "severe_absence"]


def test_a_permanent_exclusion_from_thursday_23_october_has_day_6_on_thursday_6_november(
        school, connector):
    send(connector, "exclusions", {"school": "8383321", "exclusions": [
        {"upn": UPN_1, "category": "permanent", "start_date": "2025-10-23", "sessions": 0,
         "reasons": ["PA"], "rescinded": False}]})
    mark_days(connector, [date(2025, 10, 23)], "E")
    recompute(school, "2025-10-23")
    [signal] = signals("exclusion_day6")
    assert (signal.first_day, signal.fired_on, signal.status) == (
        date(2025, 10, 23), date(2025, 11, 6), "open")
    assert signal.detail["provider"] == "la"


def exclude(connector, *exclusions):
    send(connector, "exclusions", {"school": "8383321", "exclusions": [
        {"upn": UPN_1, "category": category, "start_date": start, "sessions": sessions,
         "reasons": ["PA"], "rescinded": False} for category, start, sessions in exclusions]})


def test_a_suspension_of_six_days_from_23_october_needs_school_provision_from_6_november(
        school, connector):
    exclude(connector, ("suspension", "2025-10-23", 12))
    recompute(school, "2025-10-23")
    [signal] = signals("exclusion_day6")
    # Thursday 23 and Friday 24 October, half-term skipped, 3-6 November: day 6 on the 6th.
    assert (signal.first_day, signal.fired_on, signal.school_days, signal.status) == (
        date(2025, 10, 23), date(2025, 11, 6), 6, "open")
    assert signal.detail["provider"] == "school"
    recompute(school, "2025-11-07")
    assert signals("exclusion_day6")[0].status == "closed"


def test_a_suspension_of_exactly_five_days_needs_no_provision(school, connector):
    exclude(connector, ("suspension", "2025-10-23", 10), ("lunchtime", "2025-11-10", 30))
    recompute(school, "2025-11-20")
    assert signals("exclusion_day6") == []


def test_suspensions_over_45_days_in_the_year_are_signalled_on_the_46th(school, connector):
    # 15 school days in each of three terms (never over a term's 15), then one more day in
    # the fourth term, from Monday 23 February 2026.
    exclude(connector, ("suspension", "2025-09-03", 30), ("suspension", "2025-11-03", 30),
            ("suspension", "2026-01-05", 30), ("suspension", "2026-02-23", 2))
    recompute(school, "2026-02-23")
    assert signals("suspensions_15_days_term") == []
    [signal] = signals("suspensions_45_days_year")
    assert (signal.first_day, signal.fired_on, signal.school_days, signal.status) == (
        date(2025, 9, 3), date(2026, 2, 23), 46, "open")


def test_a_rescinded_exclusion_withdraws_its_signal(school, connector):
    body = {"school": "8383321", "exclusions": [
        {"upn": UPN_1, "category": "suspension", "start_date": "2025-10-20", "sessions": 14,
         "reasons": ["PA"], "rescinded": False}]}
    send(connector, "exclusions", body)
    mark_days(connector, [date(2025, 10, 20)], "E")
    recompute(school, "2025-10-20")
    body["exclusions"][0]["rescinded"] = True
    send(connector, "exclusions", body)
    recompute(school, "2025-10-21")
    [signal] = signals("exclusion_day6")
    assert (signal.fired_on, signal.status) == (date(2025, 11, 3), "withdrawn")


def test_a_feed_missing_for_two_nights_raises_feed_health_not_absence(
        school, connector, home_la):
    mark_days(connector, days_between(school, "2025-10-20", "2025-11-05"), "N")  # 8 days
    Feed.objects.update(received_at=datetime(2025, 11, 5, 19, tzinfo=UTC))
    recompute(school, "2025-11-07")
    assert signals("absence_10_days") == []
    [health] = [h for h in feed_health(la=home_la, today=date(2025, 11, 10))
                if h.school == school]
    assert health.stale


def test_persistent_and_severe_absence_count_from_the_entry_date(school, connector):
    send_roll(connector, [pupil(UPN_1, entry_date="2025-10-13")])
    mark_days(connector, days_between(school, "2025-09-03", "2025-10-10"), "/")
    mark_days(connector, days_between(school, "2025-10-13", "2025-10-24"), "O")
    mark_days(connector, days_between(school, "2025-11-03", "2025-11-14"), "/")
    recompute(school, "2025-11-14")
    rates = signals(kind__in=["persistent_absence", "severe_absence"])
    assert [s.kind for s in rates] == ["persistent_absence", "severe_absence"]
    severe = signals("severe_absence")[0]
    assert (severe.first_day, severe.fired_on, severe.status) == (
        date(2025, 10, 13), date(2025, 10, 24), "open")
    assert severe.detail == {"absent_sessions": 20, "possible_sessions": 38, "percent": 52.6}


@pytest.fixture
def welsh_school(set_calendar, make_user, other_la, outsider_school, welsh_connector):
    """School 6812345 (LA 681, Wales) following its LA's 2025/26 calendar, UPN_1 on roll."""
    set_calendar(other_la, user=make_user(Role.LA_USER, other_la, username="681calendars"))
    send_roll(welsh_connector, [pupil(UPN_1)], school="6812345")
    return outsider_school


def test_in_wales_the_run_is_read_with_the_welsh_codes_and_calendar(
        welsh_school, welsh_connector):
    days = days_between(welsh_school, "2025-10-20", "2025-11-07")
    mark_days(welsh_connector, days, "N", school="6812345")
    recompute(welsh_school, "2025-11-07")
    [signal] = signals("absence_10_days")
    assert (signal.first_day, signal.fired_on) == (date(2025, 10, 20), date(2025, 11, 7))


def test_in_wales_an_agreed_extended_holiday_breaks_the_run(welsh_school, welsh_connector):
    # F (agreed extended family holiday) is an authorised absence in Wales only.
    mark_days(welsh_connector, days_between(welsh_school, "2025-10-20", "2025-11-07"), "N",
              school="6812345")
    send_marks(welsh_connector, [(UPN_1, "2025-11-06", "AM", "F")], school="6812345")
    recompute(welsh_school, "2025-11-07")
    assert signals("absence_10_days") == []


def test_suspensions_over_15_days_in_the_autumn_term_are_signalled(school, connector):
    send(connector, "exclusions", {"school": "8383321", "exclusions": [
        {"upn": UPN_1, "category": "suspension", "start_date": "2025-10-13", "sessions": 20,
         "reasons": ["PA"], "rescinded": False},
        {"upn": UPN_1, "category": "suspension", "start_date": "2025-11-17", "sessions": 12,
         "reasons": ["PA"], "rescinded": False}]})
    mark_days(connector, [date(2025, 11, 17)], "E")
    recompute(school, "2025-11-17")
    # 13-24 October (10 days, the autumn term's first half ends on the 24th) is another term
    # in this calendar; 17-24 November is 6 days: neither is over 15.
    assert signals("suspensions_15_days_term") == []
    send(connector, "exclusions", {"school": "8383321", "exclusions": [
        {"upn": UPN_1, "category": "suspension", "start_date": "2025-11-24", "sessions": 22,
         "reasons": ["PA"], "rescinded": False}]})
    recompute(school, "2025-11-24")
    [signal] = signals("suspensions_15_days_term")
    # 17-24 November (6 days), then 11 days from 24 November (one shared): 16 days, the
    # 16th on Monday 8 December.
    assert (signal.first_day, signal.fired_on, signal.school_days) == (
        date(2025, 11, 17), date(2025, 12, 8), 16)
