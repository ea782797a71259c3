"""Every API endpoint × every role's token × files in and out of each role's scope.

The API's half of the authorisation matrix (`api/tests/access.py` says why its endpoints are
not rows of the session-based one). Allowed roles get an answer from the endpoint (2xx, or a
400 refusal from the service that the case names, such as "already rejected"); every other
role with API access gets 404, and roles without API access (the view-only DBA) gets 401
whatever they ask.
"""

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from s2s.accounts.roles import SCOPE_OF_ROLE, Role, ScopeKind
from s2s.api.tests.conftest import api_client, send
from s2s.core.tests.matrix import ALL_ROLES
from s2s.transfers.tests.ctfs import ctf, zip_of

NO_API = frozenset({"la_dba_view"})
FILE_ROLES = frozenset({
    "la_dba", "la_user", "la_school", "la_lost_pupil", "la_lost_pupil_transfer", "la_census",
    "la_admissions", "school", "connector", "agency",
})
ADMIN = frozenset({"admin"})
SCHOOL = frozenset({"school", "connector"})
# The 838LLLL mailbox's people, by what they may handle (CTFs; generic zips).
LLLL_CTF = frozenset({"la_dba", "la_user", "la_school", "la_lost_pupil_transfer"})
LLLL_ZIP = frozenset({"la_user", "la_school", "la_lost_pupil", "la_lost_pupil_transfer"})
NOBODY = frozenset()


@pytest.fixture
def world(make_user, home_la, sending_school, receiving_school, outsider_school, agency,
          outsider_school_user):
    """A token for one user of every role in LA 838 (schools: 8383321), and people to send."""
    scope_for = {ScopeKind.NATION: None, ScopeKind.LA: home_la,
                 ScopeKind.ESTABLISHMENT: sending_school, ScopeKind.AGENCY: agency}
    users = {role: make_user(role, scope_for[SCOPE_OF_ROLE[role]], username=f"m_{role}")
             for role in sorted(ALL_ROLES)}
    return SimpleNamespace(
        clients={role: api_client(user) for role, user in users.items()},
        own_school=users["school"],
        neighbour=make_user(Role.SCHOOL, receiving_school, username="8384512"),
        outsider=outsider_school_user,
    )


def _sent_by_own_school(world):
    return send(world.own_school, "8383321_CTF_8384512_001.XML", ctf("8383321", "8384512"))


def _sent_to_own_school(world):
    return send(world.neighbour, "8384512_CTF_8383321_001.XML", ctf("8384512", "8383321"))


def _ctf_to_la(world):
    return send(world.own_school, "8383321_CTF_838LLLL_001.XML", ctf("8383321", "838LLLL"))


def _zip_to_la(world):
    return send(world.own_school, "8383321_838LLLL_notes.ZIP", zip_of({"a.txt": b"notes"}))


def _to_lost_pupils(world):
    return send(world.own_school, "8383321_CTF_XXXXXXX_001.XML",
                ctf("8383321", "XXXXXXX", pupils=1))


def _outsiders(world):
    return send(world.outsider, "6812345_CTF_681LLLL_001.XML", ctf("6812345", "681LLLL"))


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    allowed: frozenset
    make_file: object = None
    label: str = ""
    data: dict | None = None
    # The service's refusal codes an allowed role may get once the policy has let it in.
    refusals: frozenset = frozenset()

    def ask(self, client, file_id):
        path = self.path.format(id=file_id)
        if self.data is not None:
            return client.post(path, self.data, content_type="application/json")
        return getattr(client, self.method)(path)


_FILES = [
    ("sent by the user's school", _sent_by_own_school, ADMIN | SCHOOL, NOBODY),
    ("sent to the user's school", _sent_to_own_school, ADMIN | SCHOOL, SCHOOL),
    ("a CTF to the LA mailbox", _ctf_to_la, ADMIN | SCHOOL | LLLL_CTF, LLLL_CTF),
    ("a generic zip to the LA mailbox", _zip_to_la, ADMIN | {"school"} | LLLL_ZIP, LLLL_ZIP),
    ("sent to the Lost Pupil Database", _to_lost_pupils, ADMIN | SCHOOL, NOBODY),
    ("another LA's file", _outsiders, ADMIN, NOBODY),
]
CASES = [
    Case("get", "/api/v1/files?box=inbox", FILE_ROLES, label="inbox"),
    Case("get", "/api/v1/files?box=outbox", FILE_ROLES, label="outbox"),
    Case("post", "/api/v1/files", FILE_ROLES, label="upload", refusals=frozenset({"file_name"})),
] + [
    case
    for label, make_file, viewers, receivers in _FILES
    for case in (
        Case("get", "/api/v1/files/{id}", viewers, make_file, label),
        Case("get", "/api/v1/files/{id}/content", receivers, make_file, label),
        Case("post", "/api/v1/files/{id}/collected", receivers, make_file, label),
        # The first allowed role rejects the file; the others are told it is rejected already.
        Case("post", "/api/v1/files/{id}/reject", receivers, make_file, label,
             data={"reason": "Not one of ours."}, refusals=frozenset({"not_awaiting"})),
    )
]


def _case_id(case):
    return f"{case.method} {case.path} {case.label}".strip()


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_each_role_gets_exactly_the_answer_the_policy_gives(case, world):
    file_id = case.make_file(world).pk if case.make_file else None
    wrong = []
    for role, client in world.clients.items():
        if case.label == "upload":
            # A name no one may send: allowed roles reach the service and are refused by it.
            response = client.upload("not-an-s2s-name.XML", b"<CTfile/>")
        else:
            response = case.ask(client, file_id)
        status = response.status_code
        if role in NO_API:
            expected = "401"
            ok = status == 401
        elif role in case.allowed:
            expected = f"2xx or a 400 refusal {sorted(case.refusals)}"
            ok = 200 <= status < 300 or (
                status == 400 and response.json()["code"] in case.refusals)
        else:
            expected = "404"
            ok = status == 404
        if not ok:
            wrong.append(f"{role}: expected {expected}, got {status}")
    assert not wrong, "; ".join(wrong)
