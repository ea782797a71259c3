"""The C start-tag scan of the raw-byte watch must answer exactly as the regex it stands in for."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from s2s.ctf.rawscan import _DATE_TEXT, _dates_real, start_then_blank_re
from s2s.ctf.synthetic import generate_ctf
from s2s.ctf.tests.conftest import TODAY
from s2s.ctf.tests.test_rawscan import CONSTRUCTS

try:
    from s2s.ctf._leafscan import dates_plain, start_then_blank
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


# What *Date leaves and their texts are made of, real dates and not.
DATE_PIECES = [b"Date", b">", b"</", b"<", b" ", b"\t", b"\n", b"\r", b"\x0b", b"\xc2\xa0",
               b"2024", b"2023", b"0000", b"1900", b"2000", b"-", b"02", b"13", b"29", b"30",
               b"31", b"00", b"1", b"x", b"/"]


@settings(max_examples=5000, deadline=None)
@given(st.lists(st.sampled_from(DATE_PIECES), max_size=16).map(b"".join))
def test_plain_dates_in_c_are_dates_the_python_finds_real(piece):
    """True from C must mean the regex's texts all pass; False leaves them to Python."""
    if dates_plain(piece):
        assert _dates_real(_DATE_TEXT.findall(piece)), piece


@pytest.mark.parametrize(("piece", "plain"), [
    (b"<EntryDate>2024-02-29</EntryDate>", True), (b"<EntryDate>2023-02-29</EntryDate>", False),
    (b"<LeavingDate> 2025-07-18\r\n</LeavingDate>", True), (b"<LeavingDate> </LeavingDate>", True),
    (b"<ReviewDate> 1/4/2024 </ReviewDate>", False), (b"<ReviewDate>0000-01-01</", False),
    (b"<ReviewDate>2000-02-29</", True), (b"<ReviewDate>1900-02-29</", False),
    (b"<ReviewDate>2024-04-31</", False), (b"<ReviewDate>\xc2\xa02024-01-01</", False),
    (b"<ExamDate><Year>2024</Year></ExamDate>", True), (b"<DOB>2012-10-03</DOB>", True),
], ids=repr)
def test_the_c_date_look_passes_only_blank_and_real_dates(piece, plain):
    assert dates_plain(piece) is plain


def test_the_c_date_look_passes_the_dates_of_a_clean_bulk_file():
    out = io.BytesIO()
    generate_ctf(source="8383321", destination="8384512", pupils=30, out=out, seed=3,
                 today=TODAY)
    assert dates_plain(out.getvalue())
