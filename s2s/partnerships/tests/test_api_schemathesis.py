"""schemathesis against the partnership operations, with the main institution's token.

Generated requests, half about the signed partnership and its linked pupil: no 5xx, answers
as documented.
"""

import pytest
from hypothesis import strategies as st

from s2s.accounts.models import ApiToken
from s2s.api.tests.test_schemathesis import app, documented_answers, schema  # noqa: F401
from s2s.partnerships.tests.conftest import UPN, mark, push

OPERATIONS = [
    ("POST", "/api/v1/partnerships"),
    ("GET", "/api/v1/partnerships"),
    ("GET", "/api/v1/partnerships/{partnership_id}"),
    ("POST", "/api/v1/partnerships/{partnership_id}/sign"),
    ("POST", "/api/v1/partnerships/{partnership_id}/renew"),
    ("POST", "/api/v1/partnerships/{partnership_id}/end"),
    ("POST", "/api/v1/partnerships/{partnership_id}/pupils"),
    ("POST", "/api/v1/partnerships/{partnership_id}/pupils/{upn}/objection"),
    ("POST", "/api/v1/partnerships/{partnership_id}/records"),
    ("GET", "/api/v1/partnerships/{partnership_id}/pupils/{upn}"),
    ("GET", "/api/v1/partnerships/{partnership_id}/changes"),
]


@pytest.fixture
def world(partnership, linked, main_user):
    push(main_user, partnership, mark())
    return {"token": ApiToken.issue(main_user)[1], "id": partnership.pk}


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_generated_partnership_requests_get_documented_answers(schema, world,  # noqa: F811
                                                               method, path):
    operation = schema[path][method]
    known = {}
    if "{partnership_id}" in path:
        known["partnership_id"] = world["id"]
    if "{upn}" in path:
        known["upn"] = UPN
    strategy = operation.as_strategy()
    if known:
        strategy = st.one_of(strategy, operation.as_strategy(path_parameters=known))
    seen = documented_answers(strategy, world["token"])
    assert seen, "no request reached the endpoint"
    assert max(seen) < 500
