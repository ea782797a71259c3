"""The C start-tag scan of the raw-byte watch must answer exactly as the regex it stands in for."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from s2s.ctf.rawscan import start_then_blank_re
from s2s.ctf.synthetic import generate_ctf
from s2s.ctf.tests.conftest import TODAY
from s2s.ctf.tests.test_rawscan import CONSTRUCTS

try:
    from s2s.ctf._leafscan import start_then_blank
except ImportError:  # pragma: no cover - the regex is what runs then
    pytestmark = pytest.mark.skip(reason="the C scan (s2s/ctf/_leafscan.c) is not built: "
                                         "`make install` builds it")

# What start tags, end tags, blanks and text are made of, and the bytes the scan stops on:
# ASCII white space and its neighbours, wide spaces in UTF-8, bytes past ASCII.
PIECES = [b"<", b">", b"/", b"</", b"/>", b" ", b"\t", b"\n", b"\r", b"\x0b", b"\x1c", b"\x1f",
          b"\x21", b"\x08", b"\x0e", b"a", b"Date", b"\xc2\xa0", b"\xe3\x80\x80", b"\x7f",
          b"\x80", b"=", b"!"]


@settings(max_examples=5000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=24).map(b"".join))
def test_the_c_scan_answers_as_the_regex_does(piece):
    assert start_then_blank(piece) == start_then_blank_re(piece)


@pytest.mark.parametrize(("piece", "found"), [
    (b"<Memo/>", True), (b"<Memo />", True), (b"<Memo></Memo>", True),
    (b"<Memo> \n\t</Memo>", True),
    (b"<Memo>\xc2\xa0</Memo>", True), (b"<Memo>x</Memo>", False), (b"</A>\n  </B>", False),
    (b"<A>\n  <B>x</B>", False), (b"<Memo>", False), (b"<Memo> <", False), (b"<Memo> ", False),
    (b"<Me", False), (b"<", False), (b"", False), (b"<<Memo></", True), (b"<>", False),
    (b"<Memo>\x1c</", True), (b"<Memo>\x1b</", False),
], ids=repr)
def test_the_c_scan_finds_what_may_be_an_empty_element(piece, found):
    assert start_then_blank(piece) is found
    assert start_then_blank_re(piece) is found


def test_the_c_scan_answers_as_the_regex_does_on_every_cut_of_a_bulk_file():
    out = io.BytesIO()
    generate_ctf(source="8383321", destination="8384512", pupils=30, out=out, seed=3,
                 error_rate=0.3, today=TODAY)
    content = out.getvalue()
    for number, (extra, _found) in enumerate(CONSTRUCTS.values()):
        at = content.index(b"</Pupil>", 1000 * number)
        content = content[:at] + extra.encode() + content[at:]
    for size in (1, 2, 5, 64, 4096, 1 << 16):
        for start in range(0, len(content), size // 2 + 13):
            piece = content[start:start + size]
            assert start_then_blank(piece) == start_then_blank_re(piece), (start, size)
    assert start_then_blank(bytearray(content)) is start_then_blank_re(content) is True
