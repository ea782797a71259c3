"""The audit trail: append-only, and each viewer sees only its own part of it."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from s2s.accounts import services
from s2s.accounts.roles import Role
from s2s.audit.models import AppendOnlyError, AuditEvent
from s2s.audit.selectors import audit_events_for
from s2s.audit.services import audit_record


@pytest.fixture
def event(db, la_officer):
    return audit_record(action="test.happened", actor=la_officer, summary="Something")


def test_an_event_cannot_be_changed(event):
    event.summary = "Something else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="Something else")
    assert AuditEvent.objects.get(pk=event.pk).summary == "Something"


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_an_event_outlives_its_actor(la_dba, la_officer):
    audit_record(action="test.happened", actor=la_officer)
    services.user_delete(by=la_dba, user=la_officer)
    event = AuditEvent.objects.get(action="test.happened")
    assert event.actor is None
    assert event.actor_username == "838user"


def test_the_request_address_is_recorded(db, rf):
    request = rf.get("/", REMOTE_ADDR="192.0.2.7")
    assert audit_record(action="test.happened", request=request).ip_address == "192.0.2.7"


@pytest.fixture
def trail(la_dba, la_officer, other_la_dba, other_la_officer, service_admin,
          sending_school_user):
    services.user_confirm_still_valid(by=la_dba, user=la_officer)
    services.user_confirm_still_valid(by=other_la_dba, user=other_la_officer)
    services.user_set_active(by=None, user=sending_school_user, active=False)
    audit_record(action="la.created", actor=service_admin, summary="Added LA 681")
    return AuditEvent.objects.all()


def test_the_service_sees_everything(service_admin, trail):
    assert audit_events_for(user=service_admin).count() == 4


def test_a_dba_sees_what_its_las_users_did_and_what_was_done_to_them(la_dba, trail):
    seen = audit_events_for(user=la_dba)
    assert sorted(e.summary for e in seen) == [
        "Confirmed that 838user is still needed", "Disabled 8383321"]


@pytest.mark.parametrize("role", [Role.LA_DBA_VIEW, Role.LA_USER])
def test_people_without_the_audit_capability_see_nothing(make_user, home_la, role, trail):
    assert not audit_events_for(user=make_user(role, home_la, username="x")).exists()


def test_the_list_filters_by_action_and_date(client, service_admin, trail):
    client.force_login(service_admin)
    page = client.get(reverse("audit:list"), {"action": "la.created"}).content.decode()
    assert "Added LA 681" in page
    assert "still needed" not in page
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = client.get(reverse("audit:list"), {"date_from": tomorrow}).content.decode()
    assert "No events match." in page


def test_a_dba_page_leaves_out_other_las(client, la_dba, trail):
    client.force_login(la_dba)
    page = client.get(reverse("audit:list")).content.decode()
    assert "838user is still needed" in page
    assert "681user" not in page
    assert "Added LA 681" not in page


def test_a_reversed_date_range_is_an_error(client, service_admin, trail):
    client.force_login(service_admin)
    page = client.get(reverse("audit:list"), {"date_from": "2025-09-30",
                                              "date_to": "2025-09-01"}).content.decode()
    assert "There is a problem" in page


def test_the_list_is_paginated(client, service_admin, db):
    for n in range(55):
        audit_record(action="test.happened", summary=f"event {n:02d}")
    client.force_login(service_admin)
    page = client.get(reverse("audit:list")).content.decode()
    assert "Page 1 of 2" in page
    assert "event 54" in page
    assert "event 00" not in page


def test_the_csv_export_holds_the_filtered_events_and_defuses_formulas(
        client, la_dba, la_officer, trail):
    audit_record(action="test.happened", actor=la_officer, summary="=HYPERLINK(\"x\")")
    client.force_login(la_dba)
    response = client.get(reverse("audit:export"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["at", "who", "action", "object_type", "object_id", "summary",
                       "ip_address"]
    summaries = sorted(row[5] for row in rows[1:])
    assert summaries == ["'=HYPERLINK(\"x\")", "Confirmed that 838user is still needed",
                         "Disabled 8383321"]
