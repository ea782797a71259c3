"""Phase transfer: a bulk CTF at the LA mailbox split into one CTF per school (seed 003, 1.5)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from s2s.audit.models import AuditEvent
from s2s.core.errors import ServiceError
from s2s.ctf.reader import read_ctf, read_header
from s2s.directory.models import Establishment, EstablishmentStatus
from s2s.transfers.models import Transfer, TransferStatus
from s2s.transfers.services.forward import stored_content
from s2s.transfers.services.phase import (
    AllocationError,
    allocation_from_csv,
    phase_transfer_split,
)
from s2s.transfers.tests.la_files import send


@pytest.fixture
def third_school(home_la):
    return Establishment.objects.create(la=home_la, number="5000", name="Budmouth Academy",
                                        urn="138385000")


@pytest.fixture
def bulk(sending_school_user, home_la):
    """A five-pupil CTF from 8383321 (a primary) awaiting at 838LLLL."""
    return send(sending_school_user, "8383321", "838LLLL", sequence=12, pupils=5)


def _upns(transfer):
    return [p.upn for p in transfer.pupils.order_by("position")]


def _pupils_in(transfer) -> list[str]:
    return [p.upn for p in read_ctf(source=stored_content(transfer)).pupils]


def test_each_school_receives_a_ctf_holding_exactly_its_pupils(
    bulk, la_officer, receiving_school, third_school
):
    upns = _upns(bulk)
    allocation = {upns[0]: "8384512", upns[1]: "8385000", upns[2]: "8384512",
                  upns[3]: "8385000"}
    result = phase_transfer_split(user=la_officer, transfer=bulk, allocation=allocation)
    assert [(d.name, d.destination, d.pupils) for d in result.delivered] == [
        ("838LLLL_CTF8384512_012.XML", "8384512", 2),
        ("838LLLL_CTF8385000_012.XML", "8385000", 2),
    ]
    to_4512 = Transfer.objects.get(name="838LLLL_CTF8384512_012.XML")
    to_5000 = Transfer.objects.get(name="838LLLL_CTF8385000_012.XML")
    assert to_4512.destination_establishment == receiving_school
    assert to_4512.source_code == "838LLLL"
    assert _pupils_in(to_4512) == [upns[0], upns[2]]
    assert _pupils_in(to_5000) == [upns[1], upns[3]]
    assert _upns(to_4512) == [upns[0], upns[2]]
    header = read_header(source=stored_content(to_5000))
    assert (header.destination_la, header.destination_establishment) == ("838", "5000")
    assert [(p.upn, p.reason) for p in result.unplaced] == [
        (upns[4], "No destination school was given for this UPN.")]
    bulk.refresh_from_db()
    assert bulk.status == TransferStatus.AWAITING  # a pupil is still to place
    assert not result.collected
    event = AuditEvent.objects.get(action="transfer_phase_split")
    assert event.detail["upns"] == upns[:4]
    assert event.detail["not_placed"] == [upns[4]]


def test_when_every_pupil_is_placed_the_bulk_file_is_collected(
    bulk, la_officer, receiving_school
):
    allocation = dict.fromkeys(_upns(bulk), "8384512")
    result = phase_transfer_split(user=la_officer, transfer=bulk, allocation=allocation)
    assert result.unplaced == []
    assert result.collected
    bulk.refresh_from_db()
    assert bulk.status == TransferStatus.COLLECTED
    assert len(_pupils_in(Transfer.objects.get(name="838LLLL_CTF8384512_012.XML"))) == 5


def test_a_refused_schools_file_leaves_its_pupils_unplaced_and_the_others_sent(
    bulk, la_officer, receiving_school, home_la
):
    closed = Establishment.objects.create(la=home_la, number="6000", name="Old School",
                                          status=EstablishmentStatus.CLOSED)
    upns = _upns(bulk)
    allocation = {upns[0]: "8384512", upns[1]: closed.code}
    result = phase_transfer_split(user=la_officer, transfer=bulk, allocation=allocation)
    assert [d.destination for d in result.delivered] == ["8384512"]
    assert [(r.destination, r.pupils) for r in result.refused] == [("8386000", 1)]
    assert "closed and has no open successor" in result.refused[0].message
    unplaced = {p.upn: p.reason for p in result.unplaced}
    assert set(unplaced) == set(upns[1:])
    assert "closed and has no open successor" in unplaced[upns[1]]


def test_a_split_to_a_closed_school_goes_to_its_successor(
    bulk, la_officer, third_school, home_la
):
    closed = Establishment.objects.create(la=home_la, number="6000", name="Old School",
                                          status=EstablishmentStatus.CLOSED,
                                          successor=third_school)
    result = phase_transfer_split(user=la_officer, transfer=bulk,
                                  allocation={_upns(bulk)[0]: closed.code})
    sent = Transfer.objects.get(pk=result.delivered[0].transfer_id)
    assert sent.destination_establishment == third_school
    assert sent.redirected_from == closed


def test_only_a_ctf_at_the_users_own_llll_mailbox_can_be_split(
    bulk, other_la_officer, lost_pupil_officer, la_officer, sending_school_user,
    receiving_school
):
    allocation = {_upns(bulk)[0]: "8384512"}
    for user in (other_la_officer, lost_pupil_officer, sending_school_user):
        with pytest.raises(Http404):
            phase_transfer_split(user=user, transfer=bulk, allocation=allocation)
    at_school = send(sending_school_user, "8383321", "8384512")
    with pytest.raises(Http404):
        phase_transfer_split(user=la_officer, transfer=at_school,
                             allocation={_upns(at_school)[0]: "8384512"})


def test_an_allocation_to_anything_but_a_school_is_refused(bulk, la_officer):
    with pytest.raises(ServiceError) as refused:
        phase_transfer_split(user=la_officer, transfer=bulk,
                             allocation={_upns(bulk)[0]: "XXXXXXX"})
    assert refused.value.code == "bad_allocation"
    with pytest.raises(ServiceError):
        phase_transfer_split(user=la_officer, transfer=bulk, allocation={})
    assert Transfer.objects.count() == 1


# --- the allocation CSV ------------------------------------------------------------------


def test_a_csv_with_a_heading_and_blank_lines_gives_the_allocation(
    bulk, receiving_school, third_school
):
    upns = _upns(bulk)
    text = f"UPN,Destination\n{upns[0]},8384512\n\n{upns[1].lower()} , 8385000\n"
    assert allocation_from_csv(content=text.encode("utf-8-sig"), upns=upns) == {
        upns[0]: "8384512", upns[1]: "8385000"}


def test_bad_csv_rows_are_reported_with_their_line_numbers(bulk, receiving_school):
    upns = _upns(bulk)
    text = "\n".join([
        "UPN,Destination",
        f"{upns[0]},8384512",
        "A12,8384512",
        f"{upns[1]},8389999",
        "H801200001001,8384512",
        f"{upns[2]}",
        f"{upns[3]},83845",
        f"{upns[0]},8383321",
    ]).encode()
    with pytest.raises(AllocationError) as refused:
        allocation_from_csv(content=text, upns=upns)
    assert refused.value.problems == [
        "Line 3: A12 is not a UPN (13 letters and digits).",
        "Line 4: there is no establishment 8389999 on s2s.",
        "Line 5: UPN H801200001001 is not in this file.",
        "Line 6: give a UPN and a destination establishment number, separated by a comma.",
        "Line 7: 83845 is not an establishment number (7 digits, for example 8384512).",
        f"Line 8: UPN {upns[0]} is already allocated to 8384512 on line 2.",
    ]


def test_the_page_shows_csv_errors_by_line_and_sends_nothing(
    bulk, la_officer, receiving_school, client
):
    client.force_login(la_officer)
    url = reverse("transfers:phase-transfer", kwargs={"pk": bulk.pk})
    upload = SimpleUploadedFile("allocation.csv", f"{_upns(bulk)[0]},8384512\nA12,8384512\n"
                                .encode(), content_type="text/csv")
    response = client.post(url, {"how": "csv", "allocation": upload})
    assert response.status_code == 200
    assert "Line 2: A12 is not a UPN" in response.content.decode()
    assert Transfer.objects.count() == 1


def test_the_page_splits_by_csv_and_reports_the_pupils_not_placed(
    bulk, la_officer, receiving_school, client
):
    client.force_login(la_officer)
    url = reverse("transfers:phase-transfer", kwargs={"pk": bulk.pk})
    page = client.get(url).content.decode()
    pupils = list(bulk.pupils.order_by("position"))
    assert all(p.upn in page and p.surname in page for p in pupils)
    viewed = AuditEvent.objects.get(action="transfer_pupils_view")
    assert viewed.detail["upns"] == _upns(bulk)
    upload = SimpleUploadedFile("allocation.csv", f"{pupils[0].upn},8384512\n".encode())
    response = client.post(url, {"how": "csv", "allocation": upload})
    assert response.status_code == 302
    results = client.get(response.url)
    assert results.status_code == 200
    text = results.content.decode()
    assert "838LLLL_CTF8384512_012.XML" in text
    assert "4 pupils not placed" in text
    assert all(p.upn in text for p in pupils[1:])


def test_the_page_splits_by_school_picked_per_pupil(
    bulk, la_officer, receiving_school, third_school, client
):
    client.force_login(la_officer)
    url = reverse("transfers:phase-transfer", kwargs={"pk": bulk.pk})
    pupils = list(bulk.pupils.order_by("position"))
    picked = {"how": "pick", f"dest_{pupils[0].position}": "8385000",
              f"dest_{pupils[1].position}": "8384512", f"dest_{pupils[2].position}": "8385000"}
    response = client.post(url, picked)
    assert response.status_code == 302
    to_5000 = Transfer.objects.get(name="838LLLL_CTF8385000_012.XML")
    assert _pupils_in(to_5000) == [pupils[0].upn, pupils[2].upn]
    assert _pupils_in(Transfer.objects.get(name="838LLLL_CTF8384512_012.XML")) == [
        pupils[1].upn]
    response = client.post(url, {"how": "pick"})
    assert "Choose a destination school for at least one pupil" in response.content.decode()
