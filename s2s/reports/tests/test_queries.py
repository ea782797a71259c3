from datetime import date

import pytest

from s2s.reports.queries import week_beginning


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (date(2025, 9, 8), date(2025, 9, 8)),  # a Monday is its own week's beginning
        (date(2025, 9, 10), date(2025, 9, 8)),  # a Wednesday
        (date(2025, 9, 14), date(2025, 9, 8)),  # a Sunday ends the week, not begins the next
        (date(2025, 10, 2), date(2025, 9, 29)),  # a week across the end of a month
        (date(2026, 1, 1), date(2025, 12, 29)),  # and of a year
    ],
)
def test_a_week_begins_on_the_monday_on_or_before_the_day(day, monday):
    assert week_beginning(day) == monday
