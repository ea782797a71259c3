"""The feeds pages: a report, the school's start panel, feed health and the LA's count."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from s2s.accounts.roles import Role
from s2s.api.tests.conftest import api_client
from s2s.audit.models import AuditEvent
from s2s.feeds.health import feed_health
from s2s.feeds.models import Feed
from s2s.feeds.tests.conftest import UPN_1, pupil, send_marks, send_roll

pytestmark = pytest.mark.django_db


def test_a_report_page_shows_counts_errors_and_warnings(client, connector, sending_school_user):
    send_roll(connector, [pupil(UPN_1, postcode="")])
    feed = send_marks(connector, [(UPN_1, "2026-11-02", "AM", "Ä")])
    client.force_login(sending_school_user)
    page = client.get(reverse("feeds:report", kwargs={"pk": feed.pk})).content.decode()
    assert "Code &#x27;Ä&#x27; is not an attendance code" in page
    assert UPN_1 in page


def test_a_report_is_worded_in_the_readers_language_not_the_senders(
        client, connector, sending_school_user):
    send_roll(connector, [pupil(UPN_1, postcode="")])
    feed = send_marks(connector, [(UPN_1, "2026-11-02", "AM", "Ä")])  # sent in English
    client.force_login(sending_school_user)
    client.cookies["django_language"] = "cy"
    page = client.get(reverse("feeds:report", kwargs={"pk": feed.pk})).content.decode()
    assert "Nid yw&#x27;r cod &#x27;Ä&#x27; yn god presenoldeb" in page
    assert "is not an attendance code" not in page
    report = api_client(connector).get(f"/api/v1/feeds/{feed.pk}",
                                       HTTP_ACCEPT_LANGUAGE="cy").json()
    assert report["errors"][0]["code"].startswith("code_")
    assert report["errors"][0]["message"].startswith("Nid yw'r cod 'Ä' yn god presenoldeb")
    english = api_client(connector).get(f"/api/v1/feeds/{feed.pk}").json()
    assert english["errors"][0]["message"].startswith("Code 'Ä' is not an attendance code")


def test_reading_a_report_on_the_page_or_through_the_api_is_audited(
        client, connector, sending_school_user):
    feed = send_roll(connector, [pupil(UPN_1)])
    client.force_login(sending_school_user)
    assert client.get(reverse("feeds:report", kwargs={"pk": feed.pk})).status_code == 200
    assert api_client(connector).get(f"/api/v1/feeds/{feed.pk}").status_code == 200
    viewed = AuditEvent.objects.filter(action="feed_report_view", object_id=str(feed.pk))
    assert sorted(viewed.values_list("actor_username", flat=True)) == sorted([
        connector.username, sending_school_user.username])

def test_the_school_start_page_lists_its_latest_reports(client, connector,
                                                        sending_school_user):
    roll = send_roll(connector, [pupil(UPN_1, postcode="")])
    client.force_login(sending_school_user)
    page = client.get(reverse("core:start")).content.decode()
    assert "Your latest MIS feeds" in page
    assert reverse("feeds:report", kwargs={"pk": roll.pk}) in page


def _at(feed: Feed, day: date) -> None:
    moment = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 22, 0))
    Feed.objects.filter(pk=feed.pk).update(received_at=moment)


def test_feed_health_flags_schools_silent_for_two_school_days(
        connector, sending_school, receiving_school, outsider_school, home_la, make_user):
    other = make_user(Role.CONNECTOR, receiving_school, username="8384512-mis")
    _at(send_roll(connector, [pupil()]), date(2026, 11, 30))  # Monday night
    _at(send_roll(other, [pupil()], school="8384512"), date(2026, 11, 26))  # Thursday
    rows = {row.school.code: row for row in feed_health(la=home_la, today=date(2026, 12, 2))}
    assert set(rows) == {"8383321", "8384512"}  # not another LA's school
    assert (rows["8383321"].missed, rows["8383321"].stale) == (1, False)  # Tuesday
    assert (rows["8384512"].missed, rows["8384512"].stale) == (3, True)  # Fri, Mon, Tue
    assert rows["8383321"].last["roll"].establishment == sending_school
    assert rows["8383321"].last["attendance"] is None


def test_a_school_that_never_sent_a_feed_is_flagged(home_la, sending_school):
    (row,) = feed_health(la=home_la, today=date(2026, 12, 2))
    assert (row.last_at, row.stale) == (None, True)


def test_the_health_page_and_the_la_start_page_count_silent_schools(
        client, connector, la_officer, sending_school, receiving_school):
    send_roll(connector, [pupil()])
    client.force_login(la_officer)
    start = client.get(reverse("core:start")).content.decode()
    assert "1 of your schools has sent no feed for two school days." in start
    page = client.get(reverse("feeds:health")).content.decode()
    assert "No feed for two school days" in page
    assert "8384512" in page
    assert "8383321" in page
