"""Partnership fixtures: a signed partnership of three members, a pupil linked at two of them.

8383321 (Stickland's, LA 838) is the pupil's main institution, 8384512 (Thomas Hardye, LA
838) teaches it BTEC Engineering as a subsidiary, 6812345 (Llanwern, LA 681, Wales) is a
member the pupil is not linked to, and 8389999 (Dorset Studio School) is no member at all.
The agreement shares attendance, punctuality and assessment, never behaviour.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from s2s.accounts.roles import Role
from s2s.ctf.identifiers import make_upn
from s2s.directory.models import Establishment
from s2s.partnerships.models import Partnership
from s2s.partnerships.records import records_push
from s2s.partnerships.services import partnership_create, partnership_sign, pupil_link
from s2s.transfers.tests.conftest import file_store, master_key  # noqa: F401 (autouse)

UPN = make_upn(la="838", establishment="3321", year=20, serial=1)
OTHER_UPN = make_upn(la="838", establishment="3321", year=20, serial=2)
LINKED_FROM = date(2026, 11, 2)
MONDAY = date(2026, 11, 30)
KINDS = ["attendance", "punctuality", "assessment"]


@pytest.fixture
def main_user(sending_school_user):
    return sending_school_user


@pytest.fixture
def partner_user(receiving_school_user):
    return receiving_school_user


@pytest.fixture
def member_not_teaching(outsider_school_user):
    """A member's school user (6812345) to whom the pupil is not linked."""
    return outsider_school_user


@pytest.fixture
def partner_connector(make_user, receiving_school):
    return make_user(Role.CONNECTOR, receiving_school, username="8384512-mis")


@pytest.fixture
def non_member_user(make_user, home_la):
    school = Establishment.objects.create(la=home_la, number="9999", name="Dorset Studio School",
                                          email="office9999@school.example.sch.uk")
    return make_user(Role.SCHOOL, school, username="8389999")


def create(user, *, kinds=KINDS, members=("8384512", "6812345"), review_days=90):
    return partnership_create(
        user=user, name="Dorchester 14-19 Partnership", members=list(members),
        purpose="Keep track of pupils taught at more than one institution", kinds=kinds,
        lawful_basis="UK GDPR 6(1)(e) public task", retention_days=365,
        review_date=timezone.localdate() + timedelta(days=review_days))


@pytest.fixture
def unsigned(main_user, receiving_school, outsider_school):
    return create(main_user)


def signed(partnership: Partnership, *users) -> Partnership:
    """Sign the partnership as each of these users, and return it as it now is."""
    for user in users:
        partnership_sign(user=user, partnership_id=partnership.pk)
    partnership.refresh_from_db()
    return partnership


@pytest.fixture
def partnership(unsigned, main_user, partner_user, member_not_teaching) -> Partnership:
    return signed(unsigned, main_user, partner_user, member_not_teaching)


def link(user, partnership: Partnership):
    """Link UPN at its main (8383321) and, from 2 November, at 8384512 for BTEC Engineering."""
    return pupil_link(user=user, partnership_id=partnership.pk, upn=UPN, main="8383321",
                      links=[{"school": "8384512", "role": "subsidiary",
                              "courses": ["BTEC Engineering"], "linked_from": LINKED_FROM}])


@pytest.fixture
def linked(partnership, main_user):
    """UPN at its main (8383321) and, from 2 November, at 8384512 for BTEC Engineering."""
    return link(main_user, partnership)


def push(user, partnership, *items):
    return records_push(user=user, partnership_id=partnership.pk, items=list(items))


def mark(day=MONDAY, session="AM", code="/", upn=UPN, **extra):
    return {"upn": upn, "kind": "attendance", "date": day, "session": session, "code": code,
            **extra}


def result(day=MONDAY, upn=UPN):
    return {"upn": upn, "kind": "assessment", "date": day, "subject": "Engineering",
            "aspect": "Unit 1", "result": "Merit"}
