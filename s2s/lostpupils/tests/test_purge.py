"""Purge at statutory school leaving age, its command, and the monthly preview (seed 003, 1.3)."""

from datetime import date

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from s2s.audit.models import AuditEvent
from s2s.lostpupils.leaving import leaving_age_date, purge_due
from s2s.lostpupils.models import LostPupilRecord, RecordStatus
from s2s.lostpupils.services.purge import (
    due_in_month,
    next_month,
    purge_preview_send,
    records_going_in,
)
from s2s.lostpupils.tests.conftest import send_lost


@pytest.mark.parametrize(("dob", "last_day"), [
    (date(2009, 8, 31), date(2025, 8, 31)),  # turns 16 on the last day of the school year
    (date(2009, 9, 1), date(2026, 8, 31)),  # turns 16 on the first day of the next one
    (date(2010, 1, 1), date(2026, 8, 31)),
    (date(2008, 2, 29), date(2024, 8, 31)),  # a leap-day birthday
    (date(2009, 12, 31), date(2026, 8, 31)),
])
def test_the_leaving_age_date_is_31_august_of_the_year_the_pupil_turns_16(dob, last_day):
    assert leaving_age_date(dob) == last_day


def test_a_record_is_due_from_the_day_after(settings):
    assert not purge_due(date(2009, 8, 31), today=date(2025, 8, 31))
    assert purge_due(date(2009, 8, 31), today=date(2025, 9, 1))
    assert not purge_due(date(2009, 9, 1), today=date(2025, 9, 1))
    assert not purge_due(None, today=date(2040, 1, 1))


def test_the_leaving_age_is_configurable(settings):
    settings.S2S_LPD_LEAVING_AGE = 18
    assert leaving_age_date(date(2009, 8, 31)) == date(2027, 8, 31)


@pytest.fixture
def old_and_young(sending_school_user):
    old = send_lost(sending_school_user, "8383321", dob="2005-08-31", upn="H801200001001")
    young = send_lost(sending_school_user, "8383321", dob="2015-09-01")
    return old.lost_pupil, young.lost_pupil


def test_the_command_purges_only_records_past_leaving_age(old_and_young, capsys):
    old, young = old_and_young
    call_command("purge_lost_pupils", "--dry-run")
    assert "Would purge 1 lost pupil record(s)." in capsys.readouterr().out
    assert LostPupilRecord.objects.get(pk=old.pk).status == RecordStatus.OPEN
    call_command("purge_lost_pupils")
    old.refresh_from_db()
    assert old.status == RecordStatus.PURGED
    assert old.upn == ""
    assert old.name_keys == ""
    assert not old.names.exists()
    assert old.transfer.stored_file_id is None
    assert not old.transfer.pupils.exists()
    assert AuditEvent.objects.get(action="lpd_purge").detail["upn"] == "H801200001001"
    assert LostPupilRecord.objects.get(pk=young.pk).status == RecordStatus.OPEN


def test_the_command_stops_at_its_limit(sending_school_user, capsys):
    for n in range(3):
        send_lost(sending_school_user, "8383321", dob=f"2004-0{n + 1}-15")
    call_command("purge_lost_pupils", "--limit", "2")
    assert LostPupilRecord.objects.filter(status=RecordStatus.PURGED).count() == 2


def test_the_monthly_preview_counts_next_months_purges_per_la(
        sending_school_user, home_la, django_capture_on_commit_callbacks):
    send_lost(sending_school_user, "8383321", dob="2010-08-31")  # goes 1 September 2026
    send_lost(sending_school_user, "8383321", dob="2010-09-01")  # goes 1 September 2027
    assert due_in_month(month=date(2026, 9, 1)) == {home_la.pk: 1}
    assert due_in_month(month=date(2026, 8, 1)) == {}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_preview_send(month=date(2026, 9, 1)) == 1
    assert [m.to for m in mail.outbox] == [["s2s@dorset.example.gov.uk"]]
    assert "September 2026" in mail.outbox[0].subject
    assert "/lost-pupils/our-schools/?purge=2026-09" in mail.outbox[0].body


def test_next_month_rolls_over_the_year():
    assert next_month(date(2026, 8, 15)) == date(2026, 9, 1)
    assert next_month(date(2026, 12, 31)) == date(2027, 1, 1)


def test_the_preview_emails_link_lists_only_that_months_purges(
        client, sending_school_user, lost_pupil_officer):
    goes = send_lost(sending_school_user, "8383321", surname="Goesnow", dob="2010-08-31")
    send_lost(sending_school_user, "8383321", surname="Stayslonger", dob="2010-09-01")
    assert list(records_going_in(LostPupilRecord.objects.all(), month=date(2026, 9, 1))) == [
        goes.lost_pupil]
    client.force_login(lost_pupil_officer)
    url = reverse("lostpupils:la-records")
    listed = client.get(url, {"purge": "2026-09"}).content.decode()
    assert "Goesnow" in listed
    assert "Stayslonger" not in listed
    assert "September 2026" in listed
    everything = client.get(url, {"purge": "not-a-month"}).content.decode()
    assert "Goesnow" in everything
    assert "Stayslonger" in everything


def test_the_preview_command_names_each_la_and_refuses_a_bad_month(
        sending_school_user, home_la, capsys):
    send_lost(sending_school_user, "8383321", dob="2010-08-31")
    call_command("send_lost_pupil_preview", "--month", "2026-09", "--dry-run")
    assert f"Would tell {home_la}: 1 record(s) in September 2026" in capsys.readouterr().out
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("send_lost_pupil_preview", "--month", "September")
