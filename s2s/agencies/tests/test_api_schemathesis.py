"""schemathesis against the Operation Encompass API: the police's token, then the school's.

Generated requests over a notification sent to the school: no 5xx, answers as documented.
"""

from datetime import date

import pytest

from s2s.accounts.models import ApiToken
from s2s.accounts.roles import Role
from s2s.agencies.encompass import encompass_send
from s2s.api.tests.test_schemathesis import app, documented_answers, schema  # noqa: F401


@pytest.fixture
def sent(officer, police, agreement, sending_school):
    agreement(police, "out", "8383321")
    return encompass_send(user=officer, school="8383321", reference="DP/0", surname="Smith",
                          forename="Ann", dob=date(2016, 3, 27), incident_on=date(2026, 1, 1),
                          summary="Police attended.")


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/api/v1/encompass"), ("GET", "/api/v1/encompass"),
    ("GET", "/api/v1/encompass/{notification_id}"),
])
def test_the_police_get_documented_answers(schema, sent, officer, method, path):  # noqa: F811
    operation = schema[path][method]
    strategy = (operation.as_strategy(path_parameters={"notification_id": sent.pk})
                if "{" in path else operation.as_strategy())
    seen = documented_answers(strategy, ApiToken.issue(officer)[1])
    assert seen - {401, 404}
    assert max(seen) < 500


def test_the_school_gets_documented_answers(schema, sent, make_user,  # noqa: F811
                                            sending_school):
    token = ApiToken.issue(make_user(Role.SCHOOL, sending_school, username="8383321"))[1]
    operation = schema["/api/v1/encompass/{notification_id}"]["GET"]
    seen = documented_answers(operation.as_strategy(path_parameters={"notification_id":
                                                                     sent.pk}), token)
    assert 200 in seen
