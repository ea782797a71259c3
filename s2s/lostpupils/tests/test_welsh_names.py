"""Welsh names in the LPD's sound-alike search (issue 17, "Names"), and rewriting stored keys."""

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from s2s.audit.services import audit_record
from s2s.lostpupils.models import LostPupilName, LostPupilRecord
from s2s.lostpupils.search import Criteria, search_records
from s2s.lostpupils.services import records
from s2s.lostpupils.services.rekey import lost_pupil_keys_recompute
from s2s.lostpupils.tests.conftest import send_lost
from s2s.messaging.tests.conftest import send

DOB = date(2012, 3, 1)

# (the surname a school sent, the surname an LA searches by): each must find the other.
WELSH_SURNAMES = [
    ("Llewelyn", "Llywelyn"), ("Llewelyn", "Lewellyn"), ("Llewelyn", "Flewelling"),
    ("Rhys", "Rees"), ("Rhys", "Reece"), ("Rhys", "Rice"),
    ("Dafydd", "David"), ("Dafydd", "Davydd"),
    ("ap Rhys", "Price"), ("ap Rhys", "Prys"), ("Ap Rhys", "Pryce"), ("ap Hywel", "Powell"),
    ("ab Owen", "Bowen"), ("Ab Evan", "Bevan"),
    ("Hywel", "Howell"), ("Llwyd", "Lloyd"), ("Gruffydd", "Griffith"),
    ("Llŷr", "Llyr"), ("Siân", "Shan"),
]
WELSH_FORENAMES = [("Siân", "Sian"), ("Siân", "Shan"), ("Gwenllïan", "Gwenllian"),
                   ("Dafydd", "David"), ("Llywelyn", "Llewelyn")]


def _surnames(criteria: Criteria) -> list[str]:
    return [hit.record.surname for hit in search_records(criteria).object_list]


@pytest.mark.parametrize(("sent", "searched"), WELSH_SURNAMES)
def test_a_welsh_surname_is_found_by_its_other_spellings_either_way(
        sending_school_user, sent, searched):
    send_lost(sending_school_user, "8383321", surname=sent, dob=DOB.isoformat())
    send_lost(sending_school_user, "8383321", surname=searched, dob=DOB.isoformat())
    for one, other in ((sent, searched), (searched, sent)):
        assert other in _surnames(Criteria(surname=one)), (one, other)  # by key alone
        assert other in _surnames(Criteria(surname=one, dob=DOB)), (one, other)


@pytest.mark.parametrize(("sent", "searched"), WELSH_FORENAMES)
def test_a_welsh_forename_is_found_by_its_other_spellings(sending_school_user, sent, searched):
    record = send_lost(sending_school_user, "8383321", surname="Jones", forename=sent,
                       dob=DOB.isoformat()).lost_pupil
    for criteria in (Criteria(forename=searched), Criteria(forename=searched, dob=DOB)):
        assert record.pk in [hit.id for hit in search_records(criteria).object_list]


def test_price_finds_ap_rhys_and_says_it_matched_the_fused_patronymic(sending_school_user):
    send_lost(sending_school_user, "8383321", surname="ap Rhys", dob=DOB.isoformat())
    [hit] = search_records(Criteria(surname="Price", dob=DOB)).object_list
    assert hit.record.surname == "ap Rhys"
    assert hit.reason == "Surname with ap or ab joined sounds alike, DOB exact"


@pytest.mark.parametrize(("sent", "searched"), [("ap Rhys", "Price"), ("Price", "ap Rhys"),
                                                ("Flewelling", "Llewelyn"), ("Dafydd", "David")])
def test_the_search_page_finds_a_welsh_name_by_its_other_spelling(
        client, sending_school_user, lpd_transfer_officer, sent, searched):
    send_lost(sending_school_user, "8383321", surname=sent, forename="Siân", dob="2012-03-01")
    client.force_login(lpd_transfer_officer)
    response = client.get(reverse("lostpupils:search"),
                          {"surname": searched, "dob": "2012-03-01", "search": ""})
    assert [hit.record.surname for hit in response.context["page"].object_list] == [sent]
    assert "Siân" in response.content.decode("utf-8")


def test_ap_rhys_also_finds_rhys_as_it_did(sending_school_user):
    send_lost(sending_school_user, "8383321", surname="Rhys", dob=DOB.isoformat())
    assert _surnames(Criteria(surname="ap Rhys")) == ["Rhys"]


@pytest.mark.parametrize(("sent", "searched"), [
    ("Floyd", "Lloyd"),  # decided: a plain Fl is not Ll (found as a typo when a DOB is given)
    ("Florence", "Lawrence"), ("Flynn", "Lynn"), ("Fleming", "Lemming"),
    ("Rhys", "Price"), ("Owen", "Bowen"), ("Hywel", "Powell"), ("Lewis", "Llewelyn"),
    ("Sienna", "Sian"),
])
def test_welsh_rules_make_no_false_friends(sending_school_user, sent, searched):
    send_lost(sending_school_user, "8383321", surname=sent, dob=DOB.isoformat())
    assert _surnames(Criteria(surname=sent)) == [sent]
    assert _surnames(Criteria(surname=searched)) == []


def test_lloyd_finds_floyd_as_a_one_letter_typo_with_the_dob(sending_school_user):
    send_lost(sending_school_user, "8383321", surname="Floyd", dob=DOB.isoformat())
    [hit] = search_records(Criteria(surname="Lloyd", dob=DOB)).object_list
    assert hit.reason == "Surname one letter different, DOB exact"


def _as_stored_before(record: LostPupilRecord) -> None:
    """Give the record the keys the code before issue 17 wrote for "ap Rhys" and "Siân"."""
    LostPupilRecord.objects.filter(pk=record.pk).update(
        name_keys="legal:APRHYS:APRS part:RHYS:RS", forename_key="SN")
    LostPupilName.objects.filter(record=record).delete()
    LostPupilName.objects.bulk_create([
        LostPupilName(record=record, kind="legal", name="APRHYS", key="APRS"),
        LostPupilName(record=record, kind="part", name="RHYS", key="RS")])


def test_recomputing_rewrites_keys_stored_before_the_welsh_rules(sending_school_user):
    record = send_lost(sending_school_user, "8383321", surname="ap Rhys", forename="Siân",
                       preferred_surname="ap Rhys", former_surname="",
                       dob=DOB.isoformat()).lost_pupil
    _as_stored_before(record)
    assert _surnames(Criteria(surname="Price")) == []
    assert lost_pupil_keys_recompute(dry_run=True) == 1
    assert _surnames(Criteria(surname="Price")) == []

    assert lost_pupil_keys_recompute() == 1

    record.refresh_from_db()
    assert record.name_keys == "legal:APRHYS:APRS part:RHYS:RS fused:PRHYS:PRS"
    assert record.forename_key == "KSN"
    assert sorted(record.names.values_list("kind", "name", "key")) == [
        ("fused", "PRHYS", "PRS"), ("legal", "APRHYS", "APRS"), ("part", "RHYS", "RS")]
    assert _surnames(Criteria(surname="Price")) == ["ap Rhys"]
    assert _surnames(Criteria(surname="Smith", forename="Shan")) == []
    assert _surnames(Criteria(forename="Shan")) == ["ap Rhys"]
    assert lost_pupil_keys_recompute() == 0


def test_the_rekey_command_says_what_it_rewrote(sending_school_user, capsys):
    record = send_lost(sending_school_user, "8383321", surname="ap Rhys", forename="Siân",
                       preferred_surname="ap Rhys", former_surname="",
                       dob=DOB.isoformat()).lost_pupil
    _as_stored_before(record)
    call_command("rekey_lost_pupils", "--dry-run")
    assert capsys.readouterr().out == "Would rewrite the keys of 1 lost pupil record(s).\n"
    call_command("rekey_lost_pupils")
    assert capsys.readouterr().out == "Rewrote the keys of 1 lost pupil record(s).\n"
    assert _surnames(Criteria(surname="Price")) == ["ap Rhys"]


# Names with Welsh diacritics are kept exactly, UTF-8 end to end (issue 17, "Names").
WELSH_SURNAME, WELSH_FORENAME = "ap Rhŷs-Llŵyd", "Gwenllïan Siân"


def test_welsh_diacritics_survive_a_ctf_sent_to_the_lpd_and_downloaded(
        sending_school_user, other_lpd_officer):
    record = send_lost(sending_school_user, "8383321", surname=WELSH_SURNAME,
                       forename=WELSH_FORENAME, dob=DOB.isoformat()).lost_pupil
    assert (record.surname, record.forename) == (WELSH_SURNAME, WELSH_FORENAME)
    [hit] = search_records(Criteria(surname="Price", dob=DOB)).object_list
    assert hit.record.forename == WELSH_FORENAME
    _name, stream = records.lost_pupil_open_for_download(user=other_lpd_officer, record=record,
                                                         attested=True)
    content = b"".join(stream)
    assert f"<Surname>{WELSH_SURNAME}</Surname>".encode() in content
    assert f"<Forename>{WELSH_FORENAME}</Forename>".encode() in content


def test_welsh_diacritics_survive_the_lpd_details_csv(client, sending_school_user, la_dba):
    send_lost(sending_school_user, "8383321", surname=WELSH_SURNAME, forename=WELSH_FORENAME,
              dob=DOB.isoformat())
    client.force_login(la_dba)
    url = reverse("reports:csv", kwargs={"name": "lost-pupil-details"})
    text = b"".join(client.get(url, {"which": "both"}).streaming_content).decode("utf-8")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert WELSH_SURNAME in row.values()
    assert WELSH_FORENAME in row.values()


def test_welsh_diacritics_survive_a_message_and_the_audit_csv(client, other_la_officer,
                                                              la_officer, la_dba):
    subject, body = "Disgybl: Siân ap Rhŷs", "A oes gennych ffeil Gwenllïan Llŵyd? Diolch â chroeso"
    message = send(other_la_officer, las=[("838", ["la_user"])], subject=subject,
                   body=body).message
    client.force_login(la_officer)
    page = client.get(reverse("messaging:read", args=[message.pk])).content.decode("utf-8")
    assert subject in page
    assert body in page
    audit_record(action="test.happened", actor=la_officer, summary=f"Chwiliwyd am {subject}")
    client.force_login(la_dba)
    export = b"".join(client.get(reverse("audit:export")).streaming_content).decode("utf-8")
    assert f"Chwiliwyd am {subject}" in [row[5] for row in csv.reader(io.StringIO(export))]


@pytest.mark.parametrize(("criteria", "reason"), [
    (Criteria(surname="Rees"), "Cyfenw'n swnio'n debyg"),
    (Criteria(surname="Rhys", forename="Shan"), "Cyfenw'n union, enw cyntaf yn swnio'n debyg"),
    (Criteria(surname="Pryce"), "Cyfenw ag ap neu ab wedi'i gysylltu yn swnio'n debyg"),
])
def test_a_searchs_reasons_read_in_welsh(sending_school_user, criteria, reason):
    """Issue 17: the reasons are whole phrases, so Welsh words each one as it needs."""
    send_lost(sending_school_user, "8383321", surname="Rhys", forename="Siân",
              dob=DOB.isoformat())
    send_lost(sending_school_user, "8383321", surname="ap Rhys", forename="Siân",
              dob=DOB.isoformat())
    with translation.override("cy"):
        reasons = [hit.reason for hit in search_records(criteria).object_list]
    assert reason in reasons
