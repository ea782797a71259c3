"""`s2s purge_feeds`: raw bodies after 30 days; records older than the previous academic year."""

from datetime import date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from s2s.feeds.models import Feed, Mark, MarkVersion, Pupil
from s2s.feeds.retention import feeds_purge, kept_from
from s2s.feeds.tests.conftest import UPN_1, UPN_2, pupil, send_marks, send_roll
from s2s.transfers.models import StoredFile
from s2s.transfers.tests.conftest import stored_objects

pytestmark = pytest.mark.django_db


def _received(feed: Feed, when: datetime) -> Feed:
    Feed.objects.filter(pk=feed.pk).update(received_at=timezone.make_aware(when))
    feed.refresh_from_db()
    return feed


def test_records_are_kept_from_the_previous_academic_years_first_day():
    assert kept_from(today=date(2026, 12, 6)) == date(2025, 9, 1)
    assert kept_from(today=date(2026, 8, 31)) == date(2024, 9, 1)


def test_a_raw_body_is_deleted_after_30_days_and_the_report_stays(
        connector, file_store, django_capture_on_commit_callbacks):
    old = _received(send_roll(connector, [pupil(UPN_1)]), datetime(2026, 11, 1, 22))
    new = _received(send_roll(connector, [pupil(UPN_1)]), datetime(2026, 11, 20, 22))
    now = timezone.make_aware(datetime(2026, 12, 6, 2, 45))
    with django_capture_on_commit_callbacks(execute=True):
        done = feeds_purge(now=now)
    assert done[0].count == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.raw, old.received) == (None, 1)
    assert new.raw is not None
    assert StoredFile.objects.count() == 1
    assert len(stored_objects(file_store)) == 1


def test_marks_and_leavers_older_than_last_year_go_and_the_rest_stay(connector):
    send_roll(connector, [pupil(UPN_1), pupil(UPN_2, leaving_date="2025-07-18")])
    Pupil.objects.filter(upn=UPN_2).update(on_roll=False)
    send_marks(connector, [(UPN_1, "2025-07-18", "AM", "N"), (UPN_1, "2025-09-03", "AM", "N")])
    send_marks(connector, [(UPN_1, "2025-07-18", "AM", "I"), (UPN_1, "2025-09-03", "AM", "I")])
    now = timezone.make_aware(datetime(2026, 12, 6, 2, 45))
    dry = {p.name: p.count for p in feeds_purge(now=now, dry_run=True)}
    assert (dry["marks"], dry["replaced marks"], dry["pupils"]) == (1, 1, 1)
    assert Mark.objects.count() == 2
    feeds_purge(now=now)
    assert list(Mark.objects.values_list("date", "code")) == [(date(2025, 9, 3), "I")]
    assert list(MarkVersion.objects.values_list("date", "code")) == [(date(2025, 9, 3), "N")]
    assert list(Pupil.objects.values_list("upn", flat=True)) == [UPN_1]


def test_the_command_prints_what_it_would_do_and_limits_each_kind(connector):
    send_roll(connector, [pupil(UPN_1)])
    send_marks(connector, [(UPN_1, f"2024-10-{d:02d}", "AM", "/") for d in range(1, 6)])
    out = StringIO()
    call_command("purge_feeds", "--dry-run", stdout=out)
    assert "Would delete 5 marks." in out.getvalue()
    assert Mark.objects.count() == 5
    call_command("purge_feeds", "--limit", "2", stdout=StringIO())
    assert Mark.objects.count() == 3
