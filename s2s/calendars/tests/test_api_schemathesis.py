"""schemathesis against the calendar operations, with an LA officer's token.

Generated calendars, years and codes (half of them the officer's own school and LA): no 5xx,
answers as documented.
"""

import pytest
from hypothesis import strategies as st

from s2s.accounts.models import ApiToken
from s2s.api.tests.test_schemathesis import app, documented_answers, schema  # noqa: F401

OPERATIONS = [
    ("GET", "/api/v1/schools/{code}/calendar", {"code": "8383321"}),
    ("PUT", "/api/v1/schools/{code}/calendar", {"code": "8383321"}),
    ("GET", "/api/v1/las/{number}/calendar", {"number": "838"}),
    ("PUT", "/api/v1/las/{number}/calendar", {"number": "838"}),
]


@pytest.fixture
def token(la_calendar_setter, home_la, sending_school, set_calendar):
    set_calendar(home_la)
    set_calendar(sending_school)
    return ApiToken.issue(la_calendar_setter)[1]


@pytest.mark.parametrize(("method", "path", "own"), OPERATIONS)
def test_generated_calendar_requests_get_documented_answers(schema, token, method,  # noqa: F811
                                                           path, own):
    operation = schema[path][method]
    seen = documented_answers(
        st.one_of(operation.as_strategy(), operation.as_strategy(path_parameters=own)), token)
    assert seen - {401, 404}, f"every request was refused before the endpoint: {seen}"
