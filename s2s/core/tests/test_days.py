from datetime import UTC, date, datetime

from s2s.core.days import midnight


def test_a_uk_day_begins_at_uk_midnight_in_winter_and_in_summer_time():
    assert midnight(date(2026, 1, 15)) == datetime(2026, 1, 15, 0, 0, tzinfo=UTC)
    assert midnight(date(2026, 7, 1)) == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)


def test_the_days_either_side_of_a_clock_change_begin_an_hour_apart_in_utc():
    # BST began at 01:00 UTC on 29 March 2026: the 29th began in GMT, the 30th in BST.
    assert midnight(date(2026, 3, 29)) == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert midnight(date(2026, 3, 30)) == datetime(2026, 3, 29, 23, 0, tzinfo=UTC)
