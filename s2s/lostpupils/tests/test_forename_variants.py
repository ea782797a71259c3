"""Forename variants the search finds since issue 15: other languages' spellings, nicknames,
and a forename given in the surname's place (names swapped). Each with and without a DOB, so
both the database's narrowing (names alone) and the scoring (a DOB-anchored search) find it.
"""

from datetime import date

import pytest

from s2s.lostpupils.search import Criteria, search_records
from s2s.lostpupils.tests.conftest import send_lost

DOB = date(2012, 3, 1)

# (the forename a school sent, the forename an LA searches by): each must find the other.
VARIANTS = [
    ("Wiktoria", "Victoria"), ("Siddique", "Siddiqi"), ("Mohammed", "Muhammad"),
    ("Mohammed", "Mohamed"), ("Muhammad", "Mohamed"), ("Kate", "Katie"),
    ("Kate", "Catherine"), ("Katie", "Catherine"),
]


def _found(criteria: Criteria) -> dict[int, str]:
    return {hit.id: hit.reason for hit in search_records(criteria).object_list}


@pytest.mark.parametrize(("sent", "searched"), VARIANTS)
def test_a_forename_is_found_by_its_other_spellings_and_nicknames_either_way(
        sending_school_user, sent, searched):
    one = send_lost(sending_school_user, "8383321", surname="Nowak", forename=sent,
                    dob=DOB.isoformat()).lost_pupil
    other = send_lost(sending_school_user, "8383321", surname="Nowak", forename=searched,
                      dob=DOB.isoformat()).lost_pupil
    for record, name in ((one, searched), (other, sent)):
        for criteria in (Criteria(surname="Nowak", forename=name),
                         Criteria(surname="Nowak", forename=name, dob=DOB),
                         Criteria(forename=name, dob=DOB)):
            assert record.pk in _found(criteria), (name, criteria)


def test_a_nickname_is_told_as_a_nickname(sending_school_user):
    record = send_lost(sending_school_user, "8383321", surname="Evans", forename="Catherine",
                       dob=DOB.isoformat()).lost_pupil
    found = _found(Criteria(surname="Evans", forename="Kate", dob=DOB))
    assert found[record.pk] == "Surname exact, forename is a nickname of the search, DOB exact"


def test_a_spelling_from_another_language_is_told_as_such(sending_school_user):
    record = send_lost(sending_school_user, "8383321", surname="Nowak", forename="Wiktoria",
                       dob=DOB.isoformat()).lost_pupil
    found = _found(Criteria(surname="Nowak", forename="Victoria", dob=DOB))
    assert found[record.pk] == (
        "Surname exact, forename is another spelling of the search, DOB exact")


@pytest.mark.parametrize("dob", [None, DOB])
def test_names_given_the_other_way_round_are_found_and_said_swapped(sending_school_user, dob):
    record = send_lost(sending_school_user, "8383321", surname="Ahmed", forename="Fatima",
                       dob=DOB.isoformat()).lost_pupil
    found = _found(Criteria(surname="Fatima", forename="Ahmed", dob=dob))
    assert found[record.pk].endswith("surname and forename swapped")


def test_an_unrelated_forename_is_still_not_found(sending_school_user):
    send_lost(sending_school_user, "8383321", surname="Nowak", forename="Wiktoria",
              dob=DOB.isoformat())
    assert _found(Criteria(surname="Nowak", forename="Agnieszka", dob=DOB)) == {}
