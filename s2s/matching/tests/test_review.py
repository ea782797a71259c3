"""Reviewing the matcher's pairs (issue 15, "Bands and review") and the runs page ("Runs").

A school of LA 681 sent a pupil to the Lost Pupil Database; the matcher found the child on the
roll of a school of LA 838, whose lost pupil officers review the pair: side by side, with its
reason and weights; accepting marks the record found and tells LA 681; rejecting keeps the
pair, rejected, so it is never proposed again.
"""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent
from s2s.lostpupils.models import RecordStatus
from s2s.lostpupils.tests.conftest import send_lost
from s2s.matching.models import (
    MatchModel,
    MatchPair,
    MatchRun,
    PairStatus,
    RollRecord,
    RollSource,
    RunStatus,
)
from s2s.matching.services import match_pair_reject
from s2s.matching.words import reason_words
from s2s.messaging.models import Recipient
from s2s.transfers.models import Transfer

pytestmark = pytest.mark.django_db
WEIGHTS = {"forename": {"level": "forename is a nickname", "weight": 2.5},
           "surname": {"level": "surname matches", "weight": 8.1},
           "dob": {"level": "DOB day and month swapped", "weight": 4.2},
           "sex": {"level": "sex differs", "weight": -3.4}}


def make_pair(sender, school, *, probability=0.995, band="match", forename="Kate",
              surname="Nowak") -> MatchPair:
    """Return a proposed pair: a file `sender` sent to the LPD, and a pupil on `school`'s roll."""
    record = send_lost(sender, sender.establishment.code, forename="Catherine",
                       surname=surname, dob="2014-03-05").lost_pupil
    run = MatchRun.objects.create(kind="full", status=RunStatus.FINISHED)
    roll, _ = RollRecord.objects.get_or_create(
        source=RollSource.FEED, establishment=school, forename=forename, surname=surname,
        dob=date(2014, 5, 3), upn="", defaults={"sex": "M" if record.sex == "F" else "F"})
    return MatchPair.objects.create(
        run=run, lost_pupil=record, roll_record=roll, probability=probability,
        band=band, reason="forename is a nickname, surname matches, DOB day and month swapped",
        weights=WEIGHTS)


@pytest.fixture
def pair(outsider_school_user, receiving_school):
    return make_pair(outsider_school_user, receiving_school)


@pytest.fixture
def transfer_officer(make_user, home_la):
    return make_user(Role.LA_LOST_PUPIL_TRANSFER, home_la, username="838lpt")


@pytest.fixture
def reader_at_681(make_user, other_la):
    return make_user(Role.LA_LOST_PUPIL, other_la, username="681lp")


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_list_shows_the_las_pairs_most_likely_first_with_progress(
        client, lost_pupil_officer, outsider_school_user, receiving_school, outsider_school):
    low = make_pair(outsider_school_user, receiving_school, probability=0.4, band="possible",
                    surname="Lowe")
    high = make_pair(outsider_school_user, receiving_school, probability=0.999, surname="High")
    done = make_pair(outsider_school_user, receiving_school, probability=0.99, surname="Done")
    match_pair_reject(user=lost_pupil_officer, pair=done)
    make_pair(outsider_school_user, outsider_school, surname="Elsewhere")
    client.force_login(lost_pupil_officer)
    response = client.get(reverse("matching:pairs"))
    assert [p.pk for p in response.context["page"].object_list] == [high.pk, low.pk]
    assert "1 of 3 pairs reviewed" in _text(response)
    assert "Elsewhere" not in _text(response)
    assert AuditEvent.objects.filter(action="match_pairs_view", actor=lost_pupil_officer).exists()


def test_the_list_filters_by_band_and_school(
        client, lost_pupil_officer, outsider_school_user, receiving_school, sending_school):
    possible = make_pair(outsider_school_user, receiving_school, probability=0.4,
                         band="possible")
    at_other = make_pair(outsider_school_user, sending_school)
    client.force_login(lost_pupil_officer)
    by_band = client.get(reverse("matching:pairs"), {"band": "possible"})
    assert [p.pk for p in by_band.context["page"].object_list] == [possible.pk]
    by_school = client.get(reverse("matching:pairs"), {"school": sending_school.code})
    assert [p.pk for p in by_school.context["page"].object_list] == [at_other.pk]


def test_a_pair_is_shown_side_by_side_with_its_reason_and_weights_and_audited(
        client, lost_pupil_officer, pair):
    client.force_login(lost_pupil_officer)
    response = client.get(reverse("matching:pair", args=[pair.pk]))
    text = _text(response)
    assert "Forename Catherine Kate Differs" in text
    assert "Surname Nowak Nowak Same" in text
    assert re.search(r"Town [\w ]+ Only one record gives it", text)
    assert "Date of birth 5 March 2014 3 May 2014 Differs" in text
    assert "Forename is a nickname, surname matches, DOB day and month swapped" in text
    assert "Sex sex differs -3.40" in text
    assert response.content.decode().count('class="bar bar-against"') == 1
    event = AuditEvent.objects.get(action="match_pair_view", actor=lost_pupil_officer)
    assert event.detail["school"] == "8384512"


def test_accept_marks_the_record_found_and_tells_the_uploading_la_without_pupil_data(
        client, lost_pupil_officer, pair, home_la, reader_at_681,
        django_capture_on_commit_callbacks):
    client.force_login(lost_pupil_officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:accept", args=[pair.pk]))
    assert response.status_code == 302
    pair.refresh_from_db()
    record = pair.lost_pupil
    record.refresh_from_db()
    assert (pair.status, pair.reviewed_by) == (PairStatus.ACCEPTED, lost_pupil_officer)
    assert record.status == RecordStatus.DOWNLOADED
    assert (record.downloaded_by, record.downloaded_la) == (lost_pupil_officer, home_la)
    email = next(m for m in mail.outbox if m.to == ["s2s@cardiff.example.gov.uk"])
    assert "found" in email.subject
    message = Recipient.objects.get(user=reader_at_681).message
    assert record.transfer.name in message.body
    for text in (email.body, message.body, message.subject):
        assert "Catherine" not in text
        assert "Nowak" not in text
    found = AuditEvent.objects.get(action="lpd_found")
    assert found.detail["school"] == "8384512"
    assert AuditEvent.objects.filter(action="match_pair_accept").exists()


def test_a_transfer_officer_forwards_an_accepted_pairs_file_to_the_school_in_one_step(
        client, transfer_officer, pair):
    client.force_login(transfer_officer)
    client.post(reverse("matching:accept", args=[pair.pk]))
    page = client.get(reverse("matching:pair", args=[pair.pk]))
    assert "Send the file to 8384512" in _text(page)
    client.post(reverse("matching:forward", args=[pair.pk]))
    sent = Transfer.objects.get(destination_code="8384512")
    assert sent.name.startswith("838LLLL_CTF8384512_")
    pair.lost_pupil.refresh_from_db()
    assert pair.lost_pupil.forwarded_to == "8384512"


def test_a_file_is_not_forwarded_before_the_match_is_accepted(client, transfer_officer, pair):
    client.force_login(transfer_officer)
    response = client.post(reverse("matching:forward", args=[pair.pk]), follow=True)
    assert "Accept the match before you send the file to the school." in _text(response)
    assert not Transfer.objects.filter(destination_code="8384512").exists()


def test_reject_keeps_the_pair_rejected_and_it_cannot_be_reviewed_again(
        client, lost_pupil_officer, pair):
    client.force_login(lost_pupil_officer)
    client.post(reverse("matching:reject", args=[pair.pk]))
    pair.refresh_from_db()
    assert (pair.status, pair.reviewed_by) == (PairStatus.REJECTED, lost_pupil_officer)
    assert pair.reviewed_at is not None
    assert pair.lost_pupil.status == RecordStatus.OPEN
    response = client.post(reverse("matching:accept", args=[pair.pk]), follow=True)
    assert "This pair has already been reviewed." in _text(response)
    pair.refresh_from_db()
    assert pair.status == PairStatus.REJECTED
    assert AuditEvent.objects.filter(action="match_pair_reject").count() == 1


def test_another_las_officer_gets_404(client, pair, make_user, other_la):
    client.force_login(make_user(Role.LA_LOST_PUPIL, other_la, username="681other"))
    assert client.get(reverse("matching:pair", args=[pair.pk])).status_code == 404
    assert client.post(reverse("matching:accept", args=[pair.pk])).status_code == 404


def test_the_runs_page_shows_figures_and_the_models_chart(client, service_admin):
    MatchRun.objects.create(kind="nightly", status=RunStatus.FINISHED, lpd_records=120,
                            roll_records=45000, pairs_compared=98765, matches=7, possibles=3,
                            seconds=12.3)
    MatchModel.objects.create(version=2, chart=[
        {"comparison": "surname", "level": "surname matches", "m": 0.9, "u": 0.001,
         "weight": 9.81},
        {"comparison": "surname", "level": "surname differs", "m": 0.05, "u": 0.99,
         "weight": -4.31}])
    client.force_login(service_admin)
    response = client.get(reverse("matching:runs"))
    text = _text(response)
    assert "Nightly (new records only) Finished 120 45,000 98,765 7 3 12.3" in text
    assert "Version 2" in text
    assert "Surname: surname matches 9.81" in text
    assert "Run a full match now" in text
    assert 'http-equiv="refresh"' not in response.content.decode()


def test_a_running_run_shows_its_progress_and_the_page_refreshes(client, service_admin):
    MatchRun.objects.create(kind="full", progress_done=4, progress_total=6,
                            progress_step="comparing pairs",
                            started_at=timezone.now() - timedelta(minutes=3))
    client.force_login(service_admin)
    response = client.get(reverse("matching:runs"))
    html = response.content.decode()
    assert '<meta http-equiv="refresh" content="5">' in html
    assert '<progress class="s2s-progress" max="6" value="4">' in html
    assert "Step 4 of 6: comparing pairs" in _text(response)
    assert "Run a full match now" not in _text(response)
    service_admin.language = "cy"
    service_admin.save()
    assert "Cam 4 o 6: yn cymharu parau" in _text(client.get(reverse("matching:runs")))


def test_run_a_full_match_now_queues_the_task(client, service_admin,
                                              django_capture_on_commit_callbacks):
    client.force_login(service_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("matching:runs"), follow=True)
    # The run's task, queued on commit (the audit record adds the chain follower's own).
    assert len([c for c in callbacks if c.__qualname__.startswith("match_run_start")]) == 1
    assert "A full match run has been queued." in _text(response)
    assert AuditEvent.objects.filter(action="match_run_start", actor=service_admin).exists()


def test_the_service_administrator_sees_a_pair_but_leaves_the_decision_to_the_la(
        client, service_admin, pair):
    client.force_login(service_admin)
    page = client.get(reverse("matching:pair", args=[pair.pk]))
    assert "Nowak" in _text(page)
    assert "Accept: this is the same child" not in _text(page)
    response = client.post(reverse("matching:accept", args=[pair.pk]), follow=True)
    assert "Only a lost pupil officer of the LA whose school has the child" in _text(response)
    pair.refresh_from_db()
    assert pair.status == PairStatus.PROPOSED


def test_a_pairs_stored_english_reason_reads_in_welsh():
    """Issue 17: the engine's English level names are stored; the pages word them."""
    with translation.override("cy"):
        assert reason_words("UPN matches, surname matches a former, preferred or part surname, "
                            "DOB day and month swapped") == (
            "UPN yn cyfateb, cyfenw'n cyfateb i gyfenw blaenorol, dewisol neu ran o gyfenw, "
            "dyddiad geni â'r diwrnod a'r mis wedi'u cyfnewid")
        assert reason_words("UPN matches, something new") == "UPN matches, something new"
