"""Hostile XML through the upload service (issue 20, item 1): refused with a reason, never a 500.

Every attack in every encoding XML allows, as a CTF and as a plain statutory return (census),
which share the guard (`s2s/ctf/hostile.py`). The page's test posts the zips of items 2 and 3
too (their own tests are in test_zip_checks).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s2s.core.errors import ServiceError
from s2s.ctf.tests.attacks import (
    ENCODING_IDS,
    ENCODINGS,
    encoded,
    expected_refusal,
    with_external_entity,
    without_declaration,
)
from s2s.transfers.models import Transfer
from s2s.transfers.tests.conftest import stored_objects
from s2s.transfers.tests.ctfs import ctf
from s2s.transfers.tests.hostile_zips import Entry, bomb, forged_zip, unix_link

CTF_NAME = "8383321_CTF_8384512_001.XML"
CENSUS_NAME = "8383321_PLAS_838LLLL_001.XML"
CENSUS = (b'<?xml version="1.0" encoding="UTF-8"?>'
          b"<Message><Header><Surname>x</Surname></Header></Message>")


def _refusal(upload, user, name, content, file_store):
    with pytest.raises(ServiceError) as refused:
        upload(user, name, content)
    assert not Transfer.objects.exists()
    assert stored_objects(file_store) == []
    return refused.value


@pytest.mark.parametrize("use_in", ["Surname", None], ids=["entity-used", "entity-declared"])
@pytest.mark.parametrize(("codec", "name", "bom"), [e[1:] for e in ENCODINGS], ids=ENCODING_IDS)
def test_a_ctf_with_an_external_entity_is_refused_in_every_encoding(
    upload, sending_school_user, receiving_school, file_store, codec, name, bom, use_in
):
    """Issue 20, 1: the UTF-32 CTF with an external entity was stored, then answered 500."""
    text = with_external_entity(ctf("8383321", "8384512"), use_in=use_in)
    error = _refusal(upload, sending_school_user, CTF_NAME,
                     encoded(text, codec=codec, name=name, bom=bom), file_store)
    code, words = expected_refusal(codec)
    assert error.code == code
    assert error.message.startswith("The file was refused: ")
    assert words in error.message


@pytest.mark.parametrize(("codec", "name", "bom"), [e[1:] for e in ENCODINGS], ids=ENCODING_IDS)
def test_a_census_return_with_an_external_entity_is_refused_in_every_encoding(
    upload, sending_school_user, file_store, codec, name, bom
):
    """Issue 20, 1: the plain statutory returns share the guard, so shared the hole."""
    text = with_external_entity(CENSUS, root="Message")
    error = _refusal(upload, sending_school_user, CENSUS_NAME,
                     encoded(text, codec=codec, name=name, bom=bom), file_store)
    code, words = expected_refusal(codec)
    assert error.code == code
    assert words in error.message
    assert "School census (PLASC)" in error.message


def test_a_census_return_in_utf16_is_refused_saying_it_must_be_utf8(upload, sending_school_user,
                                                                   file_store):
    content = encoded(without_declaration(CENSUS), codec="utf-16-le", name="UTF-16",
                      bom=b"\xff\xfe")
    error = _refusal(upload, sending_school_user, CENSUS_NAME, content, file_store)
    assert error.message == (
        "The file was refused: the file is in the encoding UTF-16 (little-endian), and a file "
        "of the type “School census (PLASC)” is always written in UTF-8: export it again as "
        "UTF-8")


def test_a_census_return_in_utf8_is_still_carried(upload, sending_school_user):
    assert upload(sending_school_user, CENSUS_NAME, CENSUS).transfer.file_type == "PLAS"


@pytest.mark.parametrize(
    "content",
    [b"", b"   ", b"<Message>", b"\x00\x01", b"<?xml version='1.0'?>"],
    ids=["empty", "blank", "unclosed", "binary", "declaration-only"],
)
def test_a_census_return_that_is_not_xml_is_refused_with_a_reason(
    upload, sending_school_user, file_store, content
):
    error = _refusal(upload, sending_school_user, CENSUS_NAME, content, file_store)
    assert error.code in {"not_xml", "encoding"}
    assert error.message.startswith("The file was refused: ")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=1_000), name=st.sampled_from([CTF_NAME, CENSUS_NAME]))
def test_random_bytes_uploaded_as_xml_are_refused_with_a_reason(
    upload, sending_school_user, receiving_school, content, name
):
    with pytest.raises(ServiceError) as refused:
        upload(sending_school_user, name, content)
    assert refused.value.message.startswith("The file was refused: ")
    assert refused.value.code


def test_the_upload_page_refuses_each_attack_with_its_reason(client, sending_school_user,
                                                            receiving_school):
    """Issue 20, 1-3 on the page: each file refused with its reason, nothing stored."""
    utf32 = encoded(with_external_entity(ctf("8383321", "8384512")), codec="utf-32-le",
                    name="UTF-32", bom=b"")
    client.force_login(sending_school_user)
    response = client.post(reverse("transfers:upload"), {"files": [
        SimpleUploadedFile(CTF_NAME, utf32),
        SimpleUploadedFile("8383321_8384512_Report.ZIP", bomb()),
        SimpleUploadedFile("8383321_8384512_Links.ZIP",
                           forged_zip([unix_link(), Entry("link/evil", b"x")])),
    ]}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 files refused" in page
    assert "a CTF is always written in UTF-8" in page
    assert "expands to more than the 1000 bytes its header declares" in page
    assert "a link to another file" in page
    assert not Transfer.objects.exists()
