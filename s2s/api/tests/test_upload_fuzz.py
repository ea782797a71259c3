"""Fuzzing the upload endpoint (issue 20): schemathesis requests whose file is random bytes.

schemathesis draws each request from the OpenAPI document; the file's content is replaced by
random bytes (hypothesis's binary strategy, alone, or spliced into a real CTF or after a zip's
signature) under a name the hub accepts, so the bytes reach the CTF and zip checks rather than
stopping at the name. Every answer must be a documented refusal or a stored file: never a 5xx,
always as the document says.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from urllib3 import encode_multipart_formdata

from s2s.accounts.models import ApiToken
from s2s.api.tests.conftest import a_ctf
from s2s.api.tests.test_schemathesis import CHECKS, app, schema  # noqa: F401

FUZZ = settings(max_examples=80, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
REAL_CTF = a_ctf("8384512", "8383321")


@st.composite
def spliced(draw) -> bytes:
    """Return a real CTF with a random stretch of it replaced by random bytes."""
    start = draw(st.integers(0, len(REAL_CTF)))
    end = draw(st.integers(start, min(len(REAL_CTF), start + 512)))
    return REAL_CTF[:start] + draw(st.binary(max_size=512)) + REAL_CTF[end:]


@st.composite
def uploads(draw):
    """Return (file name, content): an acceptable s2s name and random content."""
    n = draw(st.integers(1, 999))
    kind = draw(st.sampled_from(["ctf", "lost", "zip"]))
    name = {"ctf": f"8384512_CTF_8383321_{n:03d}.XML", "lost": f"8384512_CTF_XXXXXXX_{n:03d}.XML",
            "zip": f"8384512_8383321_FUZZ{n}.ZIP"}[kind]
    prefix = b"PK\x03\x04" if kind == "zip" and draw(st.booleans()) else b""
    content = draw(st.one_of(st.binary(max_size=4096).map(lambda b: prefix + b),
                             spliced() if kind != "zip" else st.nothing()))
    return name, content


@pytest.fixture
def token(receiving_school_user, sending_school):
    """School B's (8384512) token: it may send CTFs, lost-pupil files and zips to school A."""
    return ApiToken.issue(receiving_school_user)[1]


def test_random_bytes_uploaded_get_a_documented_answer_never_a_server_error(
        schema, token):  # noqa: F811
    operation = schema["/api/v1/files"]["POST"]
    seen = set()

    @FUZZ
    @given(case=operation.as_strategy(), upload=uploads())
    def check(case, upload):
        # schemathesis names a generated file after its field; the hub reads the name, so the
        # form is encoded here with the drawn name and sent as the case's raw body.
        case.body, content_type = encode_multipart_formdata({"file": upload})
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
            checks=CHECKS)
        assert response.status_code in (201, 400, 413), response.content
        seen.add(response.json()["code"] if response.status_code == 400 else
                 response.status_code)

    check()
    # The bytes reached the checks of the content, not only of the name.
    assert "file_name" not in seen, seen
    assert {code for code in seen if isinstance(code, str)} - {"file_name"}, seen
