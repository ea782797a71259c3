"""The nightly run's shortcut: a pupil's state carried on over new days finds what reading the
whole year again finds (`signals.state_of`, `signals.state_advanced`), on any marks."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from s2s.cme.signals import (
    ABSENCE_10_DAYS_SYMBOLS,
    SchoolYear,
    carried_into_next_year,
    pupil_runs,
    state_advanced,
    state_of,
    state_of_new_year,
)

FIRST = date(2025, 9, 1)
# Long stretches of one symbol, so runs of 10 and 20 days and 15 days of illness happen.
SYMBOLS = st.sampled_from(ABSENCE_10_DAYS_SYMBOLS)


@st.composite
def years(draw):
    """A school's sessions (some days one session only), a pupil's line, a split, an entry."""
    count = draw(st.integers(min_value=2, max_value=90))
    sessions = []
    for n in range(count):
        day = FIRST + timedelta(days=n)
        sessions += [(day, s) for s in draw(st.sampled_from([(0, 1), (0, 1), (0,), (1,)]))]
    line = ""
    while len(line) < len(sessions):
        line += draw(SYMBOLS) * draw(st.integers(min_value=1, max_value=30))
    line = line[:len(sessions)]
    split_day = FIRST + timedelta(days=draw(st.integers(min_value=0, max_value=count - 1)))
    split = next(k for k, (day, _s) in enumerate(sessions) if day >= split_day)
    entry = draw(st.none() | st.builds(lambda n: FIRST + timedelta(days=n),
                                       st.integers(min_value=0, max_value=count)))
    return sessions, line, split, entry


def by_key(runs):
    return {(run.kind, run.first_day): run for run in runs}


@settings(max_examples=300, deadline=None)
@given(years())
def test_carrying_the_state_over_new_days_finds_what_reading_the_whole_year_finds(drawn):
    sessions, line, split, entry = drawn
    whole = SchoolYear(sessions=sessions, nation="england")
    before = SchoolYear(sessions=sessions[:split], nation="england")
    held = by_key(pupil_runs(year=before, line=line[:split], entry=entry))
    state, touched = state_advanced(state=state_of(year=before, line=line[:split], entry=entry),
                                    year=whole, begin=split, line=line[split:], entry=entry)
    assert held | by_key(touched) == by_key(pupil_runs(year=whole, line=line, entry=entry))
    assert state == state_of(year=whole, line=line, entry=entry)


CONTINUOUS = ("absence_10_days", "absence_20_days")


@settings(max_examples=300, deadline=None)
@given(years(), years())
def test_a_run_going_on_at_the_years_end_goes_on_into_the_next_as_one_line_would(last, this):
    """The summer between two school years is no school days: the continuous runs carry on
    over it as over one line of both years' sessions; the state carries them the same way."""
    last_sessions, last_line, _split, _entry = last
    gap = timedelta(days=120)
    sessions, line, split, entry = this
    sessions = [(day + gap, s) for day, s in sessions]
    old = SchoolYear(sessions=last_sessions, nation="england")
    new, before = (SchoolYear(sessions=sessions, nation="england"),
                   SchoolYear(sessions=sessions[:split], nation="england"))
    both = SchoolYear(sessions=last_sessions + sessions, nation="england")
    carried = carried_into_next_year(state_of(year=old, line=last_line))
    found = [run for run in pupil_runs(year=new, line=line, entry=entry, carried=carried)
             if run.kind in CONTINUOUS]
    once = [run for run in pupil_runs(year=both, line=last_line + line) if run.kind in CONTINUOUS]
    held_last = [run for run in pupil_runs(year=old, line=last_line) if run.kind in CONTINUOUS]
    assert by_key(held_last) | by_key(found) == by_key(once)
    # The nightly run's state, begun at the year's start, finds the same.
    held = by_key(pupil_runs(year=before, line=line[:split], entry=entry, carried=carried))
    start, _none = state_advanced(state=state_of_new_year(carried), year=before, begin=0,
                                  line=line[:split], entry=entry)
    assert start == state_of(year=before, line=line[:split], entry=entry, carried=carried)
    state, touched = state_advanced(state=start, year=new, begin=split, line=line[split:],
                                    entry=entry)
    assert held | by_key(touched) == by_key(pupil_runs(year=new, line=line, entry=entry,
                                                       carried=carried))
    assert state == state_of(year=new, line=line, entry=entry, carried=carried)
