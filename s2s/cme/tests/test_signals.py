"""The signals' exact rules on one pupil's marks, without a database (issue 14)."""

from datetime import date, timedelta

from s2s.cme.signals import (
    absence_10_days,
    absence_20_days,
    exclusion_day6,
    persistent_absence,
    severe_absence,
    sickness_15_days,
    suspension_limits,
)

MONDAY = date(2025, 9, 8)


def weekdays(first: date, count: int) -> list[date]:
    """Return `count` weekdays from `first` (a plain calendar: every weekday a school day)."""
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def sessions_of(days: list[date]) -> list[tuple[date, int]]:
    return [(day, session) for day in days for session in (0, 1)]


def marked(days: list[date], codes: str | list[str]) -> dict:
    """Return marks giving each session of `days` the next code (a string: one per session)."""
    slots = sessions_of(days)
    codes = list(codes) if isinstance(codes, str) else codes
    return {slot: code for slot, code in zip(slots, codes, strict=False)}


def run(func, days, marks, **kwargs):
    return func(sessions=sessions_of(days), marks=marks, nation="england", **kwargs)


def test_ten_days_of_unauthorised_absence_fire_on_the_twentieth_session():
    days = weekdays(MONDAY, 12)
    marks = marked(days, "N" * 20 + "/" * 4)
    [found] = run(absence_10_days, days, marks)
    assert (found.first_day, found.fired_on, found.school_days, found.open) == (
        date(2025, 9, 8), date(2025, 9, 19), 10, False)


def test_nineteen_sessions_of_absence_fire_nothing():
    days = weekdays(MONDAY, 10)
    assert run(absence_10_days, days, marked(days, "N" * 19 + "/")) == []


def test_g_n_o_and_u_all_count_towards_ten_days():
    days = weekdays(MONDAY, 10)
    [found] = run(absence_10_days, days, marked(days, "GNOU" * 5))
    assert found.fired_on == date(2025, 9, 19)
    assert found.open


def test_sessions_not_possible_are_skipped_neither_breaking_nor_extending_the_run():
    days = weekdays(MONDAY, 13)
    # Three days of X, #, Y1, Z, D and a closure's Y4 in the middle of the absence.
    codes = ["N"] * 10 + ["X", "#", "Y1", "Z", "D", "Y4"] + ["O"] * 10
    [found] = run(absence_10_days, days, marked(days, codes))
    assert found.fired_on == date(2025, 9, 24)
    assert found.school_days == 10


def test_a_present_approved_or_authorised_mark_breaks_the_run():
    days = weekdays(MONDAY, 11)
    for breaker in ("/", "L", "B", "V", "I", "M", "C"):
        codes = ["N"] * 10 + [breaker] + ["N"] * 11
        assert run(absence_10_days, days, marked(days, codes)) == [], breaker


def test_a_missing_mark_breaks_the_run_and_is_not_an_absence():
    days = weekdays(MONDAY, 11)
    codes = ["N"] * 10 + ["-"] + ["N"] * 11
    assert run(absence_10_days, days, marked(days, codes)) == []
    gap = marked(days, ["N"] * 22)
    del gap[(days[5], 0)]  # no mark at all for one session
    assert run(absence_10_days, days, gap) == []


def test_a_run_still_going_on_the_last_day_is_open_and_counts_its_days():
    days = weekdays(MONDAY, 14)
    [found] = run(absence_10_days, days, marked(days, "N" * 28))
    assert (found.fired_on, found.school_days, found.open) == (date(2025, 9, 19), 14, True)


def test_two_separate_runs_fire_twice():
    days = weekdays(MONDAY, 21)
    found = run(absence_10_days, days, marked(days, "N" * 20 + "//" + "N" * 20))
    assert [r.first_day for r in found] == [date(2025, 9, 8), date(2025, 9, 23)]


def test_twenty_days_need_forty_sessions_of_g_n_or_o():
    days = weekdays(MONDAY, 20)
    [found] = run(absence_20_days, days, marked(days, "N" * 40))
    assert found.fired_on == date(2025, 10, 3)
    assert run(absence_20_days, days, marked(days, "N" * 39 + "/")) == []


def test_u_breaks_twenty_days_but_not_ten():
    days = weekdays(MONDAY, 20)
    marks = marked(days, "N" * 20 + "U" + "N" * 19)
    assert run(absence_20_days, days, marks) == []
    assert len(run(absence_10_days, days, marks)) == 1


def test_fifteen_days_of_illness_cumulative_give_one_return():
    days = weekdays(MONDAY, 40)
    codes = ["I"] * 16 + ["/"] * 30 + ["I"] * 14 + ["/"] * 20
    [found] = run(sickness_15_days, days, marked(days, codes))
    assert found.first_day == days[23]
    assert found.fired_on == days[29]
    assert found.school_days == 15


def test_fourteen_and_a_half_days_of_illness_give_nothing():
    days = weekdays(MONDAY, 20)
    assert run(sickness_15_days, days, marked(days, "I" * 29 + "/")) == []


def test_each_later_continuous_illness_is_another_sickness_return():
    days = weekdays(MONDAY, 25)
    found = run(sickness_15_days, days, marked(days, "I" * 30 + "//" + "II" + "/" * 16))
    assert [r.first_day for r in found] == [days[0], days[16]]
    assert [r.school_days for r in found] == [15, 16]


def test_persistent_absence_is_ten_percent_of_possible_sessions():
    days = weekdays(MONDAY, 10)
    # 2 absent sessions of 20 possible: 10%; then the rest present.
    [found] = run(persistent_absence, days, marked(days, "NI" + "/" * 18))
    assert found.fired_on == days[-1]
    assert found.detail == {"absent_sessions": 2, "possible_sessions": 20, "percent": 10.0}
    assert run(persistent_absence, days, marked(days, "N" + "/" * 19)) == []


def test_not_possible_and_missing_sessions_are_not_counted_in_the_rate():
    days = weekdays(MONDAY, 12)
    codes = "NI" + "X" * 2 + "-" * 2 + "/" * 18
    [found] = run(persistent_absence, days, marked(days, codes))
    assert found.detail["possible_sessions"] == 20


def test_severe_absence_is_half_the_sessions_and_closes_when_the_rate_falls():
    days = weekdays(MONDAY, 21)
    [found] = run(severe_absence, days, marked(days, "N" * 20 + "/" * 22))
    assert (found.fired_on, found.open) == (days[9], False)
    assert found.detail["percent"] == 47.6
    [still] = run(severe_absence, days, marked(days, "N" * 20 + "/" * 20 + "NN"))
    assert still.open


def test_the_rate_counts_from_the_entry_date():
    days = weekdays(MONDAY, 20)
    codes = "N" * 20 + "/" * 18 + "NN"
    assert len(run(severe_absence, days, marked(days, codes))) == 1
    assert run(severe_absence, days, marked(days, codes), entry=days[10]) == []


def test_a_rate_is_not_judged_before_ten_school_days():
    days = weekdays(MONDAY, 9)
    assert run(severe_absence, days, marked(days, "N" * 18)) == []


def test_a_permanent_exclusion_needs_education_from_its_sixth_school_day():
    days = weekdays(date(2025, 10, 20), 15)
    found = exclusion_day6(category="permanent", start_date=date(2025, 10, 23), sessions=0,
                           school_days=days, today=date(2025, 10, 24))
    assert (found.first_day, found.fired_on, found.school_days, found.open) == (
        date(2025, 10, 23), date(2025, 10, 30), 2, True)
    assert found.detail["provider"] == "la"


def test_a_suspension_of_more_than_five_days_needs_education_from_day_six():
    days = weekdays(date(2025, 10, 20), 15)
    found = exclusion_day6(category="suspension", start_date=date(2025, 10, 20), sessions=12,
                           school_days=days, today=date(2025, 11, 3))
    assert (found.fired_on, found.school_days, found.open) == (date(2025, 10, 27), 6, False)
    assert found.detail["provider"] == "school"


def test_a_suspension_of_five_days_or_a_lunchtime_one_needs_nothing():
    days = weekdays(date(2025, 10, 20), 15)
    for category, sessions in (("suspension", 10), ("lunchtime", 30)):
        assert exclusion_day6(category=category, start_date=days[0], sessions=sessions,
                              school_days=days, today=days[0]) is None


def test_an_exclusion_starting_on_a_weekend_counts_from_the_next_school_day():
    days = weekdays(date(2025, 10, 20), 15)
    found = exclusion_day6(category="permanent", start_date=date(2025, 10, 25), sessions=0,
                           school_days=days, today=days[0])
    assert (found.first_day, found.fired_on) == (date(2025, 10, 27), date(2025, 11, 3))


AUTUMN = (date(2025, 9, 1), date(2025, 10, 24))
SPRING = (date(2025, 10, 27), date(2025, 12, 31))


def test_suspensions_over_15_school_days_in_a_term_are_signalled_on_the_16th():
    days = weekdays(date(2025, 9, 1), 60)
    found = suspension_limits(suspensions=[(date(2025, 9, 1), 20), (date(2025, 9, 22), 12)],
                              terms=[AUTUMN, SPRING], school_days=days, today=days[-1])
    [term] = found
    assert (term.kind, term.first_day, term.fired_on, term.school_days, term.open) == (
        "suspensions_15_days_term", date(2025, 9, 1), date(2025, 9, 29), 16, False)


def test_fifteen_days_in_a_term_are_not_over_the_limit():
    days = weekdays(date(2025, 9, 1), 60)
    assert suspension_limits(suspensions=[(date(2025, 9, 1), 30)], terms=[AUTUMN],
                             school_days=days, today=days[-1]) == []


def test_suspensions_over_45_school_days_in_a_year_are_signalled_on_the_46th():
    days = weekdays(date(2025, 9, 1), 120)
    # 15 days in each of three terms, then one more in a fourth: never over a term's limit.
    terms = [(days[0], days[29]), (days[30], days[59]), (days[60], days[89]),
             (days[90], days[119])]
    taken = [(days[0], 30), (days[30], 30), (days[60], 30), (days[100], 2)]
    [year] = suspension_limits(suspensions=taken, terms=terms, school_days=days, today=days[0])
    assert (year.kind, year.first_day, year.fired_on, year.school_days) == (
        "suspensions_45_days_year", days[0], days[100], 46)
