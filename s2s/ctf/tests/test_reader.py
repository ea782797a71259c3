import io

import pytest

from s2s.ctf.errors import HostileXMLError, NotXMLError
from s2s.ctf.reader import CTFReader, Limits, read_ctf, read_header
from s2s.ctf.synthetic import generate_ctf
from s2s.ctf.tests.conftest import PUPIL, TODAY, make_ctf


def test_sex_is_read_from_gender_and_from_sex():
    """DESIGN.md, CTF format: <Gender> (CTF 23 and older) or <Sex> (CTF 25)."""
    assert read_ctf(source=make_ctf(sex_tag="Gender")).pupils[0].sex == "F"
    assert read_ctf(source=make_ctf(sex_tag="Sex")).pupils[0].sex == "F"


def test_document_qualifier_is_read_in_any_case():
    """DESIGN.md, CTF format: DocumentQualifier read case-insensitively."""
    assert read_header(source=make_ctf(qualifier="FULL")).document_qualifier == "full"
    assert read_header(source=make_ctf(qualifier="Partial")).document_qualifier == "partial"


def test_index_holds_the_issue_3_fields_and_the_latest_leaving():
    """Issue 3, Reading: the index fields; the latest leaving date and its reason."""
    extra = """<SchoolHistory>
<School><LEA>838</LEA><Estab>3321</Estab><EntryDate>2024-09-01</EntryDate>
<LeavingDate>2026-10-20</LeavingDate><LeavingReason>MO</LeavingReason></School>
<School><LEA>681</LEA><Estab>2000</Estab><EntryDate>2020-09-01</EntryDate>
<LeavingDate>2024-07-20</LeavingDate><LeavingReason>TR</LeavingReason></School>
</SchoolHistory>"""
    content = make_ctf(extra=extra).replace(
        b"<NCyearActual>", b"<FormerUPN>G80120000101A</FormerUPN><MiddleNames>Mair</MiddleNames>"
        b"<PreferredSurname>Jones-Evans</PreferredSurname><FormerSurname>Evans</FormerSurname>"
        b"<NCyearActual>",
    ).replace(b"<Surname>", b"<UniqueLearnerNumber>1234567899</UniqueLearnerNumber><Surname>")
    entry = read_ctf(source=content).pupils[0].as_dict()
    assert entry == {
        "position": 1, "line": 13, "upn": "H801200001001", "former_upn": "G80120000101A",
        "uln": "1234567899", "uci": None, "surname": "Jones", "forename": "Seren",
        "middle_names": "Mair", "preferred_surname": "Jones-Evans",
        "preferred_forename": None, "former_surname": "Evans", "dob": "2015-03-04",
        "sex": "F", "postcode": "DT2 0NS", "town": "Dorchester", "nc_year": "6",
        "leaving_date": "2026-10-20", "leaving_reason": "MO",
    }


def test_source_may_be_a_path_bytes_or_a_stream(tmp_path):
    content = make_ctf()
    path = tmp_path / "8383321_CTF_8384512_001.XML"
    path.write_bytes(content)
    for source in (path, str(path), content, io.BytesIO(content)):
        assert read_ctf(source=source).pupils[0].upn == "H801200001001"


def test_reading_streams_pupils_and_clears_the_ones_read():
    """Issue 3, Reading: bounded memory; earlier pupils are gone while later ones are read."""
    pupils = [PUPIL.format(upn="H801200001001", surname=f"P{i}", forename="A",
                           dob="2015-03-04", sex_tag="Sex", nc_year="6", postcode="DT2 0NS",
                           extra="") for i in range(50)]
    with CTFReader(source=make_ctf(pupils=pupils)) as reader:
        earlier = [
            (sum(1 for _ in element.itersiblings(preceding=True)),
             sum(len(s) for s in element.itersiblings(preceding=True)))
            for _, element in reader.pupil_elements()
        ]
    # At most the one pupil just read stays, emptied, as the element before the current one.
    assert earlier == [(0, 0)] + [(1, 0)] * 49


def test_pupils_before_a_broken_one_are_yielded_before_the_error():
    good = PUPIL.format(upn="H801200001001", surname="A", forename="B", dob="2015-03-04",
                        sex_tag="Sex", nc_year="6", postcode="DT2 0NS", extra="")
    pupils = CTFReader(source=make_ctf(pupils=[good, "<Pupil><UPN>oops</Pupl>"])).pupils()
    assert next(pupils).surname == "A"
    with pytest.raises(NotXMLError, match="Opening and ending tag mismatch"):
        next(pupils)


def test_line_numbers_stay_right_past_line_65535():
    """libxml2 keeps 16-bit lines; the reader corrects them so findings point at the line."""
    buffer = io.BytesIO()
    generate_ctf(source="8383321", destination="8384512", pupils=800, out=buffer, seed=2,
                 today=TODAY)
    content = buffer.getvalue()
    lines = content.split(b"\n")
    entries = read_ctf(source=content).pupils
    assert entries[-1].line > 65_535
    assert all(lines[entry.line - 1] == b"<Pupil>" for entry in entries)


def test_admissions_atfile_is_read_like_a_ctf():
    """DESIGN.md, CTF format: the admissions sibling format is <ATfile>/<ATFpupilData>."""
    content = (make_ctf().replace(b"CTfile", b"ATfile").replace(b"CTFpupilData", b"ATFpupilData")
               .replace(b"CTFversion", b"ATFversion"))
    contents = read_ctf(source=content)
    assert (contents.header.root, contents.header.version) == ("ATfile", "26.0")
    assert contents.pupils[0].upn == "H801200001001"


def test_a_streamed_file_with_a_doctype_and_no_record_is_refused_for_its_doctype():
    """Streaming shows Python only <Header> and <Pupil>; a file with neither is still asked."""
    content = b'<?xml version="1.0"?>\n<!DOCTYPE CTfile [<!ENTITY a "b">]>\n<CTfile><x/></CTfile>'
    with pytest.raises(HostileXMLError, match="DOCTYPE"):
        read_ctf(source=content, limits=Limits(max_whole_bytes=0))


def test_elements_between_pupils_count_towards_the_limit_when_streamed():
    junk = "<Junk>" + "<x/>" * 3_000 + "</Junk>"
    content = make_ctf().replace(b"<CTFpupilData>", b"<CTFpupilData>" + junk.encode())
    read_ctf(source=content, limits=Limits(max_whole_bytes=0))  # the default limit is far
    with pytest.raises(HostileXMLError, match="more than 1000 elements without a pupil"):
        read_ctf(source=content, limits=Limits(max_whole_bytes=0, max_elements_per_pupil=1_000))


@pytest.mark.parametrize(("pairs", "refused"), [(800, False), (1_200, True)])
def test_the_streamed_element_limit_counts_elements_not_their_end_tags(pairs, refused):
    """The wrapper counts every "<" first and takes the end tags off once that passes the limit."""
    junk = "<Junk>" + "<x>a</x>" * pairs + "</Junk>"
    content = make_ctf().replace(b"<CTFpupilData>", b"<CTFpupilData>" + junk.encode())
    limits = Limits(max_whole_bytes=0, max_elements_per_pupil=1_000)
    if refused:
        with pytest.raises(HostileXMLError, match="more than 1000 elements without a pupil"):
            read_ctf(source=content, limits=limits)
    else:
        assert len(read_ctf(source=content, limits=limits).pupils) == 1
