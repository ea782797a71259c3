"""The raw-byte watch that lets validation skip the leaf checks: it must never miss a bad leaf."""

import io

import pytest

from s2s.ctf import rawscan
from s2s.ctf.rawscan import LeafWatch
from s2s.ctf.reader import CTFReader, Limits
from s2s.ctf.synthetic import generate_ctf
from s2s.ctf.tests.conftest import TODAY, make_ctf
from s2s.ctf.validate import validate_ctf

STREAMED = Limits(max_whole_bytes=0)

try:
    from s2s.ctf import _leafscan
except ImportError:  # not built (no C compiler at install): the regexes are what run
    _leafscan = None

# The start-tag scan and the first look at the date texts: in C, or the Python they stand in for.
SCANNERS = {
    "regex": (rawscan.start_then_blank_re, rawscan._dates_plain_re),
    "c": (_leafscan.start_then_blank, _leafscan.dates_plain) if _leafscan else None,
}


@pytest.fixture(autouse=True, params=list(SCANNERS))
def scanner(request, monkeypatch):
    """Run every test here with the C scans and with the Python they stand in for."""
    if SCANNERS[request.param] is None:
        pytest.skip("the C scan (s2s/ctf/_leafscan.c) is not built: `make install` builds it")
    start_then_blank, dates_plain = SCANNERS[request.param]
    monkeypatch.setattr(rawscan, "start_then_blank", start_then_blank)
    monkeypatch.setattr(rawscan, "dates_plain", dates_plain)
    return request.param

# Each construct that could make an empty leaf or a bad leaf date, or hide one from a scan,
# with the warnings the precise path gives for it (code, element path from <Pupil>).
CONSTRUCTS = {
    "self-closed": ("<SuppInfo><Memo/></SuppInfo>", [("empty_element", "SuppInfo/Memo")]),
    "blank": ("<SuppInfo><Memo> \n\t </Memo></SuppInfo>", [("empty_element", "SuppInfo/Memo")]),
    "nothing-between": ("<SuppInfo><Memo></Memo></SuppInfo>",
                        [("empty_element", "SuppInfo/Memo")]),
    "no-break-space": ("<SuppInfo><Memo> \u00a0</Memo></SuppInfo>",
                       [("empty_element", "SuppInfo/Memo")]),
    "ideographic-space": ("<SuppInfo><Memo>\u3000</Memo></SuppInfo>",
                          [("empty_element", "SuppInfo/Memo")]),
    "comment": ("<SuppInfo><Memo><!-- nothing --></Memo></SuppInfo>",
                [("empty_element", "SuppInfo/Memo")]),
    "cdata": ("<SuppInfo><Memo><![CDATA[  ]]></Memo></SuppInfo>",
              [("empty_element", "SuppInfo/Memo")]),
    "processing-instruction": ("<SuppInfo><Memo><?mis x?></Memo></SuppInfo>",
                               [("empty_element", "SuppInfo/Memo")]),
    "character-reference": ("<SuppInfo><Memo>&#32;&#x9;</Memo></SuppInfo>",
                            [("empty_element", "SuppInfo/Memo")]),
    "entity-reference": ("<SchoolHistory><School><EntryDate>2024-02-01&lt;</EntryDate>"
                         "</School></SchoolHistory>",
                         [("date_impossible", "SchoolHistory/School/EntryDate")]),
    "attribute-hiding-a-tag": ('<SuppInfo><Memo kind="a>b"></Memo></SuppInfo>',
                               [("empty_element", "SuppInfo/Memo")]),
    "impossible-date": ("<SchoolHistory><School><EntryDate>2024-02-30</EntryDate>"
                        "</School></SchoolHistory>",
                        [("date_impossible", "SchoolHistory/School/EntryDate")]),
    "date-not-iso": ("<SuppInfo><ReviewDate> 1/4/2024 </ReviewDate></SuppInfo>",
                     [("date_impossible", "SuppInfo/ReviewDate")]),
    "blank-date": ("<SuppInfo><ReviewDate>\r\n</ReviewDate></SuppInfo>",
                   [("empty_element", "SuppInfo/ReviewDate")]),
}


def _bulk(pupils=220, seed=7) -> bytes:
    out = io.BytesIO()
    generate_ctf(source="8383321", destination="8384512", pupils=pupils, out=out, seed=seed,
                 error_rate=0.3, today=TODAY)
    return out.getvalue()


def _precise(content: bytes, monkeypatch, **kwargs) -> dict:
    with monkeypatch.context() as patch:
        patch.setattr(CTFReader, "leaves_suspect", property(lambda self: True))
        return validate_ctf(source=content, today=TODAY, **kwargs).as_dict()


def _leaf_warnings(report: dict) -> list[tuple[int, str, str]]:
    return [(w["pupil"], w["code"], w["field"]) for w in report["warnings"]
            if w["code"] in ("empty_element", "date_impossible") and w["field"] != "DOB"]


def _insert(content: bytes, pupil: int, extra: str) -> bytes:
    """Return the file with `extra` at the end of its `pupil`-th pupil (from 1)."""
    at = -1
    for _ in range(pupil):
        at = content.index(b"</Pupil>", at + 1)
    return content[:at] + extra.encode() + content[at:]


def test_a_clean_bulk_file_raises_no_suspicion_so_the_leaf_checks_are_skipped():
    content = _bulk()
    assert len(content) > 4 * (1 << 16), "the file must span several read pieces"
    for limits in (STREAMED, Limits()):
        with CTFReader(source=content, limits=limits) as reader:
            assert sum(1 for _ in reader.pupil_elements()) == 220
            assert reader.leaves_suspect is False


def test_each_construct_in_a_different_pupil_is_reported_as_the_precise_path_reports(
        monkeypatch):
    content = _bulk()
    expected = []
    for number, (extra, found) in enumerate(CONSTRUCTS.values()):
        pupil = 12 + 14 * number
        content = _insert(content, pupil, extra)
        expected += [(pupil, code, field) for code, field in found]
    for limits in (STREAMED, Limits()):
        report = validate_ctf(source=content, today=TODAY, limits=limits).as_dict()
        assert report == _precise(content, monkeypatch, limits=limits)
        assert _leaf_warnings(report) == expected


@pytest.mark.parametrize("name", list(CONSTRUCTS))
def test_a_construct_late_in_a_bulk_file_is_found(name, monkeypatch):
    """A construct after many clean pupils (and read pieces) still turns the checks on."""
    extra, found = CONSTRUCTS[name]
    content = _insert(_bulk(), 200, extra)
    report = validate_ctf(source=content, today=TODAY, limits=STREAMED).as_dict()
    assert report == _precise(content, monkeypatch, limits=STREAMED)
    assert _leaf_warnings(report) == [(200, code, field) for code, field in found]


# Where each construct is cut: the byte after a piece's end is the one at the given offset
# into the first occurrence of the given bytes.
SPLITS = {"self-closed": (b"/>", 1), "blank": (b"\n\t", 1), "no-break-space": (b"\xc2\xa0", 1),
          "impossible-date": (b"02-30", 2), "character-reference": (b"&#", 1)}


@pytest.mark.parametrize("boundary", [1 << 15, 1 << 16, 3 << 15])
@pytest.mark.parametrize("name", list(SPLITS))
def test_a_construct_across_a_read_boundary_is_found(name, boundary, monkeypatch):
    """White space pads the pupil so that the construct straddles where a read piece ends."""
    extra, found = CONSTRUCTS[name]
    base = _bulk(pupils=60)
    pupil = base[:boundary - 100].count(b"</Pupil>")  # the last to end before the boundary
    end = -1
    for _ in range(pupil):
        end = base.index(b"</Pupil>", end + 1)
    encoded = extra.encode()
    key, offset = SPLITS[name]
    split = encoded.index(key) + offset
    content = base[:end] + b" " * (boundary - end - split) + encoded + base[end:]
    assert content[boundary - offset:boundary - offset + len(key)] == key
    report = validate_ctf(source=content, today=TODAY, limits=STREAMED).as_dict()
    assert report == _precise(content, monkeypatch, limits=STREAMED)
    assert _leaf_warnings(report) == [(pupil, code, field) for code, field in found]


@pytest.mark.parametrize("name", list(CONSTRUCTS))
def test_the_watch_sees_a_construct_wherever_the_pieces_are_cut(name):
    content = make_ctf(extra=CONSTRUCTS[name][0])
    start = content.index(b"<SuppInfo>" if b"<SuppInfo>" in content else b"<SchoolHistory>")
    for cut in range(start, len(content)):
        watch = LeafWatch()
        watch.read(content[:cut])
        watch.read(content[cut:])
        assert watch.suspect, cut


def test_the_watch_finds_nothing_in_a_clean_file_however_it_is_cut():
    content = make_ctf(extra="<SchoolHistory><School><EntryDate>2024-02-29</EntryDate>"
                             "<LeavingDate> 2025-07-18 </LeavingDate></School></SchoolHistory>")
    for cut in range(len(content)):
        watch = LeafWatch()
        watch.read(content[:cut])
        watch.read(content[cut:])
        assert not watch.suspect, cut


def test_anything_unexpected_before_the_root_makes_every_pupil_checked(monkeypatch):
    content = make_ctf(extra="<SuppInfo><Memo/></SuppInfo>").replace(
        b"<CTfile>", b"<!-- exported -->\n<CTfile>")
    watch = LeafWatch()
    watch.read(content[:40])
    watch.read(content[40:])
    assert watch.suspect
    report = validate_ctf(source=content, today=TODAY, limits=STREAMED).as_dict()
    assert report == _precise(content, monkeypatch, limits=STREAMED)

