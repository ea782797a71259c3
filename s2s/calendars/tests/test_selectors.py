"""School days: terms, half-terms, closures, bank holidays of England and Wales, LA calendars."""

from datetime import date

import pytest

from s2s.accounts.roles import Role
from s2s.calendars.selectors import academic_year_of, school_days, school_days_of_schools


@pytest.mark.parametrize(("day", "year"), [
    (date(2025, 9, 1), "2025/26"), (date(2026, 8, 31), "2025/26"), (date(2025, 8, 31), "2024/25"),
    (date(2026, 1, 1), "2025/26"), (date(1999, 9, 1), "1999/00"),
])
def test_the_academic_year_runs_from_1_september_to_31_august(day, year):
    assert academic_year_of(day) == year


def test_half_term_is_no_school_day_but_the_days_around_it_are(sending_school, set_calendar):
    set_calendar(sending_school)
    days = school_days(establishment=sending_school, start=date(2025, 10, 20),
                       end=date(2025, 11, 7))
    assert days.days() == [
        date(2025, 10, 20), date(2025, 10, 21), date(2025, 10, 22), date(2025, 10, 23),
        date(2025, 10, 24), date(2025, 11, 3), date(2025, 11, 4), date(2025, 11, 5),
        date(2025, 11, 6), date(2025, 11, 7),
    ]
    assert not days.is_school_day(date(2025, 10, 29))
    assert days.sessions(date(2025, 10, 29)) == ()
    assert days.known(date(2025, 10, 29))


def test_an_inset_day_closes_the_school_all_day(sending_school, set_calendar):
    set_calendar(sending_school)
    days = school_days(establishment=sending_school, start=date(2025, 11, 10),
                       end=date(2025, 11, 14))
    assert not days.is_school_day(date(2025, 11, 14))
    assert days.sessions(date(2025, 11, 14)) == ()
    assert days.days() == [date(2025, 11, 10), date(2025, 11, 11), date(2025, 11, 12),
                           date(2025, 11, 13)]


def test_an_afternoon_closure_leaves_the_morning_session(sending_school, set_calendar):
    set_calendar(sending_school)
    days = school_days(establishment=sending_school, start=date(2025, 12, 18),
                       end=date(2025, 12, 19))
    assert days.sessions(date(2025, 12, 18)) == ("AM", "PM")
    assert days.sessions(date(2025, 12, 19)) == ("AM",)
    assert days.is_school_day(date(2025, 12, 19))


def test_a_morning_closure_leaves_the_afternoon_session(sending_school, set_calendar):
    set_calendar(sending_school, closures=[{"date": "2025-09-03", "sessions": "am"}])
    days = school_days(establishment=sending_school, start=date(2025, 9, 3),
                       end=date(2025, 9, 3))
    assert days.sessions(date(2025, 9, 3)) == ("PM",)


def test_weekends_inside_a_term_are_no_school_days(sending_school, set_calendar):
    set_calendar(sending_school)
    days = school_days(establishment=sending_school, start=date(2025, 9, 5),
                       end=date(2025, 9, 8))
    assert days.days() == [date(2025, 9, 5), date(2025, 9, 8)]


def test_a_bank_holiday_inside_a_term_is_no_school_day_in_england(sending_school,
                                                                   set_calendar):
    set_calendar(sending_school)
    days = school_days(establishment=sending_school, start=date(2026, 5, 1),
                       end=date(2026, 5, 8))
    assert not days.is_school_day(date(2026, 5, 4))  # May Day
    assert days.days() == [date(2026, 5, 1), date(2026, 5, 5), date(2026, 5, 6),
                           date(2026, 5, 7), date(2026, 5, 8)]


def test_a_bank_holiday_inside_a_term_is_no_school_day_in_wales(outsider_school, make_user,
                                                                 set_calendar):
    setter = make_user(Role.SCHOOL, outsider_school, username="6812345-cal")
    set_calendar(outsider_school, user=setter, academic_year="2026/27",
                 terms=[{"start": "2027-02-22", "end": "2027-04-02"},
                        {"start": "2026-09-01", "end": "2026-12-18"}], closures=[])
    days = school_days(establishment=outsider_school, start=date(2026, 12, 25),
                       end=date(2027, 4, 2))
    assert not days.is_school_day(date(2027, 3, 26))  # Good Friday 2027
    assert not days.is_school_day(date(2027, 3, 29))  # Easter Monday
    assert days.is_school_day(date(2027, 3, 30))
    # St David's Day is no bank holiday in Wales: the school is open on Monday 1 March.
    assert days.is_school_day(date(2027, 3, 1))
    assert days.days()[0] == date(2027, 2, 22)  # 2026/27's autumn term ended before the range


def test_neither_nation_closes_for_scotlands_bank_holidays(sending_school, outsider_school,
                                                           make_user, set_calendar):
    autumn = [{"start": "2026-09-01", "end": "2026-12-18"}]
    set_calendar(sending_school, academic_year="2026/27", terms=autumn, closures=[])
    welsh_setter = make_user(Role.SCHOOL, outsider_school, username="6812345-cal")
    set_calendar(outsider_school, user=welsh_setter, academic_year="2026/27", terms=autumn,
                 closures=[])
    st_andrews_day = date(2026, 11, 30)  # a Monday, a bank holiday in Scotland only
    for school in (sending_school, outsider_school):
        days = school_days(establishment=school, start=st_andrews_day, end=st_andrews_day)
        assert days.days() == [st_andrews_day]


def test_a_school_follows_its_las_calendar_unless_it_sent_its_own(
        home_la, sending_school, receiving_school, set_calendar):
    set_calendar(home_la)
    set_calendar(sending_school, terms=[{"start": "2025-09-01", "end": "2025-10-31"}],
                 closures=[])
    half_term_monday = date(2025, 10, 27)
    own = school_days(establishment=sending_school, start=half_term_monday,
                      end=half_term_monday)
    follower = school_days(establishment=receiving_school, start=half_term_monday,
                           end=half_term_monday)
    assert own.is_school_day(half_term_monday)
    assert not follower.is_school_day(half_term_monday)
    assert follower.is_school_day(date(2025, 11, 14)) is False  # the LA's INSET day


def test_a_year_without_any_calendar_is_not_known(home_la, sending_school, set_calendar):
    set_calendar(home_la)
    days = school_days(establishment=sending_school, start=date(2025, 7, 1),
                       end=date(2025, 9, 30))
    assert not days.known(date(2025, 7, 1))
    assert not days.is_school_day(date(2025, 7, 1))  # a Tuesday, but no calendar says so
    assert days.known(date(2025, 9, 3))
    assert days.days()[0] == date(2025, 9, 3)


def test_a_range_over_two_years_uses_each_years_own_calendar(home_la, sending_school,
                                                             set_calendar):
    set_calendar(home_la)
    set_calendar(sending_school, academic_year="2026/27",
                 terms=[{"start": "2026-09-07", "end": "2026-10-23"}], closures=[])
    days = school_days(establishment=sending_school, start=date(2026, 7, 20),
                       end=date(2026, 9, 8))
    assert days.days() == [date(2026, 7, 20), date(2026, 7, 21), date(2026, 7, 22),
                           date(2026, 9, 7), date(2026, 9, 8)]


def test_a_schools_days_are_read_in_a_few_queries(home_la, sending_school, set_calendar,
                                                  django_assert_max_num_queries):
    set_calendar(home_la)
    set_calendar(sending_school, academic_year="2026/27",
                 terms=[{"start": "2026-09-07", "end": "2026-10-23"}], closures=[])
    with django_assert_max_num_queries(4):
        days = school_days(establishment=sending_school, start=date(2025, 9, 1),
                           end=date(2027, 8, 31))
        assert len(days.days()) > 150


def test_many_schools_days_are_read_together_each_with_its_own_calendar(
        home_la, sending_school, receiving_school, outsider_school, make_user, set_calendar,
        django_assert_max_num_queries):
    set_calendar(home_la)
    set_calendar(sending_school, terms=[{"start": "2025-09-01", "end": "2025-10-31"}],
                 closures=[])
    half_term_monday = date(2025, 10, 27)
    with django_assert_max_num_queries(4):
        found = school_days_of_schools(
            establishments=[sending_school, receiving_school, outsider_school],
            start=half_term_monday, end=half_term_monday)
    assert found[sending_school.pk].days() == [half_term_monday]  # its own calendar
    assert found[receiving_school.pk].days() == []  # the LA's: half-term
    assert found[receiving_school.pk].known(half_term_monday)
    assert not found[outsider_school.pk].known(half_term_monday)  # Cardiff sent none
