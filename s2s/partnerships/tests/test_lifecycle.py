"""Renewal, ending from a page or the API, tombstones in the changes feed, key rotation."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from s2s.api.tests.conftest import api_client
from s2s.audit.models import AuditEvent
from s2s.core.errors import ServiceError
from s2s.partnerships.jobs import partnerships_lapse, records_purge, reminders_send
from s2s.partnerships.models import Agreement, Membership, Partnership, SharedRecord, Status
from s2s.partnerships.sealing import key_id_of
from s2s.partnerships.services import (
    changes_read,
    partnership_renew,
    partnership_sign,
    pupil_object,
    pupil_view_read,
)
from s2s.partnerships.tests.conftest import UPN, mark, push, result
from s2s.transfers.tests.conftest import KEY_A, KEY_B, KEY_B_ID

pytestmark = pytest.mark.django_db


def _lapse(partnership):
    past = timezone.localdate() - timedelta(days=1)
    Agreement.objects.filter(partnership=partnership).update(review_date=past)
    partnerships_lapse(today=timezone.localdate())
    partnership.refresh_from_db()
    assert partnership.status == Status.LAPSED


def _sign_all(partnership, *users):
    for user in users:
        partnership_sign(user=user, partnership_id=partnership.pk)
    partnership.refresh_from_db()


# Renewal -----------------------------------------------------------------------------------

def test_a_lapsed_partnership_renewed_and_signed_again_by_every_member_shares_again(
        partnership, linked, main_user, partner_user, member_not_teaching):
    push(main_user, partnership, mark())
    _lapse(partnership)
    new_date = timezone.localdate() + timedelta(days=365)
    renewed = partnership_renew(user=partner_user, partnership_id=partnership.pk,
                                review_date=new_date)
    assert renewed.status == Status.AWAITING
    assert renewed.agreement.review_date == new_date
    assert not Membership.objects.filter(partnership=partnership,
                                         signed_at__isnull=False).exists()
    with pytest.raises(Http404):  # no sharing until every member has signed again
        pupil_view_read(user=main_user, partnership_id=partnership.pk, upn=UPN)
    _sign_all(partnership, main_user, partner_user)
    assert partnership.status == Status.AWAITING
    _sign_all(partnership, member_not_teaching)
    assert partnership.status == Status.ACTIVE
    view = pupil_view_read(user=main_user, partnership_id=partnership.pk, upn=UPN)
    assert len(view["attendance"]) == 1
    assert AuditEvent.objects.filter(action="partnership.renewed").count() == 1


def test_reminders_follow_the_renewed_review_date(partnership, main_user, partner_user,
                                                  member_not_teaching):
    old = partnership.agreement.review_date
    assert reminders_send(today=old - timedelta(days=30)) == 1
    new_date = old + timedelta(days=60)
    partnership_renew(user=main_user, partnership_id=partnership.pk, review_date=new_date)
    _sign_all(partnership, main_user, partner_user, member_not_teaching)
    assert reminders_send(today=old - timedelta(days=7)) == 0  # the old date is gone
    assert reminders_send(today=new_date - timedelta(days=30)) == 1
    assert reminders_send(today=new_date - timedelta(days=7)) == 1


def test_a_renewal_needs_a_future_date_and_an_open_partnership(partnership, main_user,
                                                               non_member_user):
    with pytest.raises(ServiceError, match="future"):
        partnership_renew(user=main_user, partnership_id=partnership.pk,
                          review_date=timezone.localdate())
    client = api_client(non_member_user)
    answer = client.post(f"/api/v1/partnerships/{partnership.pk}/renew",
                         {"review_date": "2030-01-01"}, content_type="application/json")
    assert answer.status_code == 404
    Partnership.objects.filter(pk=partnership.pk).update(status=Status.ENDED)
    with pytest.raises(ServiceError, match="ended"):
        partnership_renew(user=main_user, partnership_id=partnership.pk,
                          review_date=timezone.localdate() + timedelta(days=10))


def test_the_api_renews_and_the_members_sign_again(partnership, main_user, partner_user,
                                                   member_not_teaching):
    new_date = (timezone.localdate() + timedelta(days=200)).isoformat()
    base = f"/api/v1/partnerships/{partnership.pk}"
    answer = api_client(main_user).post(f"{base}/renew", {"review_date": new_date},
                                        content_type="application/json")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "awaiting_signatures"
    assert body["sharing"] is False
    assert body["agreement"]["review_date"] == new_date
    assert {m["signed_by"] for m in body["members"]} == {None}
    for user in (main_user, partner_user, member_not_teaching):
        last = api_client(user).post(f"{base}/sign").json()
    assert last["status"] == "active"


def test_the_renew_page_sets_the_new_date(client, partnership, main_user):
    client.force_login(main_user)
    url = reverse("partnerships:renew", kwargs={"pk": partnership.pk})
    new_date = timezone.localdate() + timedelta(days=100)
    answer = client.post(url, {"review_date_day": new_date.day, "review_date_month": new_date.month,
                               "review_date_year": new_date.year})
    assert answer.status_code == 302
    partnership.refresh_from_db()
    assert partnership.status == Status.AWAITING
    assert partnership.agreement.review_date == new_date
    page = client.post(url, {"review_date_day": "1", "review_date_month": "1",
                             "review_date_year": "2020"})
    assert "The review date must be in the future." in page.content.decode()


# Ending ------------------------------------------------------------------------------------

def test_a_member_ends_the_partnership_through_the_api_and_records_go(
        partnership, linked, main_user, partner_user):
    push(main_user, partnership, mark(), result())
    answer = api_client(partner_user).post(f"/api/v1/partnerships/{partnership.pk}/end")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ended"
    assert not SharedRecord.objects.exists()
    event = AuditEvent.objects.get(action="partnership.ended")
    assert event.actor_username == partner_user.username
    again = api_client(main_user).post(f"/api/v1/partnerships/{partnership.pk}/end")
    assert again.status_code == 400
    assert again.json()["code"] == "not_open"


def test_a_non_member_cannot_end_a_partnership(partnership, non_member_user):
    answer = api_client(non_member_user).post(f"/api/v1/partnerships/{partnership.pk}/end")
    assert answer.status_code == 404
    assert Partnership.objects.get().status == Status.ACTIVE


def test_the_end_page_asks_then_ends(client, partnership, linked, main_user):
    push(main_user, partnership, mark())
    client.force_login(main_user)
    url = reverse("partnerships:end", kwargs={"pk": partnership.pk})
    page = client.get(url)
    assert "This cannot be undone." in page.content.decode()
    assert Partnership.objects.get().status == Status.ACTIVE
    assert client.post(url).status_code == 302
    assert Partnership.objects.get().status == Status.ENDED
    assert not SharedRecord.objects.exists()
    detail = client.get(reverse("partnerships:detail", kwargs={"pk": partnership.pk}))
    assert "End the partnership" not in detail.content.decode()


# Tombstones --------------------------------------------------------------------------------

def _feed(user, partnership, since=""):
    return changes_read(user=user, partnership_id=partnership.pk, since=since)


def test_deletions_by_objection_retention_and_end_reach_the_feed_as_tombstones(
        partnership, linked, main_user, partner_user):
    push(main_user, partnership, mark(), result())
    first = _feed(partner_user, partnership)
    ids = sorted(item["id"] for item in first["items"])
    assert len(ids) == 2
    SharedRecord.objects.filter(kind="attendance").update(
        recorded_at=timezone.now() - timedelta(days=400))
    records_purge(now=timezone.now())
    second = _feed(partner_user, partnership, first["cursor"])
    assert second["items"] == [{"id": ids[0], "deleted": True, "kind": "attendance",
                                "reason": "retention"}]
    assert _feed(partner_user, partnership, second["cursor"])["items"] == []
    pupil_object(user=main_user, partnership_id=partnership.pk, upn=UPN)
    third = _feed(partner_user, partnership, second["cursor"])
    assert third["items"] == [{"id": ids[1], "deleted": True, "kind": "assessment",
                               "reason": "objection"}]


def test_a_sync_hears_of_the_end_of_a_partnership(partnership, linked, main_user,
                                                  partner_user):
    push(main_user, partnership, mark(), mark(session="PM"))
    first = _feed(partner_user, partnership)
    call_command("end_partnership", str(partnership.pk), stdout=io.StringIO())
    after = api_client(partner_user).get(
        f"/api/v1/partnerships/{partnership.pk}/changes?since={first['cursor']}").json()
    assert sorted(item["id"] for item in after["items"]) == sorted(
        item["id"] for item in first["items"])
    assert {item["reason"] for item in after["items"]} == {"ended"}


def test_an_older_cursor_of_record_ids_alone_still_works(partnership, linked, main_user,
                                                         partner_user):
    push(main_user, partnership, mark())
    last = SharedRecord.objects.get().pk
    push(main_user, partnership, mark(session="PM"))
    items = _feed(partner_user, partnership, str(last))["items"]
    assert [item["session"] for item in items] == ["PM"]
    with pytest.raises(ServiceError, match="cursor"):
        _feed(partner_user, partnership, "1.x")


# Master-key rotation ------------------------------------------------------------------------

def test_rotating_the_master_key_reseals_partnership_records(settings, partnership, linked,
                                                             main_user):
    push(main_user, partnership, result())
    settings.ENCRYPTION_KEY = KEY_B
    settings.ENCRYPTION_OLD_KEYS = [KEY_A]
    out = io.StringIO()
    call_command("rotate_master_key", stdout=out, stderr=out)
    assert "Re-sealed 1 partnership records; 0 already under the current key" in out.getvalue()
    assert key_id_of(SharedRecord.objects.get().sealed) == KEY_B_ID
    settings.ENCRYPTION_OLD_KEYS = []  # the old key can now go
    view = pupil_view_read(user=main_user, partnership_id=partnership.pk, upn=UPN)
    assert view["assessment"][0]["result"] == "Merit"


def test_a_record_under_a_key_no_longer_kept_fails_the_rotation(settings, partnership,
                                                                 linked, main_user):
    push(main_user, partnership, result())
    settings.ENCRYPTION_KEY = KEY_B
    settings.ENCRYPTION_OLD_KEYS = []
    out = io.StringIO()
    with pytest.raises(CommandError, match="could not be unwrapped"):
        call_command("rotate_master_key", stdout=out, stderr=out)
    assert "1 could not be opened" in out.getvalue()
