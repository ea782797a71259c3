import io
import zipfile
from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from s2s.audit.models import AuditEvent
from s2s.core.errors import ServiceError
from s2s.transfers.models import Transfer, TransferStatus
from s2s.transfers.services import (
    transfer_collect,
    transfer_delete,
    transfer_open_for_download,
    transfer_reject,
    transfers_zip_stream,
)
from s2s.transfers.tests.conftest import stored_objects
from s2s.transfers.tests.ctfs import ctf, ctf_upns, zip_of


@pytest.fixture
def sent(upload, sending_school_user, receiving_school):
    content = ctf("8383321", "8384512", pupils=2)
    return upload(sending_school_user, "8383321_CTF_8384512_001.XML", content).transfer, content


def _download(user, transfer):
    name, chunks = transfer_open_for_download(user=user, transfer=transfer)
    return name, b"".join(chunks)


def test_the_destination_downloads_the_exact_bytes_and_it_is_audited(
    sent, receiving_school_user
):
    transfer, content = sent
    assert _download(receiving_school_user, transfer) == (transfer.name, content)
    _download(receiving_school_user, transfer)
    transfer.refresh_from_db()
    assert transfer.download_count == 2
    assert transfer.first_downloaded_at <= transfer.last_downloaded_at
    actions = list(AuditEvent.objects.filter(action__contains="download")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["transfer_download", "transfer_re_download"]
    event = AuditEvent.objects.filter(action="transfer_download").get()
    assert sorted(event.detail["upns"]) == sorted(ctf_upns(content))


def test_the_sender_and_an_outsider_cannot_download(sent, sending_school_user,
                                                   outsider_school_user):
    transfer, _content = sent
    for user in (sending_school_user, outsider_school_user):
        with pytest.raises(Http404):
            transfer_open_for_download(user=user, transfer=transfer)


def test_a_collected_file_can_be_downloaded_again_within_the_period(
    sent, receiving_school_user, settings
):
    settings.S2S_REDOWNLOAD_DAYS = 28
    transfer, content = sent
    transfer_collect(user=receiving_school_user, transfer=transfer)
    assert _download(receiving_school_user, transfer)[1] == content
    Transfer.objects.filter(pk=transfer.pk).update(
        collected_at=timezone.now() - timedelta(days=29)
    )
    with pytest.raises(ServiceError, match="could be downloaded again for 28 days") as refused:
        transfer_open_for_download(user=receiving_school_user, transfer=transfer)
    assert refused.value.code == "redownload_expired"


def test_a_rejected_file_cannot_be_downloaded_and_keeps_its_reason(sent, receiving_school_user):
    transfer, _content = sent
    with pytest.raises(ServiceError, match="reason"):
        transfer_reject(user=receiving_school_user, transfer=transfer, reason="  ")
    transfer_reject(user=receiving_school_user, transfer=transfer, reason="Not our pupil")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REJECTED
    assert transfer.reject_reason == "Not our pupil"
    with pytest.raises(ServiceError, match="rejected"):
        transfer_open_for_download(user=receiving_school_user, transfer=transfer)


def test_the_sender_deletes_an_uncollected_file_with_its_pupils(
    sent, sending_school_user, receiving_school_user, file_store, django_capture_on_commit_callbacks
):
    transfer, content = sent
    with django_capture_on_commit_callbacks(execute=True):
        transfer_delete(user=sending_school_user, transfer=transfer, reason="Wrong school")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DELETED
    assert transfer.stored_file is None
    assert not transfer.pupils.exists()
    assert stored_objects(file_store) == []
    event = AuditEvent.objects.get(action="transfer_delete")
    assert sorted(event.detail["upns"]) == sorted(ctf_upns(content))
    with pytest.raises(ServiceError, match="deleted"):
        transfer_open_for_download(user=receiving_school_user, transfer=transfer)


def test_the_streamed_zip_holds_exactly_the_chosen_files(
    upload, sending_school_user, receiving_school_user
):
    first = ctf("8383321", "8384512", seed=1)
    second = ctf("8383321", "8384512", seed=2)
    a = upload(sending_school_user, "8383321_CTF_8384512_001.XML", first).transfer
    b = upload(sending_school_user, "8383321_CTF_8384512_002.XML", second).transfer
    upload(sending_school_user, "8383321_CTF_8384512_003.XML", ctf("8383321", "8384512", seed=3))
    name, stream = transfers_zip_stream(user=receiving_school_user, transfers=[a, b])
    assert name.endswith(".zip")
    assert not isinstance(stream, bytes | list)
    pieces = list(stream)
    assert len(pieces) > 1
    archive = zipfile.ZipFile(io.BytesIO(b"".join(pieces)))
    assert archive.namelist() == [a.name, b.name]
    assert archive.read(a.name) == first
    assert archive.read(b.name) == second
    assert Transfer.objects.filter(download_count=1).count() == 2


def test_a_zip_audits_each_file_with_its_upns_and_counts_a_second_zip_as_a_re_download(
    upload, sending_school_user, receiving_school_user
):
    contents = [ctf("8383321", "8384512", pupils=2, seed=n) for n in (1, 2)]
    chosen = [upload(sending_school_user, f"8383321_CTF_8384512_00{n}.XML", content).transfer
              for n, content in enumerate(contents, start=1)]
    for _ in range(2):
        _name, stream = transfers_zip_stream(user=receiving_school_user, transfers=chosen)
        b"".join(stream)
    events = AuditEvent.objects.filter(action__contains="download").order_by("id")
    assert [(e.action, e.object_id) for e in events] == [
        ("transfer_download", str(chosen[0].pk)), ("transfer_download", str(chosen[1].pk)),
        ("transfer_re_download", str(chosen[0].pk)), ("transfer_re_download", str(chosen[1].pk)),
    ]
    for event, content in zip(events[:2], contents, strict=True):
        assert event.detail["how"] == "zip"
        assert sorted(event.detail["upns"]) == sorted(ctf_upns(content))
    assert set(Transfer.objects.values_list("download_count", flat=True)) == {2}


def test_a_zip_with_one_file_out_of_scope_is_404_and_counts_nothing(
    upload, sending_school_user, receiving_school_user, outsider_school
):
    mine = upload(sending_school_user, "8383321_CTF_8384512_001.XML",
                  ctf("8383321", "8384512")).transfer
    theirs = upload(sending_school_user, "8383321_CTF_6812345_001.XML",
                    ctf("8383321", "6812345")).transfer
    with pytest.raises(Http404):
        transfers_zip_stream(user=receiving_school_user, transfers=[mine, theirs])
    assert not Transfer.objects.filter(download_count__gt=0).exists()
    assert not AuditEvent.objects.filter(action__contains="download").exists()


def test_a_generic_zip_is_never_bundled(upload, sending_school_user, receiving_school_user):
    a = upload(sending_school_user, "8383321_CTF_8384512_001.XML", ctf("8383321", "8384512"))
    z = upload(sending_school_user, "8383321_8384512_notes.ZIP", zip_of({"n.txt": b"n"}))
    with pytest.raises(ServiceError, match="generic zip file: download it on its own"):
        transfers_zip_stream(user=receiving_school_user,
                             transfers=[a.transfer, z.transfer])
    assert not Transfer.objects.filter(download_count__gt=0).exists()


def test_a_lost_pupil_file_is_in_the_senders_outbox_only(upload, sending_school_user,
                                                        receiving_school_user):
    from s2s.transfers import selectors

    upload(sending_school_user, "8383321_CTF_XXXXXXX_001.XML",
           ctf("8383321", "XXXXXXX", pupils=1))
    outbox = selectors.transfer_outbox(user=sending_school_user)
    assert [t.destination_code for t in outbox] == ["XXXXXXX"]
    assert not selectors.transfer_inbox(user=sending_school_user).exists()
    assert not selectors.transfer_inbox(user=receiving_school_user).exists()
    with pytest.raises(Http404):
        transfer_open_for_download(user=sending_school_user, transfer=outbox[0])
    with pytest.raises(Http404):
        transfer_delete(user=sending_school_user, transfer=outbox[0], reason="oops")
