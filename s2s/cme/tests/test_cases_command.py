"""`s2s cme_cases overdue`: open and overdue cases by LA, case numbers only."""

from datetime import date, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from s2s.accounts.roles import Role
from s2s.cme.cases import case_open
from s2s.cme.models import Case
from s2s.ctf.identifiers import make_upn


def run(*args) -> str:
    out = StringIO()
    call_command("cme_cases", "overdue", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def cases(make_user, home_la, other_la):
    """LA 838: one case referred long ago (overdue), one today; LA 681: one today."""
    made = []
    for la, serial in ((home_la, 1), (home_la, 2), (other_la, 3)):
        officer = make_user(Role.LA_CME, la, username=f"cme{serial}")
        made.append(case_open(user=officer, upn=make_upn(la="838", establishment="4512",
                                                         year=19, serial=serial),
                              surname="Jones", forename="Cara", dob=date(2015, 3, 1)))
    Case.objects.filter(pk=made[0].pk).update(
        state_since=timezone.make_aware(datetime(2025, 10, 1, 9)))
    return made


def test_it_prints_each_las_open_and_overdue_cases(cases):
    assert run() == (f"681: 1 open, 0 overdue\n838: 2 open, 1 overdue: {cases[0].pk}\n")


def test_one_la(cases):
    assert run("--la", "681") == "681: 1 open, 0 overdue\n"


def test_an_unknown_la_is_refused(cases):
    with pytest.raises(CommandError, match="999: no such LA"):
        run("--la", "999")
