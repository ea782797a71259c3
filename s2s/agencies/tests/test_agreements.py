"""Files go to and from an agency only where an exchange agreement in force allows (issue 16)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from s2s.accounts.policy import Action, can
from s2s.agencies.agreements import agreement_end, agreement_make
from s2s.audit.models import AuditEvent
from s2s.core.errors import ServiceError
from s2s.directory.models import Agency, AgencyKind
from s2s.transfers.selectors import transfer_inbox
from s2s.transfers.tests.ctfs import zip_of

NOTES = zip_of({"notes.txt": b"Clinic dates"})


def _refusal(upload, user, name, content=NOTES) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        upload(user, name, content)
    return refused.value


def test_an_agency_with_no_agreement_is_refused_naming_what_is_missing(upload, nurse):
    refused = _refusal(upload, nurse, "838HLTH_838LLLL_NOTES.ZIP")
    assert refused.code == "no_agreement"
    assert refused.message == (
        "There is no exchange agreement in force for files from agency 838HLTH to 838LLLL: "
        "LA 838's database administrator must make one (direction out or both, with 838LLLL)."
    )


def test_nobody_can_send_to_an_agency_without_an_agreement(upload, la_officer,
                                                           sending_school_user, agency):
    for user, name in ((la_officer, "838LLLL_838HLTH_NOTES.ZIP"),
                       (sending_school_user, "8383321_838HLTH_NOTES.ZIP")):
        refused = _refusal(upload, user, name)
        assert refused.code == "no_agreement"
        assert "to agency 838HLTH" in refused.message
        assert "(direction in or both" in refused.message


def test_with_an_agreement_both_ways_files_go_both_ways_and_reach_the_right_inbox(
        upload, nurse, la_officer, agency, agreement):
    agreement(agency, "both", "838LLLL")

    out = upload(nurse, "838HLTH_838LLLL_NOTES.ZIP", NOTES).transfer
    back = upload(la_officer, "838LLLL_838HLTH_REPLY.ZIP", zip_of({"r.txt": b"ok"})).transfer

    assert out.source_agency == agency
    assert out.destination_la == agency.la
    assert back.destination_agency == agency
    assert back.destination_kind == "agency"
    assert list(transfer_inbox(user=la_officer, generic=True)) == [out]
    assert list(transfer_inbox(user=nurse, generic=True)) == [back]
    assert can(nurse, Action.RECEIVE_FILES, back)
    assert not can(nurse, Action.RECEIVE_FILES, out)


def test_an_agreement_one_way_refuses_the_other_way(upload, nurse, la_officer, agency,
                                                   agreement):
    agreement(agency, "out", "838LLLL")
    upload(nurse, "838HLTH_838LLLL_NOTES.ZIP", NOTES)

    assert _refusal(upload, la_officer, "838LLLL_838HLTH_NOTES.ZIP").code == "no_agreement"


def test_an_agreement_covers_only_the_places_it_names(upload, sending_school_user,
                                                      receiving_school_user, agency, agreement):
    agreement(agency, "in", "8383321")
    upload(sending_school_user, "8383321_838HLTH_NOTES.ZIP", NOTES)

    refused = _refusal(upload, receiving_school_user, "8384512_838HLTH_NOTES.ZIP")
    assert refused.code == "no_agreement"
    assert "from 8384512 to agency 838HLTH" in refused.message


def test_an_expired_agreement_refuses_and_says_when_it_ended(upload, nurse, agency, agreement):
    agreement(agency, "both", "838LLLL", until=timezone.localdate() - timedelta(days=1))

    refused = _refusal(upload, nurse, "838HLTH_838LLLL_NOTES.ZIP")
    assert refused.code == "no_agreement"
    yesterday = timezone.localdate() - timedelta(days=1)
    assert refused.message.endswith(
        f"The last one ended on {yesterday.day} {yesterday:%B} {yesterday.year}.")


def test_an_agreement_ended_early_refuses_from_that_moment(upload, nurse, la_dba, agency,
                                                           agreement):
    made = agreement(agency, "both", "838LLLL")
    upload(nurse, "838HLTH_838LLLL_NOTES.ZIP", NOTES)

    agreement_end(user=la_dba, agreement=made)

    assert _refusal(upload, nurse, "838HLTH_838LLLL_AGAIN.ZIP").code == "no_agreement"
    assert AuditEvent.objects.filter(action="agency.agreement_ended").count() == 1


def test_agencies_never_exchange_files_with_each_other(upload, nurse, agency, home_la,
                                                       agreement):
    Agency.objects.create(la=home_la, reference="838DENT", name="Dental", kind=AgencyKind.DENTAL)
    agreement(agency, "both", "838LLLL")

    assert _refusal(upload, nurse, "838HLTH_838DENT_NOTES.ZIP").code == "agency_to_agency"


def test_an_agency_sends_no_ctf(upload, nurse, agency, agreement):
    agreement(agency, "both", "838LLLL")

    assert _refusal(upload, nurse, "838HLTH_CTF_838LLLL_001.XML", b"<CTfile/>").code == \
        "file_name"


def test_an_unknown_agency_is_refused_as_a_destination(upload, la_officer):
    refused = _refusal(upload, la_officer, "838LLLL_838ZZZZ_NOTES.ZIP")
    assert refused.code == "unknown_destination"
    assert "There is no agency 838ZZZZ on s2s" in refused.message


def test_a_dba_makes_an_agreement_with_its_la_mailbox_and_schools_and_it_is_audited(
        la_dba, agency, sending_school):
    until = timezone.localdate() + timedelta(days=30)
    made = agreement_make(user=la_dba, agency=agency, direction="both",
                          ends=["838llll", " 8383321", "8383321"], purpose="  Nursing ",
                          until=until)
    assert made.ends == ["838LLLL", "8383321"]
    assert made.purpose == "Nursing"
    event = AuditEvent.objects.get(action="agency.agreement_made")
    assert event.actor == la_dba
    assert event.detail["ends"] == ["838LLLL", "8383321"]


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"direction": "sideways"}, "direction", "Choose the direction"),
    ({"ends": ["6812345"]}, "ends", "6812345 is not the LA mailbox 838LLLL or an open school"),
    ({"ends": ["681LLLL"]}, "ends", "681LLLL is not the LA mailbox 838LLLL"),
    ({"ends": []}, "ends", "Enter who the agency exchanges files with"),
    ({"purpose": "  "}, "purpose", "Enter the purpose of the exchange."),
    ({"until": None}, "until", "Enter the date the agreement ends."),
    ({"until": "past"}, "until", "The end date must be today or later"),
])
def test_an_agreement_is_refused_naming_the_field_at_fault(la_dba, agency, outsider_school,
                                                           fields, field, words):
    values = {"direction": "in", "ends": ["838LLLL"], "purpose": "Nursing",
              "until": timezone.localdate() + timedelta(days=3), **fields}
    if values["until"] == "past":
        values["until"] = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ServiceError) as refused:
        agreement_make(user=la_dba, agency=agency, **values)
    assert refused.value.field == field
    assert words in refused.value.message


def test_another_las_dba_cannot_make_an_agreement_for_the_agency(other_la_dba, agency):
    with pytest.raises(ServiceError) as refused:
        agreement_make(user=other_la_dba, agency=agency, direction="in", ends=["838LLLL"],
                       purpose="x", until=timezone.localdate())
    assert refused.value.code == "forbidden"
