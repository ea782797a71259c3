"""The roll signals: leavers with no destination, no arrival or no CTF; joiners with no CTF.

LA 838's 2025/26 calendar: half-term 27-31 October 2025, INSET day Friday 14 November. The
15th school day after Wednesday 5 November is Thursday 27 November (the INSET day skipped);
the 5th after Monday 10 November is Tuesday 18 November.
"""

from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.urls import reverse

from s2s.accounts.roles import Role
from s2s.cme.models import SignalNotice
from s2s.cme.roll import nth_school_day_after
from s2s.cme.tests.conftest import (
    UPN_1,
    UPN_2,
    days_between,
    pupil,
    recompute,
    send_roll,
    signals,
)
from s2s.feeds.models import Pupil
from s2s.lostpupils.models import LostPupilRecord
from s2s.transfers.models import DestinationKind, Transfer, TransferPupil, TransferStatus


def ctf(source, destination, *, upn: str, on: str, status=TransferStatus.AWAITING,
        surname="Smith", dob=date(2016, 10, 15), **fields) -> Transfer:
    """Make a CTF of one pupil from `source` to `destination` (schools), uploaded on `on`."""
    n = Transfer.objects.count() + 1
    kind = fields.pop("kind", DestinationKind.SCHOOL)
    to = destination.code if destination else "XXXXXXX"
    transfer = Transfer.objects.create(
        name=f"{source.code}_CTF_{to}_{n:03d}.XML", file_type="CTF", source_code=source.code,
        source_establishment=source, destination_code=to, destination_kind=kind,
        destination_establishment=destination, status=status, sha256=f"{n:064d}",
        uploaded_at=datetime.fromisoformat(on).replace(hour=10, tzinfo=UTC), **fields)
    TransferPupil.objects.create(transfer=transfer, position=1, upn=upn, surname=surname,
                                 forename="Amy", dob=dob)
    return transfer


def leave(connector, on: str, destination: str = "", upn: str = UPN_1):
    return send_roll(connector, [pupil(upn, leaving_date=on, destination=destination)])


def kinds() -> list[str]:
    return sorted(signal.kind for signal in signals() if signal.status != "withdrawn")


def test_day_1_is_the_first_school_day_after_and_half_term_and_inset_are_skipped(school):
    days = days_between(school, "2025-09-01", "2025-12-31")
    assert nth_school_day_after(days, date(2025, 11, 5), 15) == date(2025, 11, 27)
    assert nth_school_day_after(days, date(2025, 10, 22), 15) == date(2025, 11, 20)
    assert nth_school_day_after(days, date(2025, 11, 10), 5) == date(2025, 11, 18)
    assert nth_school_day_after(days, date(2025, 12, 18), 15) is None  # beyond the calendar


def test_a_pupil_deleted_with_no_destination_is_signalled_on_the_day_of_leaving(
        school, connector):
    leave(connector, "2025-11-05")
    recompute(school, "2025-11-07")
    [signal] = signals("left_no_destination")
    assert (signal.first_day, signal.fired_on, signal.school_days, signal.status) == (
        date(2025, 11, 5), date(2025, 11, 5), 2, "open")
    assert signal.detail == {"how": "deleted"}


def test_a_pupil_gone_from_a_full_roll_is_signalled_and_withdrawn_when_back(
        school, connector):
    send_roll(connector, [pupil(UPN_2)], full=True)
    Pupil.objects.filter(upn=UPN_1).update(
        missing_since=datetime(2025, 11, 5, 19, tzinfo=UTC))
    recompute(school, "2025-11-06")
    [signal] = signals("left_no_destination")
    assert (signal.first_day, signal.detail) == (date(2025, 11, 5), {"how": "gone_from_roll"})
    send_roll(connector, [pupil(UPN_1), pupil(UPN_2)], full=True)
    recompute(school, "2025-11-07")
    assert [s.status for s in signals("left_no_destination")] == ["withdrawn"]


def test_a_deletion_to_a_named_school_is_not_left_without_destination(school, connector):
    leave(connector, "2025-11-05", destination="8384512")
    recompute(school, "2025-11-07")
    assert kinds() == []


def test_no_arrival_fires_on_the_15th_school_day_and_closes_when_the_joiner_appears(
        school, connector, receiving_school, other_connector):
    leave(connector, "2025-11-05", destination="8384512")
    ctf(school, receiving_school, upn=UPN_1, on="2025-11-05")
    recompute(school, "2025-11-26")
    assert kinds() == []
    recompute(school, "2025-11-27")
    [signal] = signals("no_arrival")
    assert (signal.first_day, signal.fired_on, signal.school_days, signal.status) == (
        date(2025, 11, 5), date(2025, 11, 27), 15, "open")
    assert signal.detail == {"destination": "8384512", "arrived": None}
    send_roll(other_connector, [pupil(UPN_1, entry_date="2025-12-01")], school="8384512")
    recompute(school, "2025-12-02")
    [signal] = signals("no_arrival")
    assert (signal.status, signal.school_days, signal.detail["arrived"]) == (
        "closed", 17, "2025-12-01")


def test_a_joiner_appearing_in_time_raises_no_arrival_signal(
        school, connector, receiving_school, other_connector):
    leave(connector, "2025-11-05", destination="8384512")
    ctf(school, receiving_school, upn=UPN_1, on="2025-11-05")
    send_roll(other_connector, [pupil(UPN_1, entry_date="2025-11-27")], school="8384512")
    recompute(school, "2025-12-01")
    assert kinds() == []


def test_a_leaver_with_no_ctf_sent_in_15_school_days_is_signalled_until_one_is_sent(
        school, connector, receiving_school, other_connector):
    send_roll(other_connector, [pupil(UPN_1, entry_date="2025-11-06")], school="8384512")
    leave(connector, "2025-11-05", destination="8384512")
    ctf(school, receiving_school, upn=UPN_1, on="2025-11-06", status=TransferStatus.REJECTED)
    recompute(school, "2025-11-27")
    [signal] = signals("leaver_no_ctf")
    assert (signal.fired_on, signal.status) == (date(2025, 11, 27), "open")
    ctf(school, receiving_school, upn=UPN_1, on="2025-11-28")
    recompute(school, "2025-12-01")
    [signal] = signals("leaver_no_ctf")
    assert (signal.status, signal.school_days) == ("closed", 16)


def test_a_ctf_sent_by_the_15th_school_day_raises_no_leaver_signal(
        school, connector, receiving_school, other_connector):
    send_roll(other_connector, [pupil(UPN_1, entry_date="2025-11-06")], school="8384512")
    leave(connector, "2025-10-22", destination="8384512")
    ctf(school, receiving_school, upn=UPN_1, on="2025-11-20")
    recompute(school, "2025-11-21")
    assert kinds() == []


@pytest.fixture
def lost_pupil_officers(make_user, home_la, other_la):
    return [make_user(Role.LA_LOST_PUPIL, home_la, username="838lp", email="lp@838.gov.uk"),
            make_user(Role.LA_LOST_PUPIL, other_la, username="681lp", email="lp@681.gov.uk")]


@pytest.fixture
def joiner(school, connector):
    """UPN_2 (Ben Jones, born 2 February 2016) joined 8383321 on Monday 10 November."""
    send_roll(connector, [pupil(UPN_2, forename="Ben", surname="Jones", dob="2016-02-02",
                                entry_date="2025-11-10")])
    return school


def test_a_joiner_with_no_ctf_after_5_school_days_is_looked_for_and_the_school_told(
        joiner, outsider_school, receiving_school, lost_pupil_officers,
        django_capture_on_commit_callbacks):
    lost = ctf(receiving_school, None, upn=UPN_2, on="2025-11-01",
               kind=DestinationKind.LOST_DESTINATION_UNKNOWN)
    record = LostPupilRecord.objects.create(transfer=lost, kind="XXXXXXX", upn=UPN_2,
                                            uploading_la=receiving_school.la)
    waiting = ctf(receiving_school, outsider_school, upn="", on="2025-11-03", surname="JONES",
                  dob=date(2016, 2, 2))
    recompute(joiner, "2025-11-17")
    assert signals("joiner_no_ctf") == []
    with django_capture_on_commit_callbacks(execute=True):
        recompute(joiner, "2025-11-18")
    [signal] = signals("joiner_no_ctf")
    assert (signal.first_day, signal.fired_on, signal.status) == (
        date(2025, 11, 10), date(2025, 11, 18), "open")
    # By UPN, the LPD record; the file waiting at 6812345 has no UPN, so it is not found yet.
    assert signal.detail["found"] == {"lpd": [{"record": record.pk, "match": "upn"}],
                                      "inboxes": []}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([joiner.email, "lp@838.gov.uk"])
    body = mail.outbox[0].body
    assert "1 possible records in the Lost Pupil Database" in body
    assert f"/cme/signals/{signal.pk}/" in body
    assert UPN_2 not in body
    assert "Jones" not in body
    assert "2016" not in body
    # Without the LPD record, the surname and date of birth find the waiting file.
    record.delete()
    with django_capture_on_commit_callbacks(execute=True):
        recompute(joiner, "2025-11-19")
    [signal] = signals("joiner_no_ctf")
    assert signal.detail["found"] == {"lpd": [], "inboxes": [
        {"transfer": waiting.pk, "to": "6812345", "match": "name_dob"}]}
    assert len(mail.outbox) == 2  # told once
    assert SignalNotice.objects.filter(signal=signal).count() == 1


def test_the_lost_pupil_officer_follows_the_emails_link_to_what_was_found(
        joiner, lost_pupil_officers, client):
    recompute(joiner, "2025-11-18")
    [signal] = signals("joiner_no_ctf")
    client.force_login(lost_pupil_officers[0])
    page = client.get(reverse("cme:signal", args=[signal.pk])).content.decode()
    assert "Nothing: no CTF of this pupil is held." in page
    client.force_login(lost_pupil_officers[1])  # another LA's
    assert client.get(reverse("cme:signal", args=[signal.pk])).status_code == 404


def test_a_ctf_received_late_closes_the_joiners_signal(joiner, receiving_school):
    recompute(joiner, "2025-11-18")
    ctf(receiving_school, joiner, upn=UPN_2, on="2025-11-20")
    recompute(joiner, "2025-11-21")
    [signal] = signals("joiner_no_ctf")
    assert (signal.status, signal.detail["arrived"]) == ("closed", "2025-11-20")


def test_a_ctf_received_before_entry_counts(joiner, receiving_school):
    ctf(receiving_school, joiner, upn=UPN_2, on="2025-11-07")
    recompute(joiner, "2025-11-24")
    assert signals("joiner_no_ctf") == []


def test_nursery_pupils_and_reception_at_the_start_of_the_year_expect_no_ctf(school, connector):
    send_roll(connector, [pupil(UPN_2, nc_year="N2", entry_date="2025-11-10"),
                          pupil(UPN_1, nc_year="R", entry_date="2025-09-03")])
    recompute(school, "2025-12-01")
    assert kinds() == []


def test_a_subsidiary_registration_raises_no_roll_signal(school, connector):
    send_roll(connector, [pupil(UPN_2, registration="subsidiary", entry_date="2025-11-10"),
                          pupil(UPN_1, registration="subsidiary", leaving_date="2025-11-05")])
    recompute(school, "2025-12-01")
    assert kinds() == []


@pytest.fixture
def welsh_school(set_calendar, make_user, other_la, outsider_school, welsh_connector):
    """School 6812345 (LA 681, Wales): its LA's calendar closes 3-4 November (INSET), not 14."""
    set_calendar(other_la, user=make_user(Role.LA_USER, other_la, username="681calendars"),
                 closures=[{"date": "2025-11-03", "sessions": "both", "reason": "INSET"},
                           {"date": "2025-11-04", "sessions": "both", "reason": "INSET"}])
    send_roll(welsh_connector, [pupil(UPN_1)], school="6812345")
    return outsider_school


def test_in_wales_the_school_days_are_the_welsh_schools_calendar(welsh_school,
                                                                  welsh_connector):
    send_roll(welsh_connector, [pupil(UPN_1, leaving_date="2025-10-22", destination="6819999")],
              school="6812345")
    # England's 15th school day after 22 October is Thursday 20 November; this school was
    # shut on 3 and 4 November but open on the 14th: its 15th is Friday 21 November.
    recompute(welsh_school, "2025-11-20")
    assert signals("leaver_no_ctf") == []
    recompute(welsh_school, "2025-11-21")
    [no_ctf] = signals("leaver_no_ctf")
    assert (no_ctf.fired_on, no_ctf.establishment) == (date(2025, 11, 21), welsh_school)


def test_a_ctf_sent_long_before_leaving_was_about_another_move(school, connector,
                                                              receiving_school):
    ctf(school, receiving_school, upn=UPN_1, on="2025-09-04")  # more than a month before
    ctf(school, receiving_school, upn=UPN_2, on="2025-10-20")  # within the month
    send_roll(connector, [pupil(UPN_1, leaving_date="2025-11-05", destination="8384512"),
                          pupil(UPN_2, leaving_date="2025-11-05", destination="8384512")])
    recompute(school, "2025-11-27")
    assert [s.upn for s in signals("leaver_no_ctf")] == [UPN_1]


def test_a_leaving_date_still_to_come_raises_nothing_and_one_taken_back_withdraws(
        school, connector):
    leave(connector, "2025-11-10")
    recompute(school, "2025-11-07")
    assert kinds() == []
    recompute(school, "2025-11-10")
    assert kinds() == ["left_no_destination"]
    send_roll(connector, [pupil(UPN_1)])  # the deletion was a mistake
    recompute(school, "2025-11-11")
    assert kinds() == []
    assert [s.status for s in signals("left_no_destination")] == ["withdrawn"]
