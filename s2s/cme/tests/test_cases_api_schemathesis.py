"""schemathesis against the CME case operations, with an LA CME officer's token.

Generated lists, openings, reads and actions over a case and a signal of the officer's LA: no
5xx, answers as documented.
"""

from datetime import date

import pytest

from s2s.accounts.models import ApiToken
from s2s.accounts.roles import Role
from s2s.api.tests.test_schemathesis import app, documented_answers, schema  # noqa: F401
from s2s.cme.cases import case_open
from s2s.cme.models import Signal
from s2s.cme.tests.conftest import UPN_1

OPERATIONS = [
    ("GET", "/api/v1/cme/cases"),
    ("POST", "/api/v1/cme/cases"),
    ("GET", "/api/v1/cme/cases/{case_id}"),
    ("POST", "/api/v1/cme/cases/{case_id}/events"),
]


@pytest.fixture
def token(make_user, home_la, sending_school):
    officer = make_user(Role.LA_CME, home_la, username="838cme")
    Signal.objects.create(kind="absence_10_days", establishment=sending_school, upn=UPN_1,
                          surname="Smith", forename="Amy", dob=date(2016, 10, 15),
                          first_day=date(2025, 10, 20), fired_on=date(2025, 11, 7))
    case_open(user=officer, upn=UPN_1, surname="Smith", forename="Amy", dob=date(2016, 10, 15))
    return ApiToken.issue(officer)[1]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_generated_case_requests_get_documented_answers(schema, token, method,  # noqa: F811
                                                        path):
    operation = schema[path][method]
    seen = documented_answers(operation.as_strategy(), token)
    assert seen, "no request reached the endpoint"
    assert max(seen) < 500
