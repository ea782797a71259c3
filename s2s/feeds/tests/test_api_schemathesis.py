"""schemathesis against the feeds operations, with a school's MIS connector token.

Generated feeds, lists and report reads: no 5xx, answers as documented.
"""

import pytest

from s2s.accounts.models import ApiToken
from s2s.api.tests.test_schemathesis import app, documented_answers, schema  # noqa: F401
from s2s.feeds.tests.conftest import pupil, send_roll

OPERATIONS = [
    ("POST", "/api/v1/feeds/{kind}"),
    ("GET", "/api/v1/feeds"),
    ("GET", "/api/v1/feeds/{feed_id}"),
]


@pytest.fixture
def token(connector):
    send_roll(connector, [pupil()])
    return ApiToken.issue(connector)[1]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_generated_feed_requests_get_documented_answers(schema, token, method,  # noqa: F811
                                                        path):
    operation = schema[path][method]
    seen = documented_answers(operation.as_strategy(), token)
    assert seen, "no request reached the endpoint"
    assert max(seen) < 500
