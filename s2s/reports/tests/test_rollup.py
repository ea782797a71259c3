"""The report counts: reports read from them give the same numbers as counting the transfers."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.utils import timezone
from django.utils.http import urlencode

from s2s.reports.models import DownloadCount, HourCount, LAMonthCount, Rollup
from s2s.reports.registry import REPORTS
from s2s.reports.rollup import _month_split, last_closed_day, report_counts_refresh
from s2s.reports.tests.conftest import at, make_transfer
from s2s.reports.tests.test_la_reports import csv_rows
from s2s.transfers.models import Transfer, TransferStatus

# The reports (and their charts) that read the counts, and date ranges around their edges:
# the BST changes (30 March, 26 October 2025), months, weeks, today.
COUNTED = ["volumes-week", "volumes-la", "busiest-hours", "usage"]
RANGES = [
    {},
    {"from": "2025-03-30", "to": "2025-03-30"},
    {"from": "2025-03-29", "to": "2025-03-31"},
    {"from": "2025-10-26", "to": "2025-10-26"},
    {"from": "2025-10-25"},
    {"to": "2025-10-25"},
    {"from": "2025-09-01", "to": "2025-09-30"},
    {"from": "2025-09-02", "to": "2025-09-15"},
    {"from": "2025-08-31", "to": "2025-10-01"},
    {"to": "2025-09-01"},
    {"from": "2025-09-16"},
    {"from": "2025-03-01", "to": "2025-10-31"},
]


@pytest.fixture
def admin(client, data, service_admin):
    client.force_login(service_admin)
    client.user = service_admin
    return client


@pytest.fixture
def more(data):
    """Uploads on each side of both BST changes' midnights and hours, and today's."""
    s, r, o = data.s, data.r, data.o
    at_utc = timezone.datetime.fromisoformat
    rows = [
        # 30 March 2025: 00:30 GMT, then the clocks go forward at 01:00 GMT; 02:30 BST.
        make_transfer(s, r, uploaded=at_utc("2025-03-30T00:30+00:00"), pupils=2),
        make_transfer(
            s,
            o,
            uploaded=at_utc("2025-03-30T01:30+00:00"),
            pupils=3,
            status=TransferStatus.COLLECTED,
        ),
        make_transfer(o, s, uploaded=at_utc("2025-03-29T23:59+00:00"), pupils=4),
        # 26 October 2025: 01:30 BST, then 01:30 GMT an hour later; 23:30 UTC the day before
        # is 00:30 BST on the 26th.
        make_transfer(
            s,
            r,
            uploaded=at_utc("2025-10-26T00:30+00:00"),
            pupils=5,
            status=TransferStatus.COLLECTED,
            downloaded=at_utc("2025-10-26T01:30+00:00"),
        ),
        make_transfer(
            s,
            (data.home_la, "PLAS"),
            uploaded=at_utc("2025-10-26T01:30+00:00"),
            pupils=6,
            file_type="PLAS",
        ),
        make_transfer(o, r, uploaded=at_utc("2025-10-25T23:30+00:00"), pupils=7),
        make_transfer(o, r, uploaded=at("2025-09-30 23:59"), pupils=1),
        make_transfer(o, r, uploaded=at("2025-10-01 00:00"), pupils=1),
    ]
    now = timezone.now()
    rows.append(make_transfer(s, r, uploaded=now - timedelta(minutes=5), pupils=8))
    rows.append(
        make_transfer(
            s,
            o,
            uploaded=now - timedelta(days=1),
            pupils=9,
            status=TransferStatus.COLLECTED,
            downloaded=now,
        )
    )
    return rows


def _every_report(client) -> dict:
    """Return each counted report's CSV and chart bars, for each range."""
    user = client.user
    reports = {}
    for name in COUNTED:
        for query in RANGES:
            report = REPORTS[name]
            _form, params = report.parse(user, QueryDict(urlencode(query)))
            reports[name, str(query)] = (
                csv_rows(client, name, **query),
                [chart.bars for chart in report.charts(params)],
            )
    return reports


def _counted_directly(client) -> dict:
    """Return the reports with no counts: every transfer is counted live."""
    Rollup.objects.all().delete()
    return _every_report(client)


def test_the_counted_reports_are_the_same_as_counting_every_transfer(admin, more):
    assert report_counts_refresh() == (None, last_closed_day())
    assert HourCount.objects.exists()
    assert LAMonthCount.objects.exists()
    counted = _every_report(admin)
    assert counted == _counted_directly(admin)


def test_a_second_refresh_finds_nothing_and_changes_nothing(admin, more):
    report_counts_refresh()
    counted = _every_report(admin)
    rows = [
        list(m.objects.order_by("pk").values()) for m in (HourCount, LAMonthCount, DownloadCount)
    ]
    assert report_counts_refresh() is None
    out = io.StringIO()
    call_command("refresh_report_counts", stdout=out)
    assert "up to date" in out.getvalue()
    assert [
        list(m.objects.order_by("pk").values()) for m in (HourCount, LAMonthCount, DownloadCount)
    ] == rows
    assert _every_report(admin) == counted


def test_refreshing_day_by_day_is_the_same_as_at_once(admin, more):
    report_counts_refresh(now=at("2025-03-29 12:00"))
    for day in ("2025-03-31", "2025-09-16", "2025-10-02", "2025-10-27"):
        report_counts_refresh(now=at(f"{day} 03:30"))
    assert Rollup.objects.get().through == date(2025, 10, 26)
    report_counts_refresh()
    by_days = _every_report(admin)
    call_command("refresh_report_counts", "--rebuild", stdout=io.StringIO())
    assert _every_report(admin) == by_days == _counted_directly(admin)


def test_the_command_prints_each_step_as_it_goes(data):
    out = io.StringIO()
    call_command("refresh_report_counts", "--rebuild", stdout=out)
    last = last_closed_day()  # yesterday, or the day before in the first hour after midnight
    assert out.getvalue().splitlines() == [
        f"Counting the days from the first transfer to {last}",
        "Counted uploads by hour: 12 rows",
        "Counted LAs' months: 11 rows",
        "Counted first downloads: 5 rows",
        f"Counted the days from the first transfer to {last}",
    ]
    assert (HourCount.objects.count(), LAMonthCount.objects.count(),
            DownloadCount.objects.count()) == (12, 11, 5)


def test_a_day_is_counted_only_once_it_has_been_over_an_hour(data):
    assert report_counts_refresh(now=at("2025-09-16 00:30")) == (None, date(2025, 9, 14))
    assert report_counts_refresh(now=at("2025-09-16 01:30")) == (
        date(2025, 9, 15),
        date(2025, 9, 15),
    )


def test_a_late_first_download_of_a_counted_day_is_counted(admin, data):
    report_counts_refresh()
    waiting = data.transfers[1]  # uploaded 2025-09-01 10:05, awaiting
    assert csv_rows(admin, "busiest-hours")[1 + 9] == ["09:00", "5", "15", "1"]
    now = timezone.now()
    Transfer.objects.filter(pk=waiting.pk).update(
        status=TransferStatus.COLLECTED, first_downloaded_at=now, collected_at=now
    )
    hour = f"{timezone.localtime(now).hour:02d}:00"
    live = {row[0]: row for row in csv_rows(admin, "busiest-hours")}
    report_counts_refresh(now=now + timedelta(days=1, hours=2))  # that day is counted too
    assert {row[0]: row for row in csv_rows(admin, "busiest-hours")} == live
    assert int(live[hour][3]) >= 1
    assert DownloadCount.objects.filter(
        uploaded_on=date(2025, 9, 1), hour=timezone.localtime(now).hour
    ).exists()
    Rollup.objects.all().delete()
    assert {row[0]: row for row in csv_rows(admin, "busiest-hours")} == live


def test_states_are_todays_not_the_counts(admin, data):
    """The counts hold no state: a file collected after a refresh shows as collected."""
    report_counts_refresh()
    Transfer.objects.filter(pk=data.transfers[1].pk).update(status=TransferStatus.REJECTED)
    assert csv_rows(admin, "volumes-type")[1] == ["CTF", "11", "29", "5", "4", "2", "0"]


def test_the_known_numbers_hold_with_the_counts(admin, data):
    report_counts_refresh()
    assert csv_rows(admin, "volumes-week", **{"from": "2025-09-01", "to": "2025-09-14"}) == [
        ["week", "file_type", "files", "pupils"],
        ["2025-09-01", "CTF", "5", "15"],
        ["2025-09-08", "CTF", "4", "11"],
    ]
    assert csv_rows(admin, "volumes-la")[1:] == [
        ["681", "Cardiff", "Wales", "CTF", "4", "14", "3"],
        ["835", "Bournemouth", "England", "CTF", "1", "2", "1"],
        ["838", "Dorset", "England", "CTF", "6", "13", "6"],
        ["838", "Dorset", "England", "PLAS", "1", "200", "1"],
        ["838", "Dorset", "England", "ZIP", "1", "0", "1"],
    ]
    rows = {row[0]: row[1:] for row in csv_rows(admin, "busiest-hours")[1:]}
    assert rows["09:00"] == ["5", "15", "1"]
    assert rows["08:00"] == ["2", "5", "0"]
    assert rows["10:00"] == ["1", "1", "4"]


@pytest.mark.parametrize(
    ("first", "last", "through", "expected"),
    [
        # Whole months inside the range come from the counts; the days around them are live.
        (
            date(2025, 8, 15),
            date(2025, 11, 10),
            date(2025, 12, 31),
            (
                (date(2025, 9, 1), date(2025, 10, 1)),
                [(date(2025, 8, 15), date(2025, 8, 31)), (date(2025, 11, 1), date(2025, 11, 10))],
            ),
        ),
        (
            None,
            date(2025, 11, 10),
            date(2025, 11, 6),  # the newest month holds days to the 6th
            ((None, date(2025, 11, 1)), [(date(2025, 11, 7), date(2025, 11, 10))]),
        ),
        (
            date(2025, 9, 1),
            date(2025, 9, 30),
            date(2025, 12, 31),
            ((date(2025, 9, 1), date(2025, 9, 1)), []),
        ),
        (
            date(2025, 9, 2),
            date(2025, 9, 30),
            date(2025, 12, 31),
            (None, [(date(2025, 9, 2), date(2025, 9, 30))]),
        ),
        (
            date(2025, 9, 1),
            date(2025, 9, 29),
            None,
            (None, [(date(2025, 9, 1), date(2025, 9, 29))]),
        ),
        (
            date(2026, 1, 1),
            date(2026, 1, 5),
            date(2025, 12, 31),
            (None, [(date(2026, 1, 1), date(2026, 1, 5))]),
        ),
        # An empty range (from after to) has no days at all, even in the year 9999.
        (date(9999, 12, 5), date(2025, 9, 30), date(2025, 9, 29), (None, [])),
    ],
)
def test_month_split(first, last, through, expected):
    assert _month_split(first, last, through) == expected
