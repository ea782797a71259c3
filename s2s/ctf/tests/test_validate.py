import io
import json
from datetime import date

import pytest

from s2s.ctf import rawscan
from s2s.ctf.reader import CTFReader, Limits
from s2s.ctf.synthetic import generate_ctf
from s2s.ctf.tests.conftest import PUPIL, TODAY, make_ctf
from s2s.ctf.validate import PupilChecks, validate_ctf


def codes(findings):
    return [finding.code for finding in findings]


def check(content, **kwargs):
    return validate_ctf(source=content, today=TODAY, **kwargs)


def test_a_clean_file_is_accepted_without_warnings():
    report = check(make_ctf(), file_name="8383321_CTF_8384512_001.XML")
    assert report.accepted
    assert report.warnings == []
    assert report.pupil_count == 1


@pytest.mark.parametrize(("version", "warned"), [("26.0", False), ("25.0", False),
                                                 ("24.0", False), ("23.0", True),
                                                 ("27.0", True), ("19.0", True),
                                                 ("twenty", True)])
def test_ctf_version_current_and_previous_two_are_accepted(version, warned):
    """Issue 3, Reading: accept the current and previous two CTF versions, warn on others."""
    report = check(make_ctf(version=version))
    assert report.accepted
    assert ("version" in codes(report.warnings)) is warned


def test_ctf_version_window_follows_the_injected_today():
    """The academic year starts on 1 September: on 31 August 2026 the current is 25.0."""
    report = validate_ctf(source=make_ctf(version="23.0"), today=date(2026, 8, 31))
    assert "version" not in codes(report.warnings)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"upn": "Z801200001001"}, "upn_check", "UPN"),
        ({"dob": "2015-02-30"}, "date_impossible", "DOB"),
        ({"dob": "2027-01-01"}, "date_impossible", "DOB"),
        ({"dob": "2000-01-01", "nc_year": "6"}, "age_range", "DOB"),
        ({"dob": "2012-03-04", "nc_year": "6"}, "age_nc_year", "BasicDetails/NCyearActual"),
        ({"postcode": "DT2"}, "postcode_malformed", "Address/PostCode"),
        ({"postcode": ""}, "postcode_missing", "Address/PostCode"),
        ({"surname": " Jones"}, "name_spaces", "Surname"),
        ({"forename": "Mary  Ann"}, "name_spaces", "Forename"),
        ({"surname": "JONES"}, "name_capitals", "Surname"),
        ({"extra": "<SchoolHistory><School><LeavingDate/></School></SchoolHistory>"},
         "empty_element", "SchoolHistory/School/LeavingDate"),
        ({"extra": "<SchoolHistory><School><EntryDate>2024-13-01</EntryDate></School>"
                   "</SchoolHistory>"}, "date_impossible", "SchoolHistory/School/EntryDate"),
        ({"extra": "<UCI>123456789012E</UCI>"}, "uci_check", "UCI"),
    ],
)
def test_pupil_problems_are_warnings_that_keep_the_pupil(fields, code, field):
    """Issue 3, Validation report: warnings keep the pupil, with position, element, line."""
    report = check(make_ctf(**fields))
    assert report.accepted
    assert len(report.pupils) == 1
    finding = next(f for f in report.warnings if f.code == code)
    assert (finding.pupil, finding.field) == (1, field)
    assert finding.line is not None


def test_uln_and_former_upn_check_failures_are_warnings():
    """Issue 3, Validation report: UPN, FormerUPN, ULN or UCI check failures."""
    content = make_ctf().replace(
        b"<NCyearActual>", b"<FormerUPN>M86534630235G</FormerUPN><NCyearActual>"
    ).replace(b"<Surname>", b"<UniqueLearnerNumber>1234567898</UniqueLearnerNumber><Surname>")
    report = check(content)
    assert set(codes(report.warnings)) == {"formerupn_check", "uniquelearnernumber_check"}


def test_duplicate_upn_within_the_file_is_a_warning():
    """Issue 3, Validation report: a duplicate UPN within the file."""
    pupil = PUPIL.format(upn="H801200001001", surname="Jones", forename="Seren",
                         dob="2015-03-04", sex_tag="Sex", nc_year="6", postcode="DT2 0NS",
                         extra="")
    report = check(make_ctf(pupils=[pupil, pupil]))
    duplicate = next(f for f in report.warnings if f.code == "upn_duplicate")
    assert duplicate.pupil == 2
    assert "also pupil 1's" in duplicate.message
    assert len(report.pupils) == 2


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"this is not xml", "not_xml"),
        (b"", "not_xml"),
        (b"<CTfile><Header>", "not_xml"),
        (b"<Pupils/>", "wrong_root"),
        (make_ctf().replace(b"<LEA>838</LEA><Estab>3321</Estab>", b""), "header"),
        (make_ctf(dest_estab="45X2"), "header"),
        (make_ctf(pupils=[]), "no_pupils"),
    ],
)
def test_files_the_hub_cannot_deliver_are_refused(content, code):
    """Issue 3 / DESIGN.md: not XML, wrong root, header missing, no pupils refuse the file."""
    report = check(content)
    assert not report.accepted
    assert code in codes(report.errors)


def test_header_disagreeing_with_the_file_name_refuses_the_file():
    """DESIGN.md, File names: the header's source and destination must match the name."""
    report = check(make_ctf(), file_name="8383322_CTF_8384513_001.XML")
    assert codes(report.errors) == ["name_mismatch", "name_mismatch"]
    assert [f.field for f in report.errors] == ["SourceSchool", "DestSchool"]


def test_la_mailbox_destination_agrees_with_an_llll_header():
    report = check(make_ctf(dest_estab="LLLL"), file_name="8383321_CTF_838ADMS_001.XML")
    assert report.accepted


def test_lost_pupil_destination_agrees_with_an_xxx_xxxx_header():
    report = check(make_ctf(dest_la="XXX", dest_estab="XXXX"),
                   file_name="8383321_CTF_XXXXXXX_001.XML")
    assert report.accepted


def test_lost_pupil_file_with_two_pupils_is_refused():
    """DESIGN.md, File names: lost-pupil files hold exactly one pupil."""
    pupil = PUPIL.format(upn="H801200001001", surname="A", forename="B", dob="2015-03-04",
                         sex_tag="Sex", nc_year="6", postcode="DT2 0NS", extra="")
    report = check(make_ctf(pupils=[pupil, pupil], dest_la="XXX", dest_estab="XXXX"),
                   file_name="8383321_CTF_XXXXXXX_001.XML")
    assert "lost_pupil_count" in codes(report.errors)


def test_unparseable_file_name_refuses_the_file_naming_the_part():
    report = check(make_ctf(), file_name="8383321_CTF_83845I2_001.XML")
    assert report.errors[0].field == "destination"
    assert report.errors[0].message.startswith("file name: destination '83845I2'")


def test_json_report_has_the_issue_3_keys():
    """Issue 3, Commands: file, accepted, name, header, pupils, errors, warnings."""
    report = check(make_ctf(surname="JONES"), file_name="8383321_CTF_8384512_001.XML")
    data = json.loads(report.as_json())
    assert set(data) == {"file", "accepted", "name", "header", "pupils", "errors", "warnings"}
    assert {"upn", "surname", "forename", "dob", "sex", "former_upn", "uln", "middle_names",
            "preferred_surname", "former_surname", "postcode", "town", "nc_year",
            "leaving_date", "leaving_reason"} <= set(data["pupils"][0])
    assert {"message", "pupil", "field", "line"} <= set(data["warnings"][0])
    assert data["name"]["destination_kind"] == "school"


def test_human_report_gives_verdict_and_each_finding_with_its_place():
    text = check(make_ctf(surname="JONES"), file_name="8383321_CTF_8384512_001.XML").as_text()
    assert text.splitlines()[0] == ("8383321_CTF_8384512_001.XML: accepted, 1 pupil(s), "
                                    "0 error(s), 1 warning(s)")
    assert "warning: pupil 1, line 15, <Surname>: Surname 'JONES' is in capitals" in text


def _both_ways(content):
    """Validate once parsed whole (a small file) and once streamed (as a large one is)."""
    whole = check(content, file_name="8383321_CTF_8384512_001.XML")
    streamed = check(content, file_name="8383321_CTF_8384512_001.XML",
                     limits=Limits(max_whole_bytes=0))
    return whole, streamed


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_small_file_read_whole_reports_what_streaming_reports(seed):
    """Small files take the faster whole-file parse; the report must not change with it."""
    out = io.BytesIO()
    generate_ctf(source="8383321", destination="8384512", pupils=40, out=out, seed=seed,
                 error_rate=0.3, today=TODAY)
    whole, streamed = _both_ways(out.getvalue())
    assert whole.warnings, "the synthetic errors should give warnings to compare"
    assert whole.as_dict() == streamed.as_dict()


def test_blank_and_date_leaves_are_found_the_same_whichever_way_a_file_is_read():
    extra = ("<SchoolHistory><School><EntryDate>2024-13-01</EntryDate><LeavingDate>\u00a0"
             "</LeavingDate><LeavingReason>  </LeavingReason></School></SchoolHistory>")
    whole, streamed = _both_ways(make_ctf(extra=extra))
    assert whole.as_dict() == streamed.as_dict()
    assert sorted(codes(whole.warnings)) == ["date_impossible", "empty_element",
                                             "empty_element"]


def test_a_malformed_small_file_is_reported_where_streaming_stops():
    """A file that is not well-formed is left to the streaming reader: same error, same line."""
    content = make_ctf().replace(b"</CTFpupilData>", b"</CTFpupilDat>")
    whole, streamed = _both_ways(content)
    assert whole.errors
    assert whole.as_dict() == streamed.as_dict()
    assert whole.header is not None  # the header before the fault is still read


@pytest.mark.parametrize(
    ("extra", "found"),
    [
        ('<SchoolHistory><School><EntryDate kind="a/>b">2024-02-30</EntryDate>'
         "</School></SchoolHistory>", [("date_impossible", "SchoolHistory/School/EntryDate")]),
        ("<SchoolHistory><School><EntryDate>2024-02-01&lt;</EntryDate></School>"
         "</SchoolHistory>", [("date_impossible", "SchoolHistory/School/EntryDate")]),
        ('<SuppInfo><Note kind="x&gt;y"/><Remark>\u3000\u00a0</Remark></SuppInfo>',
         [("empty_element", "SuppInfo/Note"), ("empty_element", "SuppInfo/Remark")]),
        ("<SuppInfo><Memo> &#13; </Memo></SuppInfo>", [("empty_element", "SuppInfo/Memo")]),
        ("<SchoolHistory><School><EntryDate>&#13;2024-02-01</EntryDate></School>"
         "</SchoolHistory>", []),
        ('<SuppInfo><x:ReviewDate xmlns:x="urn:x">2024-04-31</x:ReviewDate></SuppInfo>',
         [("date_impossible", "SuppInfo/{urn:x}ReviewDate")]),
        ("<SuppInfo><ExamDate><Year>2024</Year></ExamDate><Update>soon</Update>"
         "<ReviewDate>2024-04-30</ReviewDate></SuppInfo>", []),
    ],
    ids=["date-with-attribute", "date-with-markup", "blank-with-attribute-and-wide-spaces",
         "blank-carriage-return", "date-after-a-carriage-return", "namespaced-date",
         "no-leaf-date-or-real-date"],
)
def test_empty_elements_and_impossible_dates_are_found_however_they_are_written(extra, found):
    whole, streamed = _both_ways(make_ctf(extra=extra))
    assert whole.as_dict() == streamed.as_dict()
    assert [(f.code, f.field) for f in whole.warnings] == found


@pytest.mark.parametrize("seed", [4, 5])
def test_the_fast_path_for_clean_pupils_reports_what_the_checks_report(seed, monkeypatch):
    """A pupil the fast path passes must be one the checks find nothing in."""
    out = io.BytesIO()
    generate_ctf(source="8383321", destination="8384512", pupils=60, out=out, seed=seed,
                 error_rate=0.3, today=TODAY)
    extra = ("<SchoolHistory><School><EntryDate>2024-02-30</EntryDate><LeavingDate> "
             "</LeavingDate></School></SchoolHistory><Note>\u2003</Note><Memo/>")
    content = out.getvalue().replace(b"</Pupil>", extra.encode() + b"</Pupil>", 7)
    fast = check(content).as_dict()
    monkeypatch.setattr(PupilChecks, "_clean", lambda *args: False)
    checked = check(content).as_dict()
    assert fast["warnings"], "the synthetic errors should give warnings to compare"
    assert fast == checked


@pytest.mark.parametrize(("seed", "error_rate"), [(1, 0.0), (2, 0.02), (3, 0.3)])
@pytest.mark.parametrize("limits", [Limits(), Limits(max_whole_bytes=0)],
                         ids=["whole", "streamed"])
def test_a_synthetic_ctf_gets_the_report_of_the_precise_path(seed, error_rate, limits,
                                                             monkeypatch):
    """Every shortcut (the raw-byte watch and its C scan, the fast path for clean pupils) off:
    the same report, index and warnings alike, for the files `s2s ctf generate` writes."""
    out = io.BytesIO()
    generate_ctf(source="8383321", destination="8384512", pupils=200, out=out, seed=seed,
                 error_rate=error_rate, today=TODAY)
    content = out.getvalue()
    assert len(content) < Limits().max_whole_bytes  # "whole" is parsed whole
    name = "8383321_CTF_8384512_001.XML"
    fast = check(content, file_name=name, limits=limits).as_dict()
    monkeypatch.setattr(rawscan, "start_then_blank", rawscan.start_then_blank_re)
    monkeypatch.setattr(CTFReader, "leaves_suspect", property(lambda self: True))
    monkeypatch.setattr(PupilChecks, "_clean", lambda *args: False)
    precise = check(content, file_name=name, limits=limits).as_dict()
    assert fast == precise
    assert len(fast["pupils"]) == 200
    assert bool(fast["warnings"]) is (error_rate > 0)
