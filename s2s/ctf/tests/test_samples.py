"""The real SIMS samples in ../shared/samples/ctf (issue 3, Tests; samples/README.md)."""

from s2s.ctf.tests.conftest import TODAY
from s2s.ctf.validate import validate_ctf


def test_real_sample_keeps_every_pupil_and_warns_on_broken_check_letters(samples):
    """Samples README: anonymisation broke check characters; flag them, keep the pupils."""
    report = validate_ctf(source=samples / "y7_2_students.xml",
                          file_name="8383321_CTF_8384512_001.XML", today=TODAY)
    assert report.accepted
    assert [p.upn for p in report.pupils] == ["G335311012004", "U865346313703"]
    checks = [(f.pupil, f.field, f.line) for f in report.warnings if f.code.endswith("_check")]
    assert checks == [(2, "UPN", 260), (2, "BasicDetails/FormerUPN", 266)]


def test_real_sample_ctf_19_is_read_with_a_version_warning(samples):
    """Issue 3, Reading: CTF 19.0 is outside 24.0-26.0: read it, and warn."""
    report = validate_ctf(source=samples / "y7_2_students.xml", today=TODAY)
    version = [f for f in report.warnings if f.code == "version"]
    assert len(version) == 1
    assert "19.0" in version[0].message


def test_real_sample_index_reads_gender_and_the_latest_leaving(samples):
    report = validate_ctf(source=samples / "y7_2_students.xml", today=TODAY)
    first, second = report.pupils
    assert (first.surname, first.forename, first.dob, first.sex) == (
        "Richie", "Lionel", "2008-11-13", "M")
    assert (first.postcode, first.town, first.nc_year) == ("DT2 0NS", "Dorchester", "6")
    assert (first.leaving_date, first.leaving_reason) == ("2020-02-14", "IM")
    assert (second.former_upn, second.leaving_date, second.leaving_reason) == (
        "M86534630235G", "2015-01-30", "OR")


def test_real_partial_sample_is_read(samples):
    report = validate_ctf(source=samples / "y7_partial.xml",
                          file_name="9333281_CTF_8384512_001.XML", today=TODAY)
    assert report.accepted
    assert report.header.document_qualifier == "partial"
    assert report.header.data_qualifier is None
    assert [p.surname for p in report.pupils] == ["Jagger"]
    assert [f.code for f in report.warnings] == ["version", "upn_check"]
