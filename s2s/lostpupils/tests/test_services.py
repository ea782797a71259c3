"""Intake, search, attested download, forward, removal: the LPD's services (issue 5)."""

from datetime import date

import pytest
from django.core import mail
from django.http import Http404

from s2s.audit.models import AuditEvent
from s2s.core.errors import ServiceError
from s2s.lostpupils import search
from s2s.lostpupils.models import LostPupilKind, RecordStatus
from s2s.lostpupils.search import BEGINS, Criteria, search_records
from s2s.lostpupils.services import records as services
from s2s.lostpupils.tests.conftest import send_lost
from s2s.transfers.models import TransferStatus

DOB = date(2013, 4, 7)


@pytest.fixture
def smith(sending_school_user):
    """Olivia Smyth-Jones, born 7 April 2013, sent to XXXXXXX by school 8383321 (LA 838)."""
    return send_lost(sending_school_user, "8383321", surname="Smyth-Jones", forename="Olivia",
                     dob=DOB.isoformat(), sex="F", upn="H801200001001",
                     former_upn="R201100018042", former_surname="Thomson",
                     preferred_surname="Smyth-Jones").lost_pupil


def _names(criteria: Criteria) -> list[str]:
    return [hit.record.surname for hit in search_records(criteria).object_list]


def test_a_file_to_xxxxxxx_becomes_a_record_with_its_keys(smith, home_la, sending_school):
    assert smith.kind == LostPupilKind.MISSING
    assert smith.uploading_la == home_la
    assert smith.uploading_school == sending_school
    assert smith.status == RecordStatus.OPEN
    names = {(n.kind, n.name, n.key) for n in smith.names.all()}
    assert names == {("legal", "SMYTHJONES", "SMTJNS"), ("former", "THOMSON", "TMSN"),
                     ("part", "SMYTH", "SMT"), ("part", "JONES", "JNS")}
    assert smith.dob_swapped == date(2013, 7, 4)


def _rows_in_order(record) -> list[tuple[str, str, str]]:
    return list(record.names.order_by("id").values_list("kind", "name", "key"))


SMITH_VARIANTS = [("legal", "SMYTHJONES", "SMTJNS"), ("former", "THOMSON", "TMSN"),
                  ("part", "SMYTH", "SMT"), ("part", "JONES", "JNS")]


def test_the_record_carries_its_surname_variants_as_its_name_rows_have_them(smith):
    assert smith.name_keys == ("legal:SMYTHJONES:SMTJNS former:THOMSON:TMSN part:SMYTH:SMT "
                               "part:JONES:JNS")
    assert _rows_in_order(smith) == SMITH_VARIANTS


def test_a_linked_second_file_keeps_its_own_surname_variants(smith, sending_school_user):
    second = send_lost(sending_school_user, "8383321", upn="H801200001001",
                       surname="Smith", preferred_surname="Smith", forename="Liv",
                       dob="2013-04-07").lost_pupil
    assert second.same_pupil_as == smith
    second.refresh_from_db()
    assert second.name_keys == "legal:SMITH:SMT"
    assert _rows_in_order(second) == [("legal", "SMITH", "SMT")]
    smith.refresh_from_db()
    assert _rows_in_order(smith) == SMITH_VARIANTS
    assert smith.name_keys.split() == [":".join(v) for v in SMITH_VARIANTS]


def test_a_dob_search_reads_its_candidates_and_what_the_page_shows_in_one_query(
        smith, django_assert_num_queries, home_la, sending_school):
    with django_assert_num_queries(1):
        hits = search_records(Criteria(surname="Jomes", dob=DOB)).object_list
        shown = [(h.record.surname, h.record.forename, h.record.dob, h.record.town,
                  h.record.uploading_la.number, h.record.uploading_school.code, h.reason)
                 for h in hits]
    assert shown == [("Smyth-Jones", "Olivia", DOB, smith.town, "838", "8383321",
                      "Part of the surname one letter different, DOB exact")]
    with django_assert_num_queries(1):
        hits = search_records(Criteria(surname="Smyth", dob=date(2013, 7, 4),
                                       swap_dob=True)).object_list
    assert [(h.id, h.reason) for h in hits] == [
        (smith.pk, "Part of the surname exact, DOB day and month swapped")]
    with django_assert_num_queries(1):
        assert [h.record.upn for h in search_records(Criteria(upn="R201100018042"))
                .object_list] == ["H801200001001"]


def test_a_hits_record_reads_what_the_page_does_not_show_when_asked(smith):
    record = search_records(Criteria(surname="Smith", dob=DOB)).object_list[0].record
    assert record.middle_names == smith.middle_names
    assert record.transfer.name == smith.transfer.name
    assert record.uploading_la.name == smith.uploading_la.name


def test_a_file_to_mmmmmmm_is_left_the_maintained_sector(sending_school_user):
    record = send_lost(sending_school_user, "8383321", destination="MMMMMMM").lost_pupil
    assert record.kind == LostPupilKind.LEFT_SECTOR


@pytest.mark.parametrize("surname", ["Smith", "Smithe", "Smyth", "Jones", "Jnoes", "Thompson"])
def test_sound_alike_finds_either_part_typos_and_the_former_surname(smith, surname):
    assert _names(Criteria(surname=surname, dob=DOB)) == ["Smyth-Jones"]


def test_sound_alike_without_a_dob_finds_by_key(smith):
    assert _names(Criteria(surname="Smithe")) == ["Smyth-Jones"]
    assert _names(Criteria(surname="Brown")) == []


def _every_page(criteria: Criteria, per_page: int) -> tuple[int, list[int]]:
    """Return the count a surname search gives and the record ids of all its pages in turn."""
    first = search_records(criteria, per_page=per_page)
    ids = []
    for number in first.paginator.page_range:
        ids += [hit.id for hit in search_records(criteria, page=number,
                                                 per_page=per_page).object_list]
    return first.paginator.count, ids


def test_a_record_whose_surname_and_former_surname_both_match_is_counted_and_listed_once(
        sending_school_user):
    both = send_lost(sending_school_user, "8383321", surname="Smith", preferred_surname="Smith",
                     former_surname="Smyth").lost_pupil
    other = send_lost(sending_school_user, "8383321", surname="Smith",
                      preferred_surname="Smith").lost_pupil
    assert _every_page(Criteria(surname="Smith"), per_page=25) == (2, [both.pk, other.pk])
    assert _every_page(Criteria(surname="Smith"), per_page=1) == (2, [both.pk, other.pk])


@pytest.mark.parametrize("few_alike", [200, 0])  # asked of each record, or counted distinct
def test_a_record_with_two_sound_alike_surnames_is_counted_and_listed_once(
        sending_school_user, monkeypatch, few_alike):
    monkeypatch.setattr(search, "_FEW_ALIKE", few_alike)
    twice = send_lost(sending_school_user, "8383321", surname="Smyth", preferred_surname="Smyth",
                      former_surname="Smithe").lost_pupil
    exact = send_lost(sending_school_user, "8383321", surname="Smith",
                      preferred_surname="Smith").lost_pupil
    assert _every_page(Criteria(surname="Smith"), per_page=1) == (2, [exact.pk, twice.pk])


def test_a_record_matching_two_parts_of_a_double_name_search_is_counted_and_listed_once(
        sending_school_user):
    parts = send_lost(sending_school_user, "8383321", surname="Jones", preferred_surname="Jones",
                      former_surname="Smith").lost_pupil
    assert _every_page(Criteria(surname="Smith-Jones"), per_page=1) == (1, [parts.pk])


def test_surname_begins_is_an_exact_prefix(smith):
    assert _names(Criteria(surname="Smy", match=BEGINS)) == ["Smyth-Jones"]
    assert _names(Criteria(surname="Jon", match=BEGINS)) == ["Smyth-Jones"]
    assert _names(Criteria(surname="Smi", match=BEGINS)) == []


def test_upn_also_matches_the_former_upn(smith):
    assert _names(Criteria(upn="R201100018042")) == ["Smyth-Jones"]
    hit = search_records(Criteria(upn="H801200001001", dob=DOB)).object_list[0]
    assert hit.reason == "UPN exact, DOB exact"


def test_the_reason_says_how_each_criterion_matched(smith):
    hit = search_records(Criteria(surname="Smith", dob=DOB)).object_list[0]
    assert hit.reason == "Part of the surname sounds alike, DOB exact"
    # Sounds alike 80% of the surname's 30 points, DOB exact 100% of 25: 4900 / 55 = 89.1.
    assert hit.score == 89


def test_a_swapped_dob_is_found_only_when_asked(smith):
    assert _names(Criteria(surname="Jones", dob=date(2013, 7, 4))) == []
    hit = search_records(Criteria(surname="Jones", dob=date(2013, 7, 4),
                                  swap_dob=True)).object_list[0]
    assert "DOB day and month swapped" in hit.reason


def test_sex_town_and_postcode_must_match_when_given(smith):
    assert _names(Criteria(surname="Jones", sex="M")) == []
    assert _names(Criteria(surname="Jones", sex="F")) == ["Smyth-Jones"]


def test_catherine_and_kathryn_are_found_by_forename(sending_school_user):
    send_lost(sending_school_user, "8383321", forename="Kathryn", surname="Ali", dob="2014-01-02")
    assert _names(Criteria(forename="Catherine", dob=date(2014, 1, 2))) == ["Ali"]


def test_a_second_file_for_the_same_upn_is_linked_and_flagged(
        smith, sending_school_user, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = send_lost(sending_school_user, "8383321", upn="H801200001001",
                           surname="Smith", forename="Liv", dob="2013-04-07").lost_pupil
    assert second.same_pupil_as == smith
    to_la = [m for m in mail.outbox if m.to == ["s2s@dorset.example.gov.uk"]]
    assert len(to_la) == 1
    assert "second file" in to_la[0].subject
    assert "Olivia" not in to_la[0].body
    assert "H801200001001" not in to_la[0].body


def test_a_second_file_with_the_same_name_and_dob_is_linked(smith, outsider_school_user):
    second = send_lost(outsider_school_user, "6812345", upn="R201100018042",
                       surname="Smyth-Jones", forename="Olivia", dob="2013-04-07").lost_pupil
    assert second.same_pupil_as == smith


def test_every_search_is_audited_with_its_criteria(smith, lpd_transfer_officer):
    services.lost_pupil_search(user=lpd_transfer_officer, criteria=Criteria(surname="Smith"))
    event = AuditEvent.objects.get(action="lpd_search")
    assert event.detail["criteria"] == {"surname": "Smith", "match": "soundalike"}
    assert event.detail["found"] == 1


def test_a_search_needs_something_to_search_by(lpd_transfer_officer):
    with pytest.raises(ServiceError, match="Enter a UPN"):
        services.lost_pupil_search(user=lpd_transfer_officer, criteria=Criteria(sex="F"))


def test_the_attestation_is_required_to_download(smith, lpd_transfer_officer):
    with pytest.raises(ServiceError) as refused:
        services.lost_pupil_open_for_download(user=lpd_transfer_officer, record=smith,
                                              attested=False)
    assert refused.value.field == "attest"
    assert not AuditEvent.objects.filter(action="lpd_download").exists()


def test_download_then_confirm_marks_it_downloaded_and_tells_the_uploading_la(
        smith, other_lpd_officer, other_la, django_capture_on_commit_callbacks):
    name, stream = services.lost_pupil_open_for_download(user=other_lpd_officer, record=smith,
                                                         attested=True)
    assert b"Smyth-Jones" in b"".join(stream)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record = services.lost_pupil_confirm_download(user=other_lpd_officer, record=smith)
    assert record.status == RecordStatus.DOWNLOADED
    assert (record.downloaded_by, record.downloaded_la) == (other_lpd_officer, other_la)
    assert [m.to for m in mail.outbox] == [["s2s@dorset.example.gov.uk"]]
    assert "found" in mail.outbox[0].subject
    assert "Olivia" not in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="lpd_download", actor=other_lpd_officer).exists()


def test_a_lost_pupil_officer_without_transfer_cannot_download(smith, lost_pupil_officer):
    with pytest.raises(Http404):
        services.lost_pupil_open_for_download(user=lost_pupil_officer, record=smith,
                                              attested=True)


def test_forward_sends_the_ctf_to_an_own_la_school(smith, lpd_transfer_officer,
                                                   receiving_school):
    new = services.lost_pupil_forward(user=lpd_transfer_officer, record=smith, to="8384512")
    assert new.name == "838LLLL_CTF8384512_%s.XML" % smith.transfer.name[-7:-4]
    assert new.destination_establishment == receiving_school
    assert new.status == TransferStatus.AWAITING
    smith.refresh_from_db()
    assert smith.status == RecordStatus.DOWNLOADED
    assert smith.forwarded_to == "8384512"


def test_forward_refuses_a_school_of_another_la(smith, lpd_transfer_officer, outsider_school):
    with pytest.raises(ServiceError, match="school in your LA"):
        services.lost_pupil_forward(user=lpd_transfer_officer, record=smith, to="6812345")


def test_removal_deletes_the_file_and_keeps_the_fact(smith, lost_pupil_officer):
    record = services.lost_pupil_remove(user=lost_pupil_officer, record=smith,
                                        reason="On roll at 8384512")
    record.refresh_from_db()
    assert record.status == RecordStatus.REMOVED
    assert record.surname == ""
    assert record.dob is None
    assert not record.names.exists()
    assert record.name_keys == ""
    record.transfer.refresh_from_db()
    assert record.transfer.stored_file is None
    assert not record.transfer.pupils.exists()
    assert AuditEvent.objects.get(action="lpd_remove").detail["upn"] == "H801200001001"
    assert _names(Criteria(surname="Jones")) == []


def test_another_la_cannot_remove_the_record(smith, other_lpd_officer):
    with pytest.raises(Http404):
        services.lost_pupil_remove(user=other_lpd_officer, record=smith, reason="Found")
