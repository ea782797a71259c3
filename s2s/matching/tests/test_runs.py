"""A run proposes each lost pupil found on a roll once, with its figures kept (issue 15, Runs)."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from s2s.audit.events import EVENT_WORDS
from s2s.audit.models import AuditEvent
from s2s.ctf.synthetic import PupilFactory
from s2s.lostpupils.models import LostPupilRecord, RecordStatus
from s2s.lostpupils.synthetic import load_records
from s2s.matching.models import (
    MatchModel,
    MatchPair,
    MatchRun,
    PairStatus,
    RollRecord,
    RollSource,
    RunKind,
    RunStatus,
)
from s2s.matching.runs import STEPS, match_run
from s2s.matching.tasks import run_full_match
from s2s.schedule import SCHEDULE

pytestmark = pytest.mark.django_db


@pytest.fixture
def model(trained_model):
    return MatchModel.objects.create(version=1, parameters=trained_model)


def _roll(pupil, school, **fields) -> RollRecord:
    values = {"upn": pupil.upn or "", "surname": pupil.surname, "forename": pupil.forename,
              "dob": date.fromisoformat(pupil.dob), "sex": pupil.sex,
              "postcode": pupil.address.postcode, "town": pupil.address.town} | fields
    return RollRecord.objects.create(source=RollSource.FEED, establishment=school, **values)


@pytest.fixture
def world(sending_school, receiving_school, model):
    """Six lost pupils, four of them now on the receiving school's roll, among 12 others."""
    factory = PupilFactory(seed=11, source=sending_school.code, today=date(2026, 12, 6))
    pupils = [factory.pupil() for _ in range(18)]
    month_ago = timezone.now() - timedelta(days=30)
    ids = load_records(pupils=pupils[:6], school=sending_school, uploaded_at=month_ago)
    found = {}
    for i, pupil in enumerate(pupils[:4]):
        found[ids[i]] = _roll(pupil, receiving_school,
                              forename=pupil.forename if i else pupil.forename + "e").pk
    # Seen on a roll only before the record was made: not where the child went next.
    _roll(pupils[4], receiving_school, seen_at=month_ago - timedelta(days=60))
    for pupil in pupils[6:]:
        _roll(pupil, receiving_school)
    return ids, found


def _proposed():
    return dict(MatchPair.objects.values_list("lost_pupil_id", "roll_record_id"))


def test_a_full_run_proposes_each_lost_pupil_on_a_later_roll(world):
    _ids, found = world
    run = match_run(kind=RunKind.FULL)
    assert _proposed() == found
    assert run.status == RunStatus.FINISHED
    assert (run.lpd_records, run.roll_records) == (6, 17)
    assert run.pairs_compared >= 4
    assert run.matches + run.possibles == 4
    assert run.progress_done == run.progress_total == len(STEPS)
    assert run.seconds > 0
    assert run.finished_at is not None
    pair = MatchPair.objects.order_by("-probability").first()
    assert pair.band == "match"
    assert pair.status == PairStatus.PROPOSED
    assert "DOB matches" in pair.reason
    assert pair.weights["dob"]["level"] == "DOB matches"


def test_a_rejected_pair_is_never_proposed_again(world):
    match_run(kind=RunKind.FULL)
    rejected = MatchPair.objects.first()
    MatchPair.objects.filter(pk=rejected.pk).update(status=PairStatus.REJECTED)
    again = match_run(kind=RunKind.FULL)
    assert (again.matches, again.possibles, again.already_proposed) == (0, 0, 4)
    assert MatchPair.objects.get(pk=rejected.pk).status == PairStatus.REJECTED
    assert MatchPair.objects.count() == 4


def test_a_nightly_run_reads_only_what_is_new_since_the_last(world, receiving_school,
                                                              sending_school):
    first = match_run(kind=RunKind.NIGHTLY)
    assert first.lpd_records == 6
    factory = PupilFactory(seed=99, source=sending_school.code, today=date(2026, 12, 6))
    newcomer = factory.pupil()
    [new_id] = load_records(pupils=[newcomer], school=sending_school,
                            uploaded_at=timezone.now() - timedelta(days=1))
    new_roll = _roll(newcomer, receiving_school)
    second = match_run(kind=RunKind.NIGHTLY)
    # The new record against the whole roll; every open record against the one new roll row.
    assert (second.lpd_records, second.roll_records) == (7, 18)
    assert second.matches + second.possibles == 1
    assert _proposed()[new_id] == new_roll.pk
    assert second.lpd_high_water == new_id


def test_a_record_no_longer_open_is_not_matched(world):
    ids, found = world
    LostPupilRecord.objects.filter(pk=ids[0]).update(status=RecordStatus.DOWNLOADED)
    match_run(kind=RunKind.FULL)
    assert ids[0] not in _proposed()


def test_the_command_runs_and_prints_the_figures(world, capsys):
    call_command("match", "run", "--full")
    out = capsys.readouterr().out
    assert "(full): 6 LPD records and 17 roll records in" in out
    assert MatchRun.objects.get().kind == RunKind.FULL


def test_the_nightly_run_is_scheduled():
    [job] = [job for job in SCHEDULE if job.name == "match_nightly"]
    assert job.command == "match"
    assert job.args == ("run",)


def _audited(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_each_run_is_written_to_the_audit_trail_with_its_figures(world):
    nightly = match_run(kind=RunKind.NIGHTLY)
    call_command("match", "run", "--full")
    [first, second] = _audited("match_run_finished")
    assert first.object_id == str(nightly.pk)
    assert first.actor_username == "system"
    assert first.detail["kind"] == "nightly"
    assert (first.detail["lpd_records"], first.detail["roll_records"]) == (6, 17)
    assert first.detail["match"] + first.detail["possible"] == 4
    assert first.detail["model_version"] == 1
    assert first.summary.startswith(
        f"Match run {nightly.pk}, Nightly (new records only): 6 LPD records")
    assert second.detail["kind"] == "full"
    assert second.detail["already_proposed"] == 4
    assert str(EVENT_WORDS["match_run_finished"]) == "Ran the matcher against the rolls"


def test_a_full_run_started_by_the_administrator_is_audited_as_theirs(world, service_admin):
    run_full_match.call(user_id=service_admin.pk)
    [event] = _audited("match_run_finished")
    assert event.actor == service_admin
    assert event.actor_username == service_admin.username
    assert event.detail["kind"] == "full"


def test_a_failed_run_is_audited_with_its_error_and_no_pupil_data(world, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("Smith, 2014-03-02")

    monkeypatch.setattr("s2s.matching.runs.engine.link", broken)
    with pytest.raises(ValueError, match="Smith"):
        match_run(kind=RunKind.FULL)
    [event] = _audited("match_run_failed")
    assert event.detail["error"] == "ValueError"
    assert event.summary.endswith("failed: ValueError")
    assert "Smith" not in str(event.detail) + event.summary
    assert _audited("match_run_finished") == []


def test_training_a_new_model_version_is_audited(world):
    call_command("match", "train")
    [event] = _audited("match_model_train")
    assert event.detail["version"] == 2
    assert (event.detail["lpd_records"], event.detail["roll_records"]) == (6, 17)
