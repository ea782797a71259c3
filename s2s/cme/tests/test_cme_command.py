"""`s2s cme recompute`: the schools whose feeds changed since the last run, or all, or one."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command

from s2s.cme.models import Watermark
from s2s.cme.services import signals_recompute, signals_recompute_due
from s2s.cme.tests.conftest import (
    UPN_1,
    days_between,
    mark_days,
    pupil,
    send_marks,
    send_roll,
    signals,
)
from s2s.core.scheduling import Job
from s2s.ctf.identifiers import make_upn
from s2s.feeds.models import Feed, Mark
from s2s.schedule import SCHEDULE

TODAY = date(2025, 11, 7)


def test_the_job_recomputes_the_schools_whose_feeds_changed_since_it_last_ran(
        school, connector):
    mark_days(connector, days_between(school, "2025-10-20", "2025-11-07"), "N")
    first = signals_recompute_due(today=TODAY)
    second = signals_recompute_due(today=TODAY)
    assert (first[0], first[1].fired) == (1, 3)
    # A feed already read is not read again.
    assert second == (0, second[1])
    assert second[1].fired == 0
    assert Watermark.objects.get().feeds_until is not None
    assert [s.upn for s in signals("absence_10_days")] == [UPN_1]


def test_a_school_without_new_feeds_is_not_recomputed(school, connector):
    Watermark.objects.create(name="signals", feeds_until=datetime(2030, 1, 1, tzinfo=UTC))
    assert signals_recompute_due(today=TODAY)[0] == 0
    assert signals_recompute_due(full=True, today=TODAY)[0] == 1
    assert signals_recompute_due(school="8383321", today=TODAY)[0] == 1


def test_the_command_prints_what_it_did(school, connector, capsys):
    call_command("cme", "recompute", "--full")
    assert "1 schools recomputed" in capsys.readouterr().out


def test_recompute_is_declared_in_the_schedule():
    [job] = [job for job in SCHEDULE if job.name == "cme_recompute"]
    assert job == Job("cme_recompute", "hourly :20", command="cme", args=("recompute",))


def test_a_schools_marks_are_read_in_one_query_whatever_its_roll(
        school, connector, django_assert_max_num_queries):
    upns = [make_upn(la="838", establishment="3321", year=20, serial=n) for n in range(1, 40)]
    send_roll(connector, [pupil(upn) for upn in upns])
    days = days_between(school, "2025-10-20", "2025-11-07")
    for upn in upns:
        mark_days(connector, days, "N", upn=upn)
    school.refresh_from_db()
    # The roll signals (`roll.py`) add a read of the roll and one of the permanent exclusions'
    # home LAs: constant, whatever the roll. The 117 new signals' one bulk upsert is sent in
    # three statements on SQLite (its limit on bound parameters), four on PostgreSQL (a
    # temporary table made and emptied, COPY into it, one upsert from it); the pupils' rule
    # states (`RunState`, for the nightly run) one read (the runs carried in from last
    # school year) and one upsert (four statements on PostgreSQL, as the signals').
    with django_assert_max_num_queries(24):
        done = signals_recompute(establishment=school, today=TODAY)
    assert done.fired == 3 * len(upns)


NIGHT = datetime(2025, 11, 7, 19, tzinfo=UTC)


def classmates(connector, school, count=6) -> list[str]:
    """Put `count` more pupils on the roll, present every day from 20 October to 7 November."""
    upns = [make_upn(la="838", establishment="3321", year=21, serial=n)
            for n in range(1, count + 1)]
    send_roll(connector, [pupil(upn) for upn in upns])
    for upn in upns:
        mark_days(connector, days_between(school, "2025-10-20", "2025-11-07"), "/", upn=upn)
    return upns


def the_night_is_over():
    """Date every feed so far before the watermark (past the overlap), as a night later."""
    Feed.objects.update(received_at=NIGHT)
    Watermark.objects.update(feeds_until=NIGHT)


def test_the_nightly_run_withdraws_a_signal_whose_mark_a_new_feed_recoded(school, connector):
    classmates(connector, school)
    mark_days(connector, days_between(school, "2025-10-20", "2025-11-07"), "N")
    signals_recompute_due(today=TODAY)
    the_night_is_over()
    send_marks(connector, [(UPN_1, "2025-11-05", "AM", "I")])
    schools, done = signals_recompute_due(today=TODAY)
    assert (schools, done.withdrawn) == (1, 1)
    assert {s.status for s in signals("absence_10_days")} == {"withdrawn"}


def test_the_nightly_run_closes_an_open_run_when_the_school_marks_a_day_without_the_pupil(
        school, connector):
    others = classmates(connector, school)
    mark_days(connector, days_between(school, "2025-10-20", "2025-11-07"), "N")
    signals_recompute_due(today=TODAY)
    the_night_is_over()
    # Monday's feed marks two classmates and not the absent pupil: no mark breaks the run.
    mark_days(connector, [date(2025, 11, 10)], "/", upn=others[0])
    mark_days(connector, [date(2025, 11, 10)], "/", upn=others[1])
    signals_recompute_due(today=date(2025, 11, 10))
    [signal] = signals("absence_10_days")
    assert (signal.status, signal.school_days) == ("closed", 10)


def test_the_nightly_run_fires_for_a_pupil_whose_new_marks_complete_a_run(school, connector):
    classmates(connector, school)
    mark_days(connector, days_between(school, "2025-10-20", "2025-11-06"), "N")
    signals_recompute_due(today=TODAY)
    assert signals("absence_10_days") == []
    the_night_is_over()
    mark_days(connector, [TODAY], "O")
    schools, done = signals_recompute_due(today=TODAY)
    [signal] = signals("absence_10_days")
    assert (signal.fired_on, signal.status, done.fired) == (TODAY, "open", 3)


def held() -> list[tuple]:
    return [(s.kind, s.upn, s.first_day, s.fired_on, s.school_days, s.status, s.detail)
            for s in signals()]


def assert_as_a_full_recompute_finds(school, today: date) -> None:
    """Assert that reading the whole school again changes nothing the nightly run left."""
    before = held()
    done = signals_recompute(establishment=school, today=today)
    assert (done.fired, done.updated, done.withdrawn) == (0, 0, 0)
    assert held() == before


@pytest.fixture
def once_persistently_absent(school, connector):
    """UPN_1 absent 3 sessions of the first 20 from 20 October (15%: persistent absence),
    present since, so that by 21 November the rate has fallen below 10% (closed)."""
    others = classmates(connector, school)
    days = days_between(school, "2025-10-20", "2025-11-21")
    for upn in others:
        mark_days(connector, days, "/", upn=upn)
    mark_days(connector, days, "/")
    send_marks(connector, [(UPN_1, "2025-10-20", "AM", "N"), (UPN_1, "2025-10-21", "PM", "N"),
                           (UPN_1, "2025-10-22", "AM", "O")])
    signals_recompute_due(today=date(2025, 11, 21))
    [persistent] = signals("persistent_absence")
    assert (persistent.status, persistent.detail["possible_sessions"]) == ("closed", 38)
    the_night_is_over()
    return others


def test_a_night_of_present_marks_extends_a_closed_rate_signal_as_a_full_read_would(
        school, connector, once_persistently_absent):
    night = date(2025, 11, 24)
    for upn in [UPN_1, *once_persistently_absent]:
        mark_days(connector, [night], "/", upn=upn)
    schools, done = signals_recompute_due(today=night)
    [persistent] = signals("persistent_absence")
    assert (done.updated, persistent.counted_to) == (1, night)
    assert (persistent.detail, persistent.school_days) == (
        {"absent_sessions": 3, "possible_sessions": 40, "percent": 7.5}, 20)
    assert_as_a_full_recompute_finds(school, night)


def test_a_feed_committed_late_inside_the_overlap_is_read_once(
        school, connector, once_persistently_absent):
    night = date(2025, 11, 24)
    mark_days(connector, [night], "/")
    signals_recompute_due(today=night)
    assert signals_recompute_due(today=night)[0] == 0
    # Received before the watermark, committed after that run had read the feeds.
    late = mark_days(connector, [date(2025, 11, 25)], "/")
    watermark = Watermark.objects.get()
    Feed.objects.filter(pk=late.pk).update(
        received_at=watermark.feeds_until - timedelta(minutes=5))
    assert signals_recompute_due(today=date(2025, 11, 25))[0] == 1
    assert signals_recompute_due(today=date(2025, 11, 25))[0] == 0
    assert signals("persistent_absence")[0].detail["possible_sessions"] == 42
    assert_as_a_full_recompute_finds(school, date(2025, 11, 25))


def test_a_present_mark_filling_an_earlier_gap_reads_the_pupil_again(
        school, connector, once_persistently_absent):
    # 3 November AM had no mark; filled in with a present one, it is before the day the
    # signal counted to (and its day already counted, by the afternoon): read again.
    Mark.objects.filter(date=date(2025, 11, 3), session=0, pupil__upn=UPN_1).delete()
    signals_recompute(establishment=school, today=date(2025, 11, 21))
    the_night_is_over()
    send_marks(connector, [(UPN_1, "2025-11-03", "AM", "/")])
    signals_recompute_due(today=date(2025, 11, 21))
    assert signals("persistent_absence")[0].detail["possible_sessions"] == 38
    assert_as_a_full_recompute_finds(school, date(2025, 11, 21))


def test_a_night_of_absence_reads_the_pupil_again(school, connector, once_persistently_absent):
    night = date(2025, 11, 24)
    mark_days(connector, [night], "N")
    signals_recompute_due(today=night)
    assert signals("persistent_absence")[0].detail["absent_sessions"] == 5
    assert_as_a_full_recompute_finds(school, night)


def test_a_night_of_present_marks_extends_an_open_rate_signal_as_a_full_read_would(
        school, connector):
    others = classmates(connector, school)
    mark_days(connector, days_between(school, "2025-10-20", "2025-11-07"), "/")
    send_marks(connector, [(UPN_1, "2025-10-20", "AM", "N"), (UPN_1, "2025-10-21", "PM", "N"),
                           (UPN_1, "2025-10-22", "AM", "O")])
    signals_recompute_due(today=TODAY)
    the_night_is_over()
    night = date(2025, 11, 10)
    for upn in [UPN_1, *others]:
        mark_days(connector, [night], "/", upn=upn)
    signals_recompute_due(today=night)
    [persistent] = signals("persistent_absence")
    assert (persistent.status, persistent.detail, persistent.counted_to) == (
        "open", {"absent_sessions": 3, "possible_sessions": 22, "percent": 13.6}, night)
    assert_as_a_full_recompute_finds(school, night)
