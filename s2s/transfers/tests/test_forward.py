"""The LA forwards a file not collected to another school (seed 003, 5.3 and 1.5)."""

import pytest
from django.http import Http404
from django.urls import reverse

from s2s.audit.models import AuditEvent
from s2s.core.errors import ServiceError
from s2s.ctf.reader import read_ctf, read_header
from s2s.directory.models import Establishment, EstablishmentStatus
from s2s.transfers.models import Transfer, TransferStatus
from s2s.transfers.services.forward import stored_content, transfer_forward
from s2s.transfers.tests.conftest import stored_objects
from s2s.transfers.tests.la_files import send


@pytest.fixture
def third_school(home_la):
    return Establishment.objects.create(la=home_la, number="5000", name="Budmouth Academy",
                                        urn="138385000")


@pytest.fixture
def waiting(sending_school_user, receiving_school):
    """A two-pupil CTF from 8383321 awaiting collection at 8384512."""
    return send(sending_school_user, "8383321", "8384512", sequence=7)


def test_the_la_forwards_a_file_to_another_school_changing_only_its_destination(
    waiting, la_officer, third_school, file_store, django_capture_on_commit_callbacks
):
    before = stored_content(waiting)
    upns = sorted(waiting.pupils.values_list("upn", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        new = transfer_forward(user=la_officer, transfer=waiting, to="8385000")
    assert new.name == "838LLLL_CTF8385000_007.XML"
    assert new.source_code == "838LLLL"
    assert new.destination_establishment == third_school
    assert new.status == TransferStatus.AWAITING
    assert sorted(new.pupils.values_list("upn", flat=True)) == upns
    after = stored_content(new)
    header = read_header(source=after)
    assert (header.destination_la, header.destination_establishment) == ("838", "5000")
    assert (header.source_la, header.source_establishment) == ("838", "3321")
    assert [p.upn for p in read_ctf(source=after).pupils] == [
        p.upn for p in read_ctf(source=before).pupils]
    assert after[after.index(b"</Header>"):] == before[before.index(b"</Header>"):]
    waiting.refresh_from_db()
    assert waiting.status == TransferStatus.DELETED
    assert waiting.delete_reason == "Forwarded to 8385000 as 838LLLL_CTF8385000_007.XML"
    assert waiting.stored_file is None
    assert len(stored_objects(file_store)) == 1  # the old file's object went at commit
    event = AuditEvent.objects.get(action="transfer_forward")
    assert event.object_id == str(new.pk)
    assert sorted(event.detail["upns"]) == upns
    assert event.detail["from_transfer"] == waiting.pk


def test_a_file_forwarded_to_a_closed_school_goes_to_its_successor(
    waiting, la_officer, third_school, home_la
):
    closed = Establishment.objects.create(la=home_la, number="6000", name="Old School",
                                          status=EstablishmentStatus.CLOSED,
                                          successor=third_school)
    new = transfer_forward(user=la_officer, transfer=waiting, to=closed.code)
    assert new.name == "838LLLL_CTF8386000_007.XML"
    assert new.destination_establishment == third_school
    assert new.redirected_from == closed


def test_a_file_from_the_la_mailbox_can_be_forwarded_again_when_a_pupil_changes_school(
    la_officer, sending_school_user, receiving_school, third_school
):
    at_mailbox = send(sending_school_user, "8383321", "838LLLL", sequence=3)
    first = transfer_forward(user=la_officer, transfer=at_mailbox, to="8384512")
    second = transfer_forward(user=la_officer, transfer=first, to="8385000")
    assert second.name == "838LLLL_CTF8385000_003.XML"
    assert Transfer.objects.filter(status=TransferStatus.AWAITING).get() == second


def test_forwarding_is_refused_for_bad_destinations_and_collected_files(
    waiting, la_officer, third_school
):
    for to, code in (("XXXXXXX", "not_a_school"), ("838LLLL", "not_a_school"),
                     ("8384512", "same_destination"), ("8389999", "unknown_destination")):
        with pytest.raises(ServiceError) as refused:
            transfer_forward(user=la_officer, transfer=waiting, to=to)
        assert refused.value.code == code
    Transfer.objects.filter(pk=waiting.pk).update(status=TransferStatus.COLLECTED)
    with pytest.raises(ServiceError) as refused:
        transfer_forward(user=la_officer, transfer=waiting, to="8385000")
    assert refused.value.code == "not_awaiting"
    assert Transfer.objects.count() == 1


def test_only_the_las_ctf_people_may_forward(waiting, other_la_officer, lost_pupil_officer,
                                             receiving_school_user, third_school):
    for user in (other_la_officer, lost_pupil_officer, receiving_school_user):
        with pytest.raises(Http404):
            transfer_forward(user=user, transfer=waiting, to="8385000")


def test_the_forward_page_sends_the_file_on(waiting, la_officer, third_school, client):
    client.force_login(la_officer)
    url = reverse("transfers:la-forward", kwargs={"pk": waiting.pk})
    assert waiting.name in client.get(url).content.decode()
    response = client.post(url, {"to": "XXXXXXX"})
    assert response.status_code == 200
    assert "7-digit establishment number" in response.content.decode()
    response = client.post(url, {"to": "8385000"})
    assert response.status_code == 302
    assert response.url == reverse("transfers:la-not-collected")
    assert Transfer.objects.filter(name="838LLLL_CTF8385000_007.XML").exists()
