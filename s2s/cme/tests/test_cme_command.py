"""`s2s cme recompute`: the schools whose feeds changed since the last run, or all, or one."""

from datetime import UTC, date, datetime

from django.core.management import call_command

from s2s.cme.models import Watermark
from s2s.cme.services import signals_recompute, signals_recompute_due
from s2s.cme.tests.conftest import UPN_1, days_between, mark_days, pupil, send_roll, signals
from s2s.core.scheduling import Job
from s2s.ctf.identifiers import make_upn
from s2s.schedule import SCHEDULE

TODAY = date(2025, 11, 7)


def test_the_job_recomputes_the_schools_whose_feeds_changed_since_it_last_ran(
        school, connector):
    mark_days(connector, days_between(school, "2025-10-20", "2025-11-07"), "N")
    first = signals_recompute_due(today=TODAY)
    second = signals_recompute_due(today=TODAY)
    assert (first[0], first[1].fired) == (1, 3)
    # Within the overlap the school is read again, and nothing fires twice.
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
    # home LAs: constant, whatever the roll.
    with django_assert_max_num_queries(15):
        done = signals_recompute(establishment=school, today=TODAY)
    assert done.fired == 3 * len(upns)
