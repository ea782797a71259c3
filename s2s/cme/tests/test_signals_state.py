"""The nightly run's shortcut: a pupil's state carried on over new days finds what reading the
whole year again finds (`signals.state_of`, `signals.state_advanced`), on any marks."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from s2s.cme.signals import (
    ABSENCE_10_DAYS_SYMBOLS,
    SchoolYear,
    pupil_runs,
    state_advanced,
    state_of,
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
