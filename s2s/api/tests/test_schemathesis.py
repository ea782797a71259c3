"""schemathesis against the API's own OpenAPI document, in-process over WSGI.

Every operation gets generated requests (bounded: this runs in `make test` and CI) with a
school user's token, over a world where that school has files in every state; each answer
must not be a 5xx and must match the document: its status codes, content types, headers and
JSON schemas.
"""

from types import SimpleNamespace

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from s2s.accounts.models import ApiToken
from s2s.api.tests.conftest import a_ctf, send
from s2s.messaging.recipients import Recipients
from s2s.messaging.services import message_send
from s2s.transfers.services import transfer_collect, transfer_reject
from s2s.wsgi import application

OPERATIONS = [
    ("POST", "/api/v1/files"),
    ("GET", "/api/v1/files"),
    ("GET", "/api/v1/files/{file_id}"),
    ("GET", "/api/v1/files/{file_id}/content"),
    ("POST", "/api/v1/files/{file_id}/collected"),
    ("POST", "/api/v1/files/{file_id}/reject"),
    ("GET", "/api/v1/messages"),
    ("POST", "/api/v1/messages"),
    ("GET", "/api/v1/messages/{message_id}"),
]
# Operations a school's token cannot use, checked the same way with their own users' tokens.
OPERATIONS_TESTED_ELSEWHERE = [
    ("GET", "/api/v1/reports/{name}.csv"),  # s2s/reports/tests/test_api_schemathesis.py
    ("GET", "/api/v1/lost-pupils"),  # s2s/lostpupils/tests/test_api_schemathesis.py
    ("POST", "/api/v1/lost-pupils/{record_id}/forward"),
    ("POST", "/api/v1/feeds/{kind}"),  # s2s/feeds/tests/test_api_schemathesis.py
    ("GET", "/api/v1/feeds"),
    ("GET", "/api/v1/feeds/{feed_id}"),
    ("GET", "/api/v1/schools/{code}/calendar"),  # s2s/calendars/tests/test_api_schemathesis.py
    ("PUT", "/api/v1/schools/{code}/calendar"),
    ("GET", "/api/v1/las/{number}/calendar"),
    ("PUT", "/api/v1/las/{number}/calendar"),
    ("GET", "/api/v1/cme/signals"),  # s2s/cme/tests/test_api_schemathesis.py
    ("GET", "/api/v1/cme/cases"),  # s2s/cme/tests/test_cases_api_schemathesis.py
    ("POST", "/api/v1/cme/cases"),
    ("GET", "/api/v1/cme/cases/{case_id}"),
    ("POST", "/api/v1/cme/cases/{case_id}/events"),
    ("GET", "/api/v1/cme/returns"),
    ("POST", "/api/v1/cme/returns/{return_id}/received"),
    # s2s/partnerships/tests/test_api_schemathesis.py
    ("POST", "/api/v1/partnerships"),
    ("GET", "/api/v1/partnerships"),
    ("GET", "/api/v1/partnerships/{partnership_id}"),
    ("POST", "/api/v1/partnerships/{partnership_id}/sign"),
    ("POST", "/api/v1/partnerships/{partnership_id}/pupils"),
    ("POST", "/api/v1/partnerships/{partnership_id}/pupils/{upn}/objection"),
    ("POST", "/api/v1/partnerships/{partnership_id}/records"),
    ("GET", "/api/v1/partnerships/{partnership_id}/pupils/{upn}"),
    ("GET", "/api/v1/partnerships/{partnership_id}/changes"),
    ("POST", "/api/v1/partnerships/{partnership_id}/renew"),
    ("POST", "/api/v1/partnerships/{partnership_id}/end"),
    ("POST", "/api/v1/encompass"),  # s2s/agencies/tests/test_api_schemathesis.py
    ("GET", "/api/v1/encompass"),
    ("GET", "/api/v1/encompass/{notification_id}"),
]
# No 5xx, answers as documented, and no operation that works without the token. Not
# schemathesis's "positive data accepted": the document cannot say which file names and
# contents the hub delivers, or that a file rejected once cannot be rejected again, so a
# schema-valid request may rightly get the service's documented 400.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, ignored_auth]
BOUNDED = settings(max_examples=20, deadline=None, derandomize=True, database=None,
                   suppress_health_check=list(HealthCheck))


def documented_answers(strategy, token: str) -> set[int]:
    """Send the requests `strategy` draws with this token; return the status codes seen.

    Each answer is checked against the document (`CHECKS`: never a 5xx, codes and content types
    as documented); the caller asserts which codes had to be seen.
    """
    seen = set()

    @BOUNDED
    @given(case=strategy)
    def check(case):
        response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                                          checks=CHECKS)
        seen.add(response.status_code)

    check()
    return seen


@pytest.fixture
def world(sending_school_user, receiving_school_user):
    """School B's token, with files to it awaiting, collected and rejected, and one it sent."""
    ids = []
    for n, finish in enumerate([None, transfer_collect, transfer_reject, None], start=1):
        transfer = send(sending_school_user, f"8383321_CTF_8384512_{n:03d}.XML",
                        a_ctf("8383321", "8384512", seed=n))
        if finish is transfer_reject:
            finish(user=receiving_school_user, transfer=transfer, reason="Not ours.")
        elif finish is not None:
            finish(user=receiving_school_user, transfer=transfer)
        ids.append(transfer.pk)
    ids.append(send(receiving_school_user, "8384512_CTF_8383321_001.XML",
                    a_ctf("8384512", "8383321")).pk)
    sent = message_send(user=sending_school_user, to=Recipients(schools=("8384512",)),
                        subject="A CTF is on its way", body="Please look out for it.")
    return SimpleNamespace(token=ApiToken.issue(receiving_school_user)[1],
                           ids={"file_id": ids, "message_id": [sent.message.pk]})


def _cases(operation, ids: dict[str, list[int]]):
    """Return generated cases, half of them about the world's objects when the path has an id.

    Ids are drawn over the whole integer range; the world's real ones (not 1 to 5 on
    PostgreSQL, whose sequences outlive each test) would seldom come up by chance.
    """
    free = operation.as_strategy()
    known = [
        operation.as_strategy(path_parameters={name: i})
        for name, values in ids.items() if f"{{{name}}}" in operation.path for i in values
    ]
    return st.one_of(free, *known) if known else free


@pytest.fixture
def app(db):
    """Return the project's WSGI app, keeping the test's database connection across requests.

    Django's handler closes "old" connections around each request; inside the test's
    transaction that closes the test's own connection on PostgreSQL. Its test client turns
    this off the same way.
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield application
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_the_document_lists_exactly_the_operations_tested(schema):
    listed = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert listed == set(OPERATIONS) | set(OPERATIONS_TESTED_ELSEWHERE)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_generated_requests_get_documented_answers_and_no_server_error(schema, world, method,
                                                                      path):
    operation = schema[path][method]
    headers = {"Authorization": f"Bearer {world.token}"}

    @BOUNDED
    @given(case=_cases(operation, world.ids))
    def check(case):
        seen.add(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

    seen: set[int] = set()
    check()
    # The token worked and the generated requests reached the endpoint's own code.
    assert seen - {401, 404}, f"every request was refused before the endpoint: {seen}"
