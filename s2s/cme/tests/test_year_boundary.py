"""Signals across 31 August: LA 838's calendars of 2025/26 (summer term to Wednesday 22 July
2026) and 2026/27 (from Wednesday 2 September 2026). A run of absence or an exclusion going on
over the summer holiday goes on through school days only; illness and the rates start again
with the new school year."""

from datetime import UTC, date, datetime

import pytest

from s2s.cme.models import Signal, Watermark
from s2s.cme.services import signals_recompute, signals_recompute_due
from s2s.cme.tests.conftest import UPN_1, days_between, mark_days, recompute, signals
from s2s.feeds.models import Feed
from s2s.feeds.tests.conftest import send, send_marks

TERMS_2026 = [{"start": "2026-09-02", "end": "2026-10-23"},
              {"start": "2026-11-02", "end": "2026-12-18"}]
JULY = ("2026-07-13", "2026-07-22")  # 8 school days: 13-17 and 20-22 July


@pytest.fixture
def two_years(school, set_calendar, home_la):
    set_calendar(home_la, academic_year="2026/27", terms=TERMS_2026, closures=[])
    return school


def absent_in_july(connector, school, code="N"):
    """UPN_1 absent (`code`) the last 8 school days of 2025/26; the year's last recompute."""
    mark_days(connector, days_between(school, "2026-07-01", "2026-07-10"), "/")
    mark_days(connector, days_between(school, *JULY), code)
    recompute(school, "2026-07-22")


def test_ten_days_of_absence_over_the_summer_fire_on_the_second_day_of_september(
        two_years, connector):
    absent_in_july(connector, two_years)
    assert signals("absence_10_days") == []
    mark_days(connector, days_between(two_years, "2026-09-02", "2026-09-02"), "N")
    recompute(two_years, "2026-09-02")
    assert signals("absence_10_days") == []  # 9 school days: the holiday counts none
    mark_days(connector, days_between(two_years, "2026-09-03", "2026-09-03"), "N")
    recompute(two_years, "2026-09-03")
    [signal] = signals("absence_10_days")
    assert (signal.first_day, signal.fired_on, signal.school_days, signal.status) == (
        date(2026, 7, 13), date(2026, 9, 3), 10, "open")
    assert signal.detail == {"sessions": 20}


def test_a_present_mark_on_the_first_day_of_september_ends_the_run(two_years, connector):
    absent_in_july(connector, two_years)
    mark_days(connector, days_between(two_years, "2026-09-02", "2026-09-02"), "/")
    mark_days(connector, days_between(two_years, "2026-09-03", "2026-09-16"), "N")
    recompute(two_years, "2026-09-16")
    # A new run from 3 September: its 10th school day is Wednesday 16 September.
    [signal] = signals("absence_10_days")
    assert (signal.first_day, signal.fired_on) == (date(2026, 9, 3), date(2026, 9, 16))


def test_a_run_that_fired_in_july_goes_on_as_the_same_signal_and_closes_in_september(
        two_years, connector):
    mark_days(connector, days_between(two_years, "2026-07-06", "2026-07-22"), "N")
    recompute(two_years, "2026-07-22")
    [july] = signals("absence_10_days")
    assert (july.first_day, july.fired_on, july.school_days, july.status) == (
        date(2026, 7, 6), date(2026, 7, 17), 13, "open")
    mark_days(connector, days_between(two_years, "2026-09-02", "2026-09-03"), "N")
    mark_days(connector, days_between(two_years, "2026-09-04", "2026-09-04"), "/")
    recompute(two_years, "2026-09-04")
    [signal] = signals("absence_10_days")  # fired once, for the one run
    assert (signal.pk, signal.first_day, signal.fired_on, signal.school_days, signal.status) == (
        july.pk, date(2026, 7, 6), date(2026, 7, 17), 15, "closed")


def test_the_rates_and_illness_start_again_with_the_new_school_year(two_years, connector):
    absent_in_july(connector, two_years, code="I")  # 16 days of I by July: the sickness return
    mark_days(connector, days_between(two_years, "2026-06-01", "2026-06-30"), "I")
    recompute(two_years, "2026-07-22")
    assert {s.kind for s in signals()} >= {"sickness_15_days", "persistent_absence"}
    mark_days(connector, days_between(two_years, "2026-09-02", "2026-09-15"), "/")
    mark_days(connector, days_between(two_years, "2026-09-16", "2026-09-17"), "I")
    recompute(two_years, "2026-09-17")
    # 2026/27 so far: 2 days of 12 absent (17%), counted from September only; 2 days of I.
    [persistent] = signals("persistent_absence", first_day__gte=date(2026, 9, 1))
    assert (persistent.first_day, persistent.detail) == (
        date(2026, 9, 2), {"absent_sessions": 4, "possible_sessions": 24, "percent": 16.7})
    assert signals("sickness_15_days", first_day__gte=date(2026, 9, 1)) == []
    # Last year's signals stay as last year's last recompute left them.
    assert signals("sickness_15_days", first_day__lt=date(2026, 9, 1))[-1].status == "open"


def test_the_nightly_run_carries_the_run_over_the_summer_as_a_full_read_does(two_years,
                                                                              connector):
    absent_in_july(connector, two_years)
    night = datetime(2026, 7, 22, 19, tzinfo=UTC)
    signals_recompute_due(full=True, today=date(2026, 7, 22))
    Feed.objects.update(received_at=night)
    Watermark.objects.update(feeds_until=night)
    mark_days(connector, days_between(two_years, "2026-09-02", "2026-09-03"), "N")
    schools, done = signals_recompute_due(today=date(2026, 9, 3))
    assert (schools, done.fired) == (1, 1)
    [signal] = signals("absence_10_days")
    assert (signal.first_day, signal.fired_on) == (date(2026, 7, 13), date(2026, 9, 3))
    before = [(s.kind, s.first_day, s.fired_on, s.school_days, s.status, s.detail)
              for s in Signal.objects.order_by("pk")]
    again = signals_recompute(establishment=two_years, today=date(2026, 9, 3))
    assert (again.fired, again.updated, again.withdrawn) == (0, 0, 0)
    assert before == [(s.kind, s.first_day, s.fired_on, s.school_days, s.status, s.detail)
                      for s in Signal.objects.order_by("pk")]


def test_a_permanent_exclusion_from_20_july_has_day_6_on_friday_4_september(two_years,
                                                                          connector):
    send(connector, "exclusions", {"school": "8383321", "exclusions": [
        {"upn": UPN_1, "category": "permanent", "start_date": "2026-07-20", "sessions": 0,
         "reasons": ["PA"], "rescinded": False}]})
    send_marks(connector, [(UPN_1, "2026-07-20", "AM", "E")])
    recompute(two_years, "2026-07-20")
    [signal] = signals("exclusion_day6")
    # 20, 21, 22 July, then 2, 3, 4 September: the summer holiday is no school days.
    assert (signal.first_day, signal.fired_on, signal.status) == (
        date(2026, 7, 20), date(2026, 9, 4), "open")
    recompute(two_years, "2026-09-07")  # the new year's recompute finds the same exclusion
    [again] = signals("exclusion_day6")
    assert (again.pk, again.fired_on, again.school_days, again.status) == (
        signal.pk, date(2026, 9, 4), 7, "open")


def test_a_suspension_over_the_summer_counts_its_september_days_in_the_new_year(
        two_years, connector):
    send(connector, "exclusions", {"school": "8383321", "exclusions": [
        {"upn": UPN_1, "category": "suspension", "start_date": "2026-07-20", "sessions": 20,
         "reasons": ["PA"], "rescinded": False}]})
    recompute(two_years, "2026-09-02")
    [day6] = signals("exclusion_day6")
    # 10 school days: 20-22 July and 2-10 September; the school provides from 4 September.
    assert (day6.first_day, day6.fired_on, day6.school_days, day6.status) == (
        date(2026, 7, 20), date(2026, 9, 4), 10, "open")
    recompute(two_years, "2026-09-11")
    assert signals("exclusion_day6")[0].status == "closed"
