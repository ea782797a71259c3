"""Reminders before the review date, lapsing after it, absence alerts and retention."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from s2s.core.models import OutboundEmail
from s2s.partnerships.jobs import partnerships_lapse, records_purge, reminders_send
from s2s.partnerships.models import Partnership, SharedRecord, Status
from s2s.partnerships.services import partnership_end
from s2s.partnerships.tests.conftest import UPN, mark, push, result

pytestmark = pytest.mark.django_db


def test_members_school_users_are_reminded_30_and_7_days_before_the_review_date_once(
        partnership, main_user, partner_user, member_not_teaching):
    review = partnership.agreement.review_date
    assert reminders_send(today=review - timedelta(days=31)) == 0
    assert reminders_send(today=review - timedelta(days=30)) == 1
    assert reminders_send(today=review - timedelta(days=30)) == 0
    assert reminders_send(today=review - timedelta(days=7)) == 1
    emails = OutboundEmail.objects.order_by("pk")
    members = [main_user.email, partner_user.email, member_not_teaching.email]
    assert sorted(e.to for e in emails) == sorted(members * 2)
    assert "due for review" in emails[0].subject


def test_a_partnership_lapses_after_its_review_date(partnership):
    review = partnership.agreement.review_date
    assert partnerships_lapse(today=review) == 0
    assert partnerships_lapse(today=review + timedelta(days=1)) == 1
    assert Partnership.objects.get().status == Status.LAPSED


def test_an_unauthorised_absence_at_a_partner_emails_the_main_institution_without_pupil_data(
        partnership, linked, main_user, partner_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        push(partner_user, partnership, mark(code="O", day=timezone.localdate()),
             mark(code="O"))  # the second is a past day's: no alert for it
    email = OutboundEmail.objects.get()
    assert email.to == main_user.email
    assert "8384512 marked 1 of your pupils absent without authorisation today" in email.text
    assert UPN not in email.text + email.html + email.subject


def test_the_main_institutions_own_absences_email_nobody(
        partnership, linked, main_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        push(main_user, partnership, mark(code="O", day=timezone.localdate()))
    assert not OutboundEmail.objects.exists()


def test_records_past_retention_are_deleted_and_a_dry_run_deletes_nothing(
        partnership, linked, main_user):
    push(main_user, partnership, mark(), result())
    SharedRecord.objects.filter(kind="attendance").update(
        recorded_at=timezone.now() - timedelta(days=400))
    now = timezone.now()
    assert records_purge(now=now, dry_run=True).records == 1
    assert SharedRecord.objects.count() == 2
    call_command("purge_partnerships")
    assert list(SharedRecord.objects.values_list("kind", flat=True)) == ["assessment"]


def test_ending_a_partnership_deletes_every_shared_record(partnership, linked, main_user):
    push(main_user, partnership, mark(), result())
    assert partnership_end(partnership=partnership) == 2
    assert not SharedRecord.objects.exists()
    assert Partnership.objects.get().status == Status.ENDED
