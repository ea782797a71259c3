"""Operation Encompass: police to school, read receipt, escalation at 08:30 (issue 16)."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from s2s.agencies.encompass import (
    encompass_details,
    encompass_escalate_due,
    encompass_send,
    read_by_for,
)
from s2s.agencies.models import EncompassNotification
from s2s.audit.models import AuditEvent
from s2s.calendars.models import Calendar, Closure, Term
from s2s.core.errors import ServiceError
from s2s.core.outbox import send_next_email


def _at(day: str, clock: str = "19:00") -> datetime:
    return timezone.make_aware(datetime.fromisoformat(f"{day}T{clock}"))


def _send(officer, school="8383321", **fields):
    values = {"reference": "DP/2026/118", "surname": "Smith", "forename": "Ann",
              "dob": date(2016, 3, 27), "incident_on": timezone.localdate(),
              "summary": "Police attended the home overnight.", **fields}
    return encompass_send(user=officer, school=school, **values)


def _emails() -> list:
    while send_next_email():
        pass
    return mail.outbox


@pytest.fixture
def sent(officer, police, sending_school, sending_school_user, agreement):
    agreement(police, "out", "8383321")
    return _send(officer)


def test_friday_evenings_notification_is_due_at_half_past_eight_on_monday(sending_school):
    assert read_by_for(school=sending_school, sent_at=_at("2026-12-04")) == _at("2026-12-07",
                                                                               "08:30")


def test_bank_holidays_are_not_school_days_without_a_calendar(sending_school):
    # Christmas Day is a Friday in 2026, Boxing Day's holiday the Monday after.
    assert read_by_for(school=sending_school, sent_at=_at("2026-12-24")) == _at("2026-12-29",
                                                                               "08:30")


def test_the_schools_calendar_decides_the_next_school_day(sending_school):
    calendar = Calendar.objects.create(establishment=sending_school, academic_year="2026/27")
    Term.objects.create(calendar=calendar, start=date(2026, 9, 2), end=date(2026, 12, 18))
    Term.objects.create(calendar=calendar, start=date(2027, 1, 5), end=date(2027, 2, 12))
    Closure.objects.create(calendar=calendar, date=date(2027, 1, 5), sessions="both")

    assert read_by_for(school=sending_school, sent_at=_at("2026-12-18")) == _at("2027-01-06",
                                                                               "08:30")


def test_the_school_is_told_by_a_link_and_reading_it_is_the_receipt(sent, sending_school_user):
    emails = _emails()
    assert sorted(e.to[0] for e in emails) == ["8383321@example.gov.uk",
                                               "office3321@school.example.sch.uk"]
    body = emails[0].body
    assert f"/agencies/encompass/{sent.pk}" in body
    assert "Smith" not in body
    assert "Police attended" not in body
    assert "Smith" not in \
        emails[0].subject

    details = encompass_details(user=sending_school_user, notification=sent)

    assert details["surname"] == "Smith"
    assert details["dob"] == date(2016, 3, 27)
    sent.refresh_from_db()
    assert sent.read_by == sending_school_user
    assert sent.read_at is not None
    assert AuditEvent.objects.filter(action="encompass.read").count() == 1
    assert "Smith" not in str(AuditEvent.objects.get(action="encompass.sent").detail)


def test_the_details_are_kept_encrypted(sent, file_store):
    stored = b"".join(p.read_bytes() for p in file_store.rglob("*") if p.is_file())
    assert b"Smith" not in stored
    assert b"Police attended" not in stored


def test_a_notification_unread_at_half_past_eight_escalates_to_the_la_once(sent, home_la,
                                                                          la_officer):
    assert encompass_escalate_due(now=sent.read_by_at - timedelta(minutes=1)) == 0
    _emails().clear()

    assert encompass_escalate_due(now=sent.read_by_at) == 1
    assert encompass_escalate_due(now=sent.read_by_at + timedelta(minutes=5)) == 0

    sent.refresh_from_db()
    assert sent.escalated_at == sent.read_by_at
    emails = _emails()
    assert sorted(e.to[0] for e in emails) == ["838user@example.gov.uk",
                                               "s2s@dorset.example.gov.uk"]
    assert "unread" in emails[0].body
    assert "Smith" not in emails[0].body
    assert AuditEvent.objects.filter(action="encompass.escalated").count() == 1


def test_a_notification_read_before_half_past_eight_does_not_escalate(sent,
                                                                     sending_school_user):
    encompass_details(user=sending_school_user, notification=sent)

    assert encompass_escalate_due(now=sent.read_by_at + timedelta(hours=1)) == 0
    sent.refresh_from_db()
    assert sent.escalated_at is None


def test_the_la_sees_the_escalation_on_its_page_but_never_the_details(sent, la_officer,
                                                                    client):
    encompass_escalate_due(now=sent.read_by_at)
    client.force_login(la_officer)

    page = client.get("/agencies/encompass/").content.decode()
    assert "Unread: escalated to the LA" in page
    assert "DP/2026/118" in page
    detail = client.get(f"/agencies/encompass/{sent.pk}").content.decode()
    assert "8383321" in detail
    assert "Smith" not in detail
    with pytest.raises(ServiceError):
        encompass_details(user=la_officer, notification=sent)


def test_only_the_police_send_notifications(nurse, agency, agreement, sending_school):
    agreement(agency, "out", "8383321")
    with pytest.raises(ServiceError) as refused:
        _send(nurse)
    assert refused.value.code == "not_police"


def test_a_notification_needs_an_agreement_out_to_the_school(officer, police, receiving_school,
                                                            agreement):
    agreement(police, "out", "8383321")
    with pytest.raises(ServiceError) as refused:
        _send(officer, school="8384512")
    assert refused.value.code == "no_agreement"
    assert not EncompassNotification.objects.exists()


@pytest.mark.parametrize(("fields", "field"), [
    ({"surname": " "}, "surname"),
    ({"dob": None}, "dob"),
    ({"incident_on": date(2099, 1, 1)}, "incident_on"),
    ({"summary": ""}, "summary"),
    ({"reference": ""}, "reference"),
])
def test_a_notification_with_a_field_missing_is_refused_on_that_field(sent, officer, fields,
                                                                     field):
    with pytest.raises(ServiceError) as refused:
        _send(officer, **fields)
    assert refused.value.field == field


def test_a_school_reads_only_its_own_notifications(sent, receiving_school_user, client):
    client.force_login(receiving_school_user)
    assert client.get(f"/agencies/encompass/{sent.pk}").status_code == 404


def test_the_school_finds_its_unread_notification_on_its_start_page(sent, sending_school_user,
                                                                   client):
    client.force_login(sending_school_user)
    assert "1 safeguarding notification to read now" in client.get("/").content.decode()

    encompass_details(user=sending_school_user, notification=sent)

    assert "safeguarding notification" not in client.get("/").content.decode()


def test_the_la_finds_an_escalation_on_its_start_page(sent, la_officer, client):
    client.force_login(la_officer)
    assert "safeguarding notification" not in client.get("/").content.decode()

    encompass_escalate_due(now=sent.read_by_at)

    assert "1 safeguarding notification unread by a school" in client.get("/").content.decode()


def test_a_school_with_a_designated_safeguarding_lead_tells_only_the_lead(
        officer, police, sending_school, sending_school_user, agreement):
    sending_school.safeguarding_email = "dsl@school.example.sch.uk"
    sending_school.save()
    agreement(police, "out", "8383321")
    _send(officer)
    assert [e.to[0] for e in _emails()] == ["dsl@school.example.sch.uk"]


def test_the_details_go_thirty_days_after_sending_and_the_row_stays(
        sent, file_store, django_capture_on_commit_callbacks, sending_school_user, client):

    EncompassNotification.objects.filter(pk=sent.pk).update(
        sent_at=timezone.now() - timedelta(days=29))
    call_command("purge_encompass")
    sent.refresh_from_db()
    assert sent.stored_file is not None

    EncompassNotification.objects.filter(pk=sent.pk).update(
        sent_at=timezone.now() - timedelta(days=31))
    call_command("purge_encompass", "--dry-run")
    sent.refresh_from_db()
    assert sent.stored_file is not None
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_encompass")

    sent.refresh_from_db()
    assert sent.stored_file is None
    assert not [p for p in file_store.rglob("*") if p.is_file()]
    assert AuditEvent.objects.filter(action="encompass.purged").count() == 1
    client.force_login(sending_school_user)
    page = client.get(f"/agencies/encompass/{sent.pk}").content.decode()
    assert "The details were deleted 30 days after the notification was sent." in page
