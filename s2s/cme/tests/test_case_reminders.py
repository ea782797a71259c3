"""Overdue CME cases: the case's officer is emailed once per overdue state (issue 14)."""

from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from s2s.accounts.roles import Role
from s2s.cme.cases import case_act, case_open, cases_remind_overdue
from s2s.cme.models import Case
from s2s.core.models import OutboundEmail
from s2s.ctf.identifiers import make_upn
from s2s.schedule import SCHEDULE

UNKNOWN = make_upn(la="838", establishment="4512", year=19, serial=7)
OFFICER = "838cme@example.gov.uk"


@pytest.fixture
def officer(make_user, home_la):
    return make_user(Role.LA_CME, home_la, username="838cme")


@pytest.fixture
def referred(calendar_2025, officer):
    """Referred Thursday 23 October 2025: due by Thursday 6 November (half-term skipped)."""
    case = case_open(user=officer, upn=UNKNOWN, surname="Jones", forename="Cara",
                     dob=date(2015, 3, 1))
    Case.objects.filter(pk=case.pk).update(state_since=at("2025-10-23"))
    return Case.objects.get(pk=case.pk)


def at(day: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(day + "T10:00"))


def reminders(to: str = OFFICER) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(to=to, subject__contains="overdue").order_by("pk"))


def test_an_overdue_case_is_reminded_to_its_officer_once(referred):
    assert cases_remind_overdue(date(2025, 11, 6)) == (0, 0)  # due that day: not yet overdue
    assert cases_remind_overdue(date(2025, 11, 7)) == (1, 1)
    [email] = reminders()
    assert email.subject == "1 of your CME cases is overdue"
    assert f"/cme/cases/{referred.pk}/" in email.text
    assert "due by 6 November 2025" in email.text
    for pupil_data in ("Jones", "Cara", UNKNOWN, "2015"):
        assert pupil_data not in email.subject + email.text + email.html
    # The job runs daily: the case still overdue is not reminded again.
    assert cases_remind_overdue(date(2025, 11, 7)) == (0, 0)
    assert cases_remind_overdue(date(2025, 11, 20)) == (0, 0)
    assert len(reminders()) == 1
    assert referred.events.filter(action="overdue_reminder").count() == 1


def test_a_case_overdue_again_in_its_next_state_is_reminded_again(referred, officer):
    cases_remind_overdue(date(2025, 11, 7))
    case_act(user=officer, case_id=referred.pk, action="start_enquiries")
    # Enquiries from Monday 3 November: 20 school days (INSET 14 November skipped) to 2 December.
    Case.objects.filter(pk=referred.pk).update(state_since=at("2025-11-03"))
    assert cases_remind_overdue(date(2025, 12, 2)) == (0, 0)
    assert cases_remind_overdue(date(2025, 12, 3)) == (1, 1)
    assert "due by 2 December 2025" in reminders()[-1].text
    assert len(reminders()) == 2


def test_a_closed_case_is_never_reminded(referred, officer):
    case_act(user=officer, case_id=referred.pk, action="start_enquiries")
    case_act(user=officer, case_id=referred.pk, action="not_located")
    case_act(user=officer, case_id=referred.pk, action="close", outcome="not_found")
    assert cases_remind_overdue(date(2026, 6, 1)) == (0, 0)


def test_the_reminder_is_in_the_officers_language(referred, officer):
    officer.email_language = "cy"
    officer.save(update_fields=["email_language"])
    cases_remind_overdue(date(2025, 11, 7))
    email = OutboundEmail.objects.get(to=OFFICER)
    assert email.subject == "Mae 1 o'ch achosion CME yn hwyr"
    assert "Achos %d" % referred.pk in email.text


def test_an_officer_gone_leaves_the_reminder_to_the_las_other_officers(referred, officer,
                                                                       make_user, home_la):
    make_user(Role.LA_CME, home_la, username="838cme2")
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    cases_remind_overdue(date(2025, 11, 7))
    assert [email.to for email in OutboundEmail.objects.filter(subject__contains="overdue")] \
        == ["838cme2@example.gov.uk"]


def test_the_reminders_run_daily_from_the_schedule(referred):
    [job] = [job for job in SCHEDULE if job.name == "cme_case_reminders"]
    assert (job.command, job.args, job.timing) == ("cme_cases", ("remind",), "daily 07:15")
    call_command("cme_cases", "remind")  # today, long after 2025: overdue
    assert len(reminders()) == 1
