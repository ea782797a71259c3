"""schemathesis against the reports operation of the OpenAPI document, with an LA officer's token.

Generated names and dates: no 5xx, answers as documented; the real report names get CSVs.
"""

import pytest
from hypothesis import strategies as st

from s2s.accounts.models import ApiToken
from s2s.api.tests.test_schemathesis import app, documented_answers, schema  # noqa: F401
from s2s.reports.registry import REPORTS

PATH = "/api/v1/reports/{name}.csv"


@pytest.fixture
def token(data, la_officer):
    return ApiToken.issue(la_officer)[1]


def test_generated_report_requests_get_documented_answers(schema, token):  # noqa: F811
    operation = schema[PATH]["GET"]
    names = [operation.as_strategy(path_parameters={"name": name}) for name in REPORTS]
    seen = documented_answers(st.one_of(operation.as_strategy(), *names), token)
    assert 200 in seen
