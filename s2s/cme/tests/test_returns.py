"""The returns a school owes its LA: made from the roll, listed until the LA marks them received."""

from datetime import date

import pytest
from django.urls import reverse

from s2s.accounts.roles import Role
from s2s.api.tests.conftest import api_client
from s2s.audit.models import AuditEvent
from s2s.cme.models import SchoolReturn
from s2s.cme.tests.conftest import UPN_1, UPN_2, pupil, recompute, send_roll

URL = "/api/v1/cme/returns"


@pytest.fixture
def officer(make_user, home_la):
    return make_user(Role.LA_CME, home_la, username="838cme")


@pytest.fixture
def owed(school, connector):
    """UPN_2 joined on Monday 10 November; UPN_1 was deleted on Wednesday 5 November."""
    send_roll(connector, [pupil(UPN_1, leaving_date="2025-11-05", destination="8384512"),
                          pupil(UPN_2, entry_date="2025-11-10")])
    recompute(school, "2025-11-12")
    return {item.kind: item for item in SchoolReturn.objects.all()}


def test_a_new_pupil_is_due_in_5_school_days_and_a_deletion_on_the_day(owed):
    assert sorted(owed) == ["deletion_return_due", "new_pupil_return_due"]
    new, deleted = owed["new_pupil_return_due"], owed["deletion_return_due"]
    assert (new.upn, new.event_date, new.due_on) == (UPN_2, date(2025, 11, 10),
                                                      date(2025, 11, 18))
    assert (deleted.upn, deleted.event_date, deleted.due_on) == (
        UPN_1, date(2025, 11, 5), date(2025, 11, 5))


def test_a_return_is_made_once_however_often_the_school_is_recomputed(owed, school):
    recompute(school, "2025-11-13")
    recompute(school, "2025-11-20")
    assert SchoolReturn.objects.count() == 2


def test_joining_on_the_first_day_of_the_year_owes_no_new_pupil_return(school, connector):
    send_roll(connector, [pupil(UPN_2, entry_date="2025-09-03")])
    recompute(school, "2025-09-20")
    assert not SchoolReturn.objects.exists()


def test_the_la_marks_a_return_received_once_and_the_school_stops_owing_it(
        owed, officer, connector):
    deletion = owed["deletion_return_due"]
    school = api_client(connector)
    assert school.get(URL, {"status": "outstanding"}).json()["count"] == 2
    response = api_client(officer).post(f"{URL}/{deletion.pk}/received")
    assert response.status_code == 200
    assert response.json()["status"] == "received"
    again = api_client(officer).post(f"{URL}/{deletion.pk}/received")
    assert (again.status_code, again.json()["code"]) == (400, "already_received")
    outstanding = school.get(URL, {"status": "outstanding"}).json()
    assert [item["kind"] for item in outstanding["items"]] == ["new_pupil_return_due"]
    event = AuditEvent.objects.get(action="cme_return_received")
    assert (event.actor, event.detail["return"]) == (officer, deletion.pk)


def test_only_the_schools_la_cme_officer_may_mark_it_received(
        owed, make_user, other_la, connector, la_officer):
    deletion = owed["deletion_return_due"]
    for user in (make_user(Role.LA_CME, other_la, username="681cme"), connector, la_officer):
        assert api_client(user).post(f"{URL}/{deletion.pk}/received").status_code == 404
    deletion.refresh_from_db()
    assert deletion.received_at is None


def test_the_list_carries_the_return_and_every_read_is_audited(owed, officer):
    body = api_client(officer).get(URL, {"kind": "new_pupil_return_due"}).json()
    new = owed["new_pupil_return_due"]
    assert body == {"count": 1, "next": None, "items": [{
        "id": new.pk, "kind": "new_pupil_return_due", "upn": UPN_2, "surname": "Smith",
        "forename": "Amy", "dob": "2016-10-15", "school": "8383321", "la": "838",
        "event_date": "2025-11-10", "due_on": "2025-11-18", "status": "outstanding",
        "overdue": True, "received_at": None}]}
    event = AuditEvent.objects.get(action="cme_returns_view")
    assert event.detail["returns"] == [new.pk]


def test_another_las_people_see_none_of_them(owed, make_user, other_la, outsider_school):
    for user in (make_user(Role.LA_CME, other_la, username="681cme"),
                 make_user(Role.CONNECTOR, outsider_school, username="6812345-mis")):
        client = api_client(user)
        assert client.get(URL).json()["count"] == 0
        assert client.get(URL, {"school": "8383321"}).status_code == 404


def test_the_la_page_lists_the_outstanding_returns_and_marks_one_received(
        owed, officer, client):
    client.force_login(officer)
    page = client.get(reverse("cme:returns")).content.decode()
    assert UPN_1 in page
    assert UPN_2 in page
    deletion = owed["deletion_return_due"]
    response = client.post(reverse("cme:return-received", args=[deletion.pk]), follow=True)
    assert f"The return for {UPN_1} is marked received." in response.content.decode()
    page = client.get(reverse("cme:returns")).content.decode()
    assert UPN_1 not in page
    assert UPN_2 in page
