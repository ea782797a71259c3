"""schemathesis against the CME signals list, with an LA CME officer's token.

Generated filters and pages over a signal of the officer's LA: no 5xx, answers as documented.
"""

from datetime import date

import pytest

from s2s.accounts.models import ApiToken
from s2s.accounts.roles import Role
from s2s.api.tests.test_schemathesis import app, documented_answers, schema  # noqa: F401
from s2s.cme.models import SchoolReturn, Signal
from s2s.cme.tests.conftest import UPN_1


@pytest.fixture
def token(make_user, home_la, sending_school):
    Signal.objects.create(kind="exclusion_day6", establishment=sending_school, upn=UPN_1,
                          surname="Smith", forename="Amy", dob=date(2016, 10, 15),
                          first_day=date(2025, 10, 23), fired_on=date(2025, 11, 6),
                          school_days=2, detail={"category": "permanent"})
    return ApiToken.issue(make_user(Role.LA_CME, home_la, username="838cme"))[1]


def test_generated_signal_lists_get_documented_answers(schema, token):  # noqa: F811
    operation = schema["/api/v1/cme/signals"]["GET"]
    seen = documented_answers(operation.as_strategy(), token)
    assert 200 in seen
    assert max(seen) < 500


@pytest.fixture
def owed(token, sending_school):
    """A return 8383321 owes LA 838."""
    SchoolReturn.objects.create(kind="new_pupil_return_due", establishment=sending_school,
                                upn=UPN_1, surname="Smith", forename="Amy",
                                dob=date(2016, 10, 15), event_date=date(2025, 11, 10),
                                due_on=date(2025, 11, 18))
    return token


def test_generated_return_lists_and_receipts_get_documented_answers(schema, owed):  # noqa: F811
    listed = documented_answers(schema["/api/v1/cme/returns"]["GET"].as_strategy(), owed)
    assert 200 in listed
    received = documented_answers(
        schema["/api/v1/cme/returns/{return_id}/received"]["POST"].as_strategy(), owed)
    assert max(listed | received) < 500
