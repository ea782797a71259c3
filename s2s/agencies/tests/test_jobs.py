"""Named jobs: a zip whose free text names a job holds its CSV, each row valid (issue 16)."""

import pytest

from s2s.audit.models import AuditEvent
from s2s.core.errors import ServiceError
from s2s.ctf.identifiers import make_upn
from s2s.directory.models import Agency, AgencyKind
from s2s.transfers.services.receive import transfer_open_for_download
from s2s.transfers.tests.ctfs import zip_of

from .conftest import years_ago

UPN = make_upn(la="838", establishment="3321", year=16, serial=1)
NURSING_COLUMNS = "establishment,year_group,upn,surname,forename,dob,consent,opt_out"
CHILD_COLUMNS = "nhs_number,surname,forename,dob,postcode"


def _csv(*lines: str) -> bytes:
    return zip_of({"list.csv": ("\r\n".join(lines) + "\r\n").encode()})


def _refused(upload, user, name, content) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        upload(user, name, content)
    return refused.value


@pytest.fixture
def nursing(agency, agreement):
    agreement(agency, "both", "838LLLL")
    return agency


def test_a_school_nursing_list_with_valid_rows_goes_from_the_la_to_health(upload, la_officer,
                                                                          nursing):
    content = _csv(NURSING_COLUMNS, f"8383321,R,{UPN},Smith,Ann,2021-05-01,Y,N",
                   f"8383321,6,{UPN},Jones,Bo,2016-01-31,N,Y")
    transfer = upload(la_officer, "838LLLL_838HLTH_SCHOOLNURSING.ZIP", content).transfer
    assert transfer.destination_agency == nursing
    assert transfer.pupil_count == 2
    assert list(transfer.pupils.values_list("surname", "nc_year")) == [("Smith", "R"),
                                                                      ("Jones", "6")]
    assert AuditEvent.objects.get(action="transfer_upload").detail["upns"] == [UPN, UPN]


def test_a_job_files_download_is_audited_with_its_upns(upload, la_officer, nurse, nursing):
    content = _csv(NURSING_COLUMNS, f"8383321,R,{UPN},Smith,Ann,2021-05-01,Y,N")
    transfer = upload(la_officer, "838LLLL_838HLTH_SCHOOLNURSING.ZIP", content).transfer

    _name, chunks = transfer_open_for_download(user=nurse, transfer=transfer)
    assert b"".join(chunks) == content
    event = AuditEvent.objects.get(action="transfer_download")
    assert event.detail["upns"] == [UPN]


def test_a_row_with_a_bad_flag_or_year_group_is_refused_naming_its_line_and_column(
        upload, la_officer, nursing):
    content = _csv(NURSING_COLUMNS, f"8383321,R,{UPN},Smith,Ann,2021-05-01,Y,N",
                   f"8383321,15,{UPN},Jones,Bo,2016-01-31,maybe,Y")
    refused = _refused(upload, la_officer, "838LLLL_838HLTH_SCHOOLNURSING.ZIP", content)
    assert refused.code == "job_rows"
    assert refused.message == (
        "The SCHOOLNURSING file was refused: line 3, year_group must be a year group: N1, N2, "
        "R or 1 to 14, not “15”; line 3, consent must be Y or N, not “maybe”.")


def test_a_job_file_without_the_jobs_columns_is_refused(upload, la_officer, nursing):
    refused = _refused(upload, la_officer, "838LLLL_838HLTH_SCHOOLNURSING.ZIP",
                       _csv("upn,surname", f"{UPN},Smith"))
    assert refused.code == "job_columns"
    assert NURSING_COLUMNS in refused.message


def test_a_job_sent_the_wrong_way_is_refused(upload, nurse, nursing):
    refused = _refused(upload, nurse, "838HLTH_838LLLL_SCHOOLNURSING.ZIP",
                       _csv(NURSING_COLUMNS, f"8383321,R,{UPN},Smith,Ann,2021-05-01,Y,N"))
    assert refused.code == "job_direction"
    assert refused.message == ("A SCHOOLNURSING file goes from an LA mailbox (LLLL) to an "
                               "agency (health).")


def test_dental_health_goes_to_a_dental_agency(upload, la_officer, home_la, agreement):
    dental = Agency.objects.create(la=home_la, reference="838DENT", name="Dental",
                                   kind=AgencyKind.DENTAL)
    agreement(dental, "in", "838LLLL")
    content = _csv(NURSING_COLUMNS, f"8383321,2,{UPN},Smith,Ann,2019-05-01,Y,N")
    assert upload(la_officer, "838LLLL_838DENT_dental.ZIP", content).transfer.pk


def test_health_sends_the_la_its_children_aged_two_to_four(upload, nurse, nursing):
    content = _csv(CHILD_COLUMNS, f"9434765919,Smith,Ann,{years_ago(3)},DT1 1XJ",
                   f"943 476 5919,Jones,Bo,{years_ago(2)},DT1 2AB")
    assert upload(nurse, "838HLTH_838LLLL_CHILDHEALTH.ZIP", content).transfer.pk


def test_a_child_outside_two_to_four_or_a_bad_nhs_number_is_refused(upload, nurse, nursing):
    content = _csv(CHILD_COLUMNS, f"9434765919,Smith,Ann,{years_ago(5)},DT1 1XJ",
                   f"9434765918,Jones,Bo,{years_ago(1, days=-1)},DT1 2AB")
    refused = _refused(upload, nurse, "838HLTH_838LLLL_CHILDHEALTH.ZIP", content)
    assert refused.message == (
        "The CHILDHEALTH file was refused: line 2, dob gives a child aged 5: this list is of "
        "children aged 2 to 4; line 3, nhs_number has the wrong check digit; line 3, dob gives "
        "a child aged 0: this list is of children aged 2 to 4.")


def test_a_job_zip_must_hold_one_csv(upload, nurse, nursing):
    content = zip_of({"a.csv": b"x", "b.csv": b"y"})
    refused = _refused(upload, nurse, "838HLTH_838LLLL_CHILDHEALTH.ZIP", content)
    assert refused.code == "job_content"


def test_any_other_free_text_is_a_plain_generic_zip(upload, nurse, nursing):
    assert upload(nurse, "838HLTH_838LLLL_MINUTES.ZIP", zip_of({"m.txt": b"x"})).transfer.pk
