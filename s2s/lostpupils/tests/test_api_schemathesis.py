"""schemathesis against the lost-pupil operations, with a lost pupil transfer officer's token.

Generated search criteria and forward requests: no 5xx, answers as documented.
"""

import pytest

from s2s.accounts.models import ApiToken
from s2s.accounts.roles import Role
from s2s.api.tests.test_schemathesis import app, documented_answers, schema  # noqa: F401

OPERATIONS = [
    ("GET", "/api/v1/lost-pupils"),
    ("POST", "/api/v1/lost-pupils/{record_id}/forward"),
]


@pytest.fixture
def token(make_user, home_la):
    return ApiToken.issue(make_user(Role.LA_LOST_PUPIL_TRANSFER, home_la, username="lpt"))[1]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_generated_lost_pupil_requests_get_documented_answers(schema, token, method,  # noqa: F811
                                                              path):
    operation = schema[path][method]
    seen = documented_answers(operation.as_strategy(), token)
    assert seen, "no request reached the endpoint"
    assert max(seen) < 500
