"""Two reviewers collect or reject the same file at the same moment (issue 18, faults).

Two threads, two PostgreSQL sessions, released together by a barrier: one wins, the other is
told in words (400, `not_awaiting`), never a 500; the file's state, audit trail show one
decision.
"""

import threading

import pytest
from django.db import connection

from s2s.accounts.models import ApiToken
from s2s.accounts.roles import Role
from s2s.api.tests.conftest import ApiClient
from s2s.audit.models import AuditEvent
from s2s.transfers.models import Transfer, TransferStatus
from s2s.transfers.tests.ctfs import ctf

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "8383321_CTF_8384512_001.XML"
ACTS = {
    "collect": lambda client, pk: client.post(f"/api/v1/files/{pk}/collected"),
    "reject": lambda client, pk: client.post(f"/api/v1/files/{pk}/reject",
                                             {"reason": "Not our pupil"},
                                             content_type="application/json"),
}


@pytest.fixture
def reviewers(make_user, receiving_school):
    """Two people of the receiving school, each with an API token."""
    keys = [ApiToken.issue(make_user(Role.SCHOOL, receiving_school, username=name))[1]
            for name in ("8384512", "8384512-office")]
    return [ApiClient(key) for key in keys]


@pytest.fixture
def awaiting(make_user, sending_school, receiving_school) -> Transfer:
    sender = ApiClient(ApiToken.issue(
        make_user(Role.CONNECTOR, sending_school, username="8383321-mis"))[1])
    response = sender.upload(NAME, ctf("8383321", "8384512"))
    assert response.status_code == 201, response.content
    return Transfer.objects.get(pk=response.json()["id"])


def _at_once(reviewers, acts: tuple[str, str], pk: int) -> list:
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def review(index: int):
        try:
            barrier.wait(10)
            answers[index] = ACTS[acts[index]](reviewers[index], pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=review, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


@pytest.mark.parametrize("acts", [("reject", "reject"), ("collect", "reject"),
                                  ("reject", "collect")])
def test_one_decision_wins_and_the_other_reviewer_is_told(reviewers, awaiting, acts):
    answers = _at_once(reviewers, acts, awaiting.pk)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 400], [a.content for a in answers]
    [winner] = [i for i, answer in enumerate(answers) if answer.status_code == 200]
    loser = answers[1 - winner].json()
    assert loser["code"] == "not_awaiting"
    assert NAME in loser["message"]
    won = {"collect": TransferStatus.COLLECTED, "reject": TransferStatus.REJECTED}
    awaiting.refresh_from_db()
    assert awaiting.status == won[acts[winner]]
    decisions = AuditEvent.objects.filter(action__in=("transfer_collect", "transfer_reject"))
    assert decisions.count() == 1


def test_two_reviewers_collecting_at_once_collect_it_once(reviewers, awaiting):
    answers = _at_once(reviewers, ("collect", "collect"), awaiting.pk)
    assert [answer.status_code for answer in answers] == [200, 200]
    assert {answer.json()["status"] for answer in answers} == {"collected"}
    assert AuditEvent.objects.filter(action="transfer_collect").count() == 1
