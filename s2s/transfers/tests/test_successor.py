import pytest

from s2s.core.errors import ServiceError
from s2s.directory.models import Establishment, EstablishmentStatus
from s2s.transfers.tests.ctfs import ctf


def _close(school, successor=None):
    school.status = EstablishmentStatus.CLOSED
    school.successor = successor
    school.save()


@pytest.fixture
def academy(home_la):
    return Establishment.objects.create(la=home_la, number="4513", name="Hardye Academy")


@pytest.fixture
def trust_school(home_la):
    return Establishment.objects.create(la=home_la, number="4514", name="Hardye Trust School")


def test_a_file_for_a_closed_school_goes_to_its_successor_and_the_sender_is_told(
    upload, sending_school_user, receiving_school, academy
):
    _close(receiving_school, academy)
    result = upload(sending_school_user, "8383321_CTF_8384512_001.XML", ctf("8383321", "8384512"))
    assert result.transfer.destination_establishment == academy
    assert result.transfer.redirected_from == receiving_school
    assert result.transfer.destination_code == "8384512"
    assert result.notes == [
        "8384512 Thomas Hardye School is closed: the file was delivered to its successor, "
        "8384513 Hardye Academy."
    ]


def test_the_chain_of_successors_is_followed(upload, sending_school_user, receiving_school,
                                             academy, trust_school):
    _close(receiving_school, academy)
    _close(academy, trust_school)
    result = upload(sending_school_user, "8383321_CTF_8384512_001.XML", ctf("8383321", "8384512"))
    assert result.transfer.destination_establishment == trust_school


def test_a_closed_school_without_a_successor_is_refused(upload, sending_school_user,
                                                       receiving_school):
    _close(receiving_school)
    with pytest.raises(ServiceError, match="is closed and has no open successor") as refused:
        upload(sending_school_user, "8383321_CTF_8384512_001.XML", ctf("8383321", "8384512"))
    assert refused.value.code == "closed_destination"


def test_a_school_not_active_on_the_hub_is_refused(upload, sending_school_user, receiving_school):
    receiving_school.active = False
    receiving_school.save()
    with pytest.raises(ServiceError, match="does not use s2s"):
        upload(sending_school_user, "8383321_CTF_8384512_001.XML", ctf("8383321", "8384512"))


def test_the_successor_receives_it_and_the_closed_school_does_not(
    upload, make_user, sending_school_user, receiving_school, receiving_school_user, academy
):
    from s2s.accounts.roles import Role
    from s2s.transfers import selectors

    _close(receiving_school, academy)
    upload(sending_school_user, "8383321_CTF_8384512_001.XML", ctf("8383321", "8384512"))
    academy_user = make_user(Role.SCHOOL, academy, username="8384513")
    assert selectors.transfer_inbox(user=academy_user).count() == 1
    assert selectors.transfer_inbox(user=receiving_school_user).count() == 0
