"""The LA DBA's pages: add an agency, make an agreement; the agency's user at work."""

import io
from datetime import timedelta

from django.utils import timezone

from s2s.agencies.models import ExchangeAgreement
from s2s.api.tests.conftest import api_client
from s2s.directory.models import Agency
from s2s.transfers.tests.ctfs import zip_of


def _until(days=90) -> dict:
    until = timezone.localdate() + timedelta(days=days)
    return {"until_day": until.day, "until_month": until.month, "until_year": until.year}


def test_a_dba_adds_an_agency_of_its_la_on_a_page(la_dba, client):
    client.force_login(la_dba)
    response = client.post("/directory/agencies/new", {
        "reference": "838POLC", "name": "Dorset Police", "kind": "police",
        "email": "hub@police.example.gov.uk"})
    assert response.status_code == 302
    assert Agency.objects.get(reference="838POLC").la == la_dba.la


def test_a_dba_is_told_on_the_form_when_the_reference_is_another_las(la_dba, other_la, client):
    client.force_login(la_dba)
    page = client.post("/directory/agencies/new", {
        "reference": "681POLC", "name": "Police", "kind": "police",
        "email": "hub@police.example.gov.uk"}).content.decode()
    assert "An agency reference must start with your LA number, 838." in page
    assert "govuk-error-summary" in page


def test_a_dba_makes_an_agreement_on_a_page_and_the_agency_user_sees_it(la_dba, agency, nurse,
                                                                        client):
    client.force_login(la_dba)
    response = client.post("/agencies/agreements/new", {
        "agency": "838HLTH", "direction": "both", "ends": "838LLLL", "purpose": "Nursing",
        **_until()})
    assert response.status_code == 302
    assert ExchangeAgreement.objects.get().ends == ["838LLLL"]

    client.force_login(nurse)
    page = client.get("/agencies/agreements/").content.decode()
    assert "838LLLL" in page
    assert "In force" in page
    assert "End now" not in page


def test_an_agreement_form_shows_the_services_refusal_on_its_field(la_dba, agency, client):
    client.force_login(la_dba)
    page = client.post("/agencies/agreements/new", {
        "agency": "838HLTH", "direction": "in", "ends": "6812345", "purpose": "Nursing",
        **_until()}).content.decode()
    assert "6812345 is not the LA mailbox 838LLLL" in page


def test_an_agency_uploads_on_the_upload_page_under_an_agreement(nurse, agency, agreement,
                                                                 client):
    agreement(agency, "out", "838LLLL")
    client.force_login(nurse)
    upload = io.BytesIO(zip_of({"a.txt": b"x"}))
    upload.name = "838HLTH_838LLLL_NOTES.ZIP"
    client.post("/files/upload", {"files": upload})
    assert agency.transfers_sent.count() == 1


def test_an_agency_uses_the_api_with_its_own_token(nurse, agency, agreement):
    client = api_client(nurse)
    refused = client.upload("838HLTH_838LLLL_NOTES.ZIP", zip_of({"a.txt": b"x"}))
    assert refused.status_code == 400
    assert refused.json()["code"] == "no_agreement"

    agreement(agency, "out", "838LLLL")
    accepted = client.upload("838HLTH_838LLLL_NOTES.ZIP", zip_of({"a.txt": b"x"}))
    assert accepted.status_code == 201
    assert accepted.json()["source"] == "838HLTH"
    assert client.get("/api/v1/files?box=outbox").json()["count"] == 1


def test_a_dba_sets_a_schools_designated_safeguarding_lead(la_dba, sending_school, client):
    client.force_login(la_dba)
    response = client.post(f"/directory/schools/{sending_school.code}/edit", {
        "name": sending_school.name, "email": sending_school.email, "active": "on",
        "safeguarding_email": "dsl@school.example.sch.uk"})
    assert response.status_code == 302
    sending_school.refresh_from_db()
    assert sending_school.safeguarding_email == "dsl@school.example.sch.uk"
    page = client.get(f"/directory/schools/{sending_school.code}").content.decode()
    assert "dsl@school.example.sch.uk" in page


def test_the_la_and_the_agency_see_each_other_by_name_on_their_generic_files(
        upload, nurse, la_officer, agency, agreement, client):
    agreement(agency, "both", "838LLLL")
    upload(nurse, "838HLTH_838LLLL_NOTES.ZIP", zip_of({"a.txt": b"x"}))
    upload(la_officer, "838LLLL_838HLTH_REPLY.ZIP", zip_of({"b.txt": b"y"}))

    client.force_login(la_officer)
    assert "838HLTH Dorset school nursing" in client.get("/files/generic").content.decode()
    client.force_login(nurse)
    page = client.get("/files/generic").content.decode()
    assert "838LLLL_838HLTH_REPLY.ZIP" in page
    assert "838LLLL" in client.get("/files/sent").content.decode()
