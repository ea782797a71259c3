"""The LPD pages: search, the audited record view, attested download, forward, and that no
school role reaches any of them."""

import lxml.html
import pytest
from django.urls import reverse

from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent
from s2s.lostpupils.models import RecordStatus
from s2s.lostpupils.tests.conftest import send_lost
from s2s.lostpupils.urls import urlpatterns
from s2s.transfers.models import Transfer


@pytest.fixture
def record(sending_school_user):
    return send_lost(sending_school_user, "8383321", surname="Thomson", forename="Ayesha",
                     dob="2012-10-05", sex="F").lost_pupil


def test_the_search_page_ranks_with_reasons_and_audits_the_search(client, record,
                                                                   lpd_transfer_officer):
    client.force_login(lpd_transfer_officer)
    response = client.get(reverse("lostpupils:search"),
                          {"surname": "Thompson", "dob": "2012-10-05", "search": ""})
    assert response.status_code == 200
    assert "Surname sounds alike, DOB exact" in response.content.decode()
    assert AuditEvent.objects.filter(action="lpd_search").count() == 1


def test_the_search_page_sorts_by_a_column(client, record, sending_school_user,
                                           lpd_transfer_officer):
    send_lost(sending_school_user, "8383321", surname="Tomson", forename="Zak",
              dob="2012-10-05", sex="M")
    client.force_login(lpd_transfer_officer)
    response = client.get(reverse("lostpupils:search"), {
        "surname": "Thomson", "dob": "2012-10-05", "search": "", "sort": "-forename"})
    page = response.context["page"]
    assert [hit.record.forename for hit in page.object_list] == ["Zak", "Ayesha"]


def test_choosing_a_result_shows_its_details_and_is_audited(client, record,
                                                            lost_pupil_officer):
    client.force_login(lost_pupil_officer)
    response = client.get(reverse("lostpupils:record", args=[record.pk]))
    content = response.content.decode()
    assert "8383321 Stickland" in content
    assert "Date uploaded" in content
    assert AuditEvent.objects.get(action="lpd_view").object_id == str(record.pk)


def test_the_attestation_box_must_be_ticked(client, record, lpd_transfer_officer):
    client.force_login(lpd_transfer_officer)
    response = client.post(reverse("lostpupils:download", args=[record.pk]), {})
    assert response.status_code == 200
    assert "Confirm that you have taken reasonable steps" in response.content.decode()
    assert not AuditEvent.objects.filter(action="lpd_download").exists()


def test_attested_download_then_confirmation_marks_it_downloaded(client, record,
                                                                lpd_transfer_officer):
    client.force_login(lpd_transfer_officer)
    url = reverse("lostpupils:download", args=[record.pk])
    attested = client.post(url, {"attest": "on"}, follow=True)
    steps = attested.content.decode()
    assert "Step 1: download the file" in steps
    assert "Step 2: confirm it downloaded correctly" in steps
    assert "reload" not in steps
    response = client.get(reverse("lostpupils:file", args=[record.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert b"Thomson" in b"".join(response.streaming_content)
    assert AuditEvent.objects.filter(action="lpd_download").count() == 1
    client.post(reverse("lostpupils:confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == RecordStatus.DOWNLOADED
    assert record.downloaded_by == lpd_transfer_officer


def test_the_file_is_not_sent_before_the_attestation(client, record, lpd_transfer_officer):
    client.force_login(lpd_transfer_officer)
    response = client.get(reverse("lostpupils:file", args=[record.pk]))
    assert response["Location"] == reverse("lostpupils:download", args=[record.pk])
    assert not AuditEvent.objects.filter(action="lpd_download").exists()


def test_confirming_before_downloading_keeps_the_person_on_a_working_download_page(
        client, record, lpd_transfer_officer):
    client.force_login(lpd_transfer_officer)
    client.post(reverse("lostpupils:download", args=[record.pk]), {"attest": "on"})
    response = client.post(reverse("lostpupils:confirm", args=[record.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Download the file in step 1 before you confirm" in page
    assert reverse("lostpupils:file", args=[record.pk]) in page
    record.refresh_from_db()
    assert record.status == RecordStatus.OPEN


def test_confirming_without_downloading_changes_nothing(client, record, lpd_transfer_officer):
    client.force_login(lpd_transfer_officer)
    client.post(reverse("lostpupils:confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == RecordStatus.OPEN


def test_the_send_to_a_school_page_offers_the_las_open_schools(client, record,
                                                              lpd_transfer_officer,
                                                              receiving_school):
    client.force_login(lpd_transfer_officer)
    tree = lxml.html.fromstring(client.get(reverse("lostpupils:forward", args=[record.pk])
                                           ).content)
    offered = tree.xpath("//datalist[@id=//input[@name='to']/@list]/option/@value")
    assert "8384512 Thomas Hardye School" in offered
    assert all(value.startswith("838") for value in offered)


def test_forwarding_through_the_page_delivers_a_ctf_to_the_school(
        client, record, lpd_transfer_officer, receiving_school):
    client.force_login(lpd_transfer_officer)
    response = client.post(reverse("lostpupils:forward", args=[record.pk]),
                           {"to": "8384512 Thomas Hardye School"})
    assert response.status_code == 302
    new = Transfer.objects.get(destination_establishment=receiving_school)
    assert new.name.startswith("838LLLL_CTF8384512_")
    record.refresh_from_db()
    assert record.forwarded_to == "8384512"


def test_the_la_records_page_flags_a_second_file(client, record, sending_school_user,
                                                 lost_pupil_officer):
    send_lost(sending_school_user, "8383321", surname="Thomson", forename="Ayesha",
              dob="2012-10-05")
    client.force_login(lost_pupil_officer)
    response = client.get(reverse("lostpupils:la-records"))
    assert "Second file" in response.content.decode()


def test_removing_through_the_page_needs_a_reason_then_removes_the_record(
        client, record, lost_pupil_officer):
    client.force_login(lost_pupil_officer)
    url = reverse("lostpupils:remove", args=[record.pk])
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 200
    assert "Enter why the record is removed" in refused.content.decode()
    record.refresh_from_db()
    assert record.status == RecordStatus.OPEN
    response = client.post(url, {"reason": "On roll at 8384512"})
    assert response.status_code == 302
    assert response["Location"] == reverse("lostpupils:la-records")
    record.refresh_from_db()
    assert record.status == RecordStatus.REMOVED
    assert record.remove_reason == "On roll at 8384512"


@pytest.mark.parametrize("role", [Role.SCHOOL, Role.CONNECTOR, Role.LA_SCHOOL])
def test_no_school_role_reaches_any_lpd_page(client, make_user, sending_school, home_la,
                                             record, role):
    scope = home_la if role == Role.LA_SCHOOL else sending_school
    client.force_login(make_user(role, scope, username=f"u_{role}"))
    for pattern in urlpatterns:
        kwargs = {"pk": record.pk} if "<int:pk>" in str(pattern.pattern) else {}
        url = reverse(f"lostpupils:{pattern.name}", kwargs=kwargs)
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"attest": "on", "to": "8384512", "reason": "x"}
                           ).status_code == 404, url


def test_results_sort_by_school_and_la(client, record, outsider_school_user,
                                       lpd_transfer_officer):
    send_lost(outsider_school_user, "6812345", surname="Thomson", forename="Ayesha",
              dob="2012-10-05")
    client.force_login(lpd_transfer_officer)
    url = reverse("lostpupils:search")
    for sort, expected in (("school", ["6812345", "8383321"]), ("-la", ["838", "681"])):
        page = client.get(url, {"surname": "Thomson", "dob": "2012-10-05", "search": "",
                                "sort": sort}).context["page"]
        shown = [hit.record.uploading_school.code if sort == "school"
                 else hit.record.uploading_la.number for hit in page.object_list]
        assert shown == expected, sort
