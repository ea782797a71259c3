import io

import pytest
from django.db import IntegrityError, connection

from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent
from s2s.core.errors import ServiceError
from s2s.directory.models import Establishment, EstablishmentStatus
from s2s.transfers.models import StoredFile, Transfer, TransferPupil, TransferStatus
from s2s.transfers.services import transfer_collect, transfer_upload
from s2s.transfers.services import upload as upload_module
from s2s.transfers.tests.conftest import stored_objects
from s2s.transfers.tests.ctfs import ctf, ctf_upns


def test_a_ctf_to_another_school_is_stored_indexed_and_audited_with_its_upns(
    upload, sending_school_user, receiving_school
):
    content = ctf("8383321", "8384512", pupils=3)
    result = upload(sending_school_user, "8383321_CTF_8384512_001.xml", content)
    transfer = result.transfer
    assert transfer.status == TransferStatus.AWAITING
    assert transfer.destination_establishment == receiving_school
    assert transfer.source_code == "8383321"
    assert transfer.pupil_count == 3
    assert transfer.stored_file.size == len(content)
    assert sorted(transfer.pupils.values_list("upn", flat=True)) == sorted(ctf_upns(content))
    event = AuditEvent.objects.get(action="transfer_upload")
    assert sorted(event.detail["upns"]) == sorted(ctf_upns(content))
    surname = transfer.pupils.first().surname
    assert surname not in str(event.detail)


def test_every_field_of_every_pupil_is_indexed_as_the_reader_gives_it(
    upload, sending_school_user, receiving_school
):
    from s2s.ctf.reader import read_ctf

    content = ctf("8383321", "8384512", pupils=25, seed=7)
    transfer = upload(sending_school_user, "8383321_CTF_8384512_001.xml", content).transfer
    fields = ("upn", "former_upn", "uln", "surname", "forename", "middle_names",
              "preferred_surname", "preferred_forename", "former_surname", "sex", "postcode",
              "town", "nc_year", "leaving_reason")
    rows = list(transfer.pupils.order_by("position").values("position", "dob", "leaving_date",
                                                             *fields))
    read = read_ctf(source=content).pupils
    assert [row["position"] for row in rows] == [pupil.position for pupil in read]
    for row, pupil in zip(rows, read, strict=True):
        assert {name: row[name] for name in fields} == {
            name: getattr(pupil, name) or "" for name in fields}
        assert (row["dob"].isoformat() if row["dob"] else None) == pupil.dob
        assert (row["leaving_date"].isoformat() if row["leaving_date"] else None) == (
            pupil.leaving_date or None)
    assert any(row["dob"] for row in rows)
    assert any(row["surname"] for row in rows)


def test_a_file_whose_source_is_not_the_uploader_is_refused(upload, sending_school_user,
                                                            receiving_school):
    with pytest.raises(ServiceError) as refused:
        upload(sending_school_user, "8384512_CTF_8383321_001.XML", ctf("8384512", "8383321"))
    assert refused.value.message == (
        "The file name must start with your establishment number, 8383321"
    )
    assert refused.value.field == "file"


def test_an_la_user_sends_from_its_mailbox(upload, la_officer, receiving_school):
    with pytest.raises(ServiceError, match="your LA mailbox, 838LLLL"):
        upload(la_officer, "8383321_CTF_8384512_001.XML", ctf("8383321", "8384512"))
    result = upload(la_officer, "838LLLL_CTF8384512_001.XML", ctf("838LLLL", "8384512"))
    assert result.transfer.source_la.number == "838"
    assert result.transfer.source_mailbox == "LLLL"


def test_a_census_officer_sends_from_plas(upload, make_user, home_la, receiving_school):
    census = make_user(Role.LA_CENSUS, home_la, username="838census")
    result = upload(census, "838PLAS_CTF8384512_001.XML", ctf("838LLLL", "8384512"))
    assert result.transfer.source_mailbox == "PLAS"


def test_a_bad_name_is_refused_saying_which_part(upload, sending_school_user):
    with pytest.raises(ServiceError, match="sequence number 'AB1'") as refused:
        upload(sending_school_user, "8383321_CTF_8384512_AB1.XML", b"<CTfile/>")
    assert refused.value.code == "file_name"


def test_an_unknown_destination_is_refused(upload, sending_school_user):
    with pytest.raises(ServiceError, match="There is no establishment 8389999 on s2s"):
        upload(sending_school_user, "8383321_CTF_8389999_001.XML", ctf("8383321", "8389999"))
    assert not Transfer.objects.exists()


def test_a_header_disagreeing_with_the_name_is_refused(upload, sending_school_user,
                                                     receiving_school, outsider_school):
    with pytest.raises(ServiceError, match="DestSchool is 6812345") as refused:
        upload(sending_school_user, "8383321_CTF_8384512_001.XML", ctf("8383321", "6812345"))
    assert refused.value.code == "name_mismatch"


def test_not_xml_is_refused(upload, sending_school_user, receiving_school):
    with pytest.raises(ServiceError, match="refused"):
        upload(sending_school_user, "8383321_CTF_8384512_001.XML", b"hello, not xml")


def test_warnings_are_kept_and_returned(upload, sending_school_user, receiving_school):
    content = ctf("8383321", "8384512", pupils=1).replace(b"<PostCode>", b"<PostCode>x")
    result = upload(sending_school_user, "8383321_CTF_8384512_001.XML", content)
    codes = [w["code"] for w in result.warnings]
    assert "postcode_malformed" in codes
    assert result.transfer.warnings == result.warnings


def test_a_lost_pupil_file_with_two_pupils_is_refused(upload, sending_school_user):
    with pytest.raises(ServiceError, match="exactly one pupil") as refused:
        upload(sending_school_user, "8383321_CTF_XXXXXXX_001.XML",
               ctf("8383321", "XXXXXXX", pupils=2))
    assert refused.value.code == "lost_pupil_count"


def test_a_lost_pupil_file_with_one_pupil_goes_to_the_lpd(upload, sending_school_user):
    result = upload(sending_school_user, "8383321_CTF_MMMMMMM_001.XML",
                    ctf("8383321", "MMMMMMM", pupils=1))
    assert result.transfer.is_lost_pupil
    assert result.transfer.destination_establishment is None
    assert result.notes == ["The file was sent to the Lost Pupil Database."]


def test_an_identical_file_awaiting_download_is_refused_naming_the_earlier_one(
    upload, sending_school_user, receiving_school
):
    content = ctf("8383321", "8384512")
    upload(sending_school_user, "8383321_CTF_8384512_001.XML", content)
    with pytest.raises(ServiceError, match="identical to 8383321_CTF_8384512_001.XML") as ref:
        upload(sending_school_user, "8383321_CTF_8384512_001.XML", content)
    assert ref.value.code == "duplicate"
    assert Transfer.objects.count() == 1


def test_an_identical_file_already_collected_is_accepted_and_flagged(
    upload, sending_school_user, receiving_school_user
):
    content = ctf("8383321", "8384512")
    first = upload(sending_school_user, "8383321_CTF_8384512_001.XML", content).transfer
    transfer_collect(user=receiving_school_user, transfer=first)
    again = upload(sending_school_user, "8383321_CTF_8384512_002.XML", content)
    assert again.transfer.duplicate_of == first
    assert any(note.startswith("Flagged: this file is identical") for note in again.notes)


def test_an_identical_file_sent_to_a_closed_school_is_found_among_its_successors_files(
    upload, sending_school_user, receiving_school, home_la
):
    # The school's read looks for identical files held for the code read: for a closed
    # school's successor the check asks again, for the successor.
    Establishment.objects.create(la=home_la, number="4000", name="Old Hardye School",
                                 status=EstablishmentStatus.CLOSED, successor=receiving_school)
    content = ctf("8383321", "8384000")
    first = upload(sending_school_user, "8383321_CTF_8384000_001.XML", content).transfer
    assert first.destination_establishment == receiving_school
    with pytest.raises(ServiceError, match="identical to 8383321_CTF_8384000_001.XML") as ref:
        upload(sending_school_user, "8383321_CTF_8384000_002.XML", content)
    assert ref.value.code == "duplicate"


def test_a_deleted_identical_file_is_no_duplicate_and_the_school_is_read_with_the_check(
    upload, sending_school_user, receiving_school
):
    content = ctf("8383321", "8384512")
    first = upload(sending_school_user, "8383321_CTF_8384512_001.XML", content).transfer
    Transfer.objects.filter(pk=first.pk).update(status=TransferStatus.DELETED)
    reads, inserted = [], []

    def watch(execute, sql, params, many, context):
        inserted.extend(["rows"] if 'INSERT INTO "transfers_transfer"' in sql else [])
        if sql.startswith("SELECT") and '"transfers_transfer"' in sql and not inserted:
            reads.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        again = upload(sending_school_user, "8383321_CTF_8384512_002.XML", content)
    assert again.transfer.duplicate_of is None
    # One read of the transfers before the insert: the school's, with the check inside it.
    [read] = reads
    assert '"directory_establishment"' in read


def test_an_identical_census_return_awaiting_at_the_la_is_refused_and_a_school_file_is_not(
    upload, sending_school_user, receiving_school
):
    # Two shapes of destination (an LA mailbox; a school), each checked against its own files.
    census = b'<?xml version="1.0"?><Message><Header/></Message>'
    upload(sending_school_user, "8383321_PLAS_838LLLL_001.XML", census)
    upload(sending_school_user, "8383321_CTF_8384512_001.XML", ctf("8383321", "8384512"))
    with pytest.raises(ServiceError, match="identical to 8383321_PLAS_838LLLL_001.XML"):
        upload(sending_school_user, "8383321_PLAS_838LLLL_002.XML", census)
    other = upload(sending_school_user, "8383321_CTF_8384512_002.XML",
                   ctf("8383321", "8384512", pupils=3))
    assert other.transfer.duplicate_of is None
    assert Transfer.objects.count() == 3


def test_census_file_to_the_la_goes_to_its_plas_mailbox(upload, sending_school_user):
    result = upload(sending_school_user, "8383321_PLAS_838LLLL_001.XML",
                    b'<?xml version="1.0"?><Message><Header/></Message>')
    assert result.transfer.destination_mailbox == "PLAS"
    assert result.transfer.pupil_count == 0


def test_a_census_file_with_a_dtd_is_refused(upload, sending_school_user):
    content = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Message>&a;</Message>'
    with pytest.raises(ServiceError, match="document type declaration"):
        upload(sending_school_user, "8383321_PLAS_838PLAS_001.XML", content)


def test_an_la_dba_cannot_send_generic_zips(upload, la_dba):
    with pytest.raises(ServiceError, match="cannot send generic zip files"):
        upload(la_dba, "838LLLL_8384512_notes.ZIP", b"PK")


def test_a_failure_after_the_storage_write_leaves_no_file_and_no_row(
    monkeypatch, sending_school_user, receiving_school, file_store
):
    def fail(*args, **kwargs):
        raise IntegrityError("injected after the storage write and the rows")

    # The transaction's last step: the object is stored and every row written by then.
    monkeypatch.setattr(upload_module, "transfer_notify_queue", fail)
    with pytest.raises(IntegrityError):
        transfer_upload(user=sending_school_user, name="8383321_CTF_8384512_001.XML",
                        content=io.BytesIO(ctf("8383321", "8384512")))
    assert not Transfer.objects.exists()
    assert not TransferPupil.objects.exists()
    assert not StoredFile.objects.exists()
    assert stored_objects(file_store) == []
