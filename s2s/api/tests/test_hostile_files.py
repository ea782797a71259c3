"""Hostile XML and hostile zips through `POST /api/v1/files` (issue 20): a 400 with a reason."""

import stat

import pytest

from s2s.accounts.roles import Role
from s2s.api.tests.conftest import a_ctf, api_client
from s2s.ctf.tests.attacks import (
    ENCODING_IDS,
    ENCODINGS,
    encoded,
    expected_refusal,
    with_external_entity,
)
from s2s.transfers.models import Transfer
from s2s.transfers.tests.hostile_zips import MSDOS, Entry, bomb, forged_zip, unix_link

CENSUS = b'<?xml version="1.0"?><Message><Header><Surname>x</Surname></Header></Message>'


@pytest.fixture
def school(make_user, sending_school, receiving_school):
    """School A's user (8383321), who may send CTFs, census returns and generic zips."""
    return api_client(make_user(Role.SCHOOL, sending_school, username="8383321"))


def _assert_refused(response, code: str, words: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code
    assert words in body["message"]
    assert body["field"] == "file"
    assert not Transfer.objects.exists()


@pytest.mark.parametrize(("codec", "name", "bom"), [e[1:] for e in ENCODINGS], ids=ENCODING_IDS)
def test_a_ctf_with_an_external_entity_answers_400_in_every_encoding(school, codec, name, bom):
    """Issue 20, 1: it answered 500 (an AttributeError in the reader) in UTF-32."""
    text = with_external_entity(a_ctf("8383321", "8384512"))
    response = school.upload("8383321_CTF_8384512_001.XML",
                             encoded(text, codec=codec, name=name, bom=bom))
    _assert_refused(response, *expected_refusal(codec))


@pytest.mark.parametrize(("codec", "name", "bom"), [e[1:] for e in ENCODINGS], ids=ENCODING_IDS)
def test_a_census_return_with_an_external_entity_answers_400_in_every_encoding(
    school, codec, name, bom
):
    text = with_external_entity(CENSUS, root="Message")
    response = school.upload("8383321_PLAS_838LLLL_001.XML",
                             encoded(text, codec=codec, name=name, bom=bom))
    _assert_refused(response, *expected_refusal(codec))


def test_a_zip_whose_headers_understate_its_size_answers_400(school):
    """Issue 20, 2: half a megabyte declaring 1,000 bytes, inflating to 512 MB."""
    response = school.upload("8383321_8384512_Report.ZIP", bomb(declared=1_000, megabytes=512))
    _assert_refused(response, "zip_size_mismatch", "expands to more than the 1000 bytes")


@pytest.mark.parametrize(
    ("entries", "code"),
    [([unix_link(name="link", target="/etc/cron.d"), Entry("link/evil", b"boom")], "zip_link"),
     ([Entry("link", b"C:\\Windows", mode=0, create_system=MSDOS, dos_attributes=0x400)],
      "zip_link"),
     ([Entry("tty", b"", mode=stat.S_IFCHR | 0o666)], "zip_special_file"),
     ([Entry("a.csv", b"one"), Entry("A.csv", b"two")], "zip_duplicate")],
    ids=["symbolic-link", "ntfs-reparse-point", "device", "duplicate"],
)
def test_a_zip_with_a_link_a_device_or_a_duplicate_answers_400(school, entries, code):
    """Issue 20, 3."""
    response = school.upload("8383321_8384512_Links.ZIP", forged_zip(entries))
    _assert_refused(response, code, "The zip archive holds")
