"""The service administrator's reports on the known data set, and who may run them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from s2s.reports.tests.conftest import make_transfer
from s2s.reports.tests.test_la_reports import csv_rows
from s2s.transfers.models import TransferStatus


@pytest.fixture
def admin(client, data, service_admin):
    client.force_login(service_admin)
    return client


def test_volumes_by_type(admin):
    assert csv_rows(admin, "volumes-type") == [
        ["file_type", "files", "pupils", "awaiting", "collected", "rejected", "deleted"],
        ["CTF", "11", "29", "6", "4", "1", "0"],
        ["PLAS", "1", "200", "0", "1", "0", "0"],
        ["ZIP", "1", "0", "1", "0", "0", "0"],
    ]


def test_volumes_by_week_begin_on_monday(admin):
    assert csv_rows(admin, "volumes-week", **{"from": "2025-09-01", "to": "2025-09-14"}) == [
        ["week", "file_type", "files", "pupils"],
        ["2025-09-01", "CTF", "5", "15"],
        ["2025-09-08", "CTF", "4", "11"],
    ]


def test_volumes_by_la(admin):
    assert csv_rows(admin, "volumes-la")[1:] == [
        ["681", "Cardiff", "Wales", "CTF", "4", "14", "3"],
        ["835", "Bournemouth", "England", "CTF", "1", "2", "1"],
        ["838", "Dorset", "England", "CTF", "6", "13", "6"],
        ["838", "Dorset", "England", "PLAS", "1", "200", "1"],
        ["838", "Dorset", "England", "ZIP", "1", "0", "1"],
    ]


def test_undelivered_by_age_leaves_out_the_lost_pupil_database(admin, data):
    now = timezone.now()
    make_transfer(data.s, data.r, uploaded=now - timedelta(hours=1), pupils=2)
    make_transfer(data.s, data.r, uploaded=now - timedelta(days=5), pupils=1)
    make_transfer(data.s, data.r, uploaded=now - timedelta(days=20), pupils=1,
                  status=TransferStatus.COLLECTED)
    make_transfer(data.s, "XXXXXXX", uploaded=now - timedelta(days=1))
    assert csv_rows(admin, "undelivered") == [
        ["age", "files", "pupils"],
        ["0 to 2 days", "1", "2"], ["3 to 7 days", "1", "1"], ["8 to 14 days", "0", "0"],
        ["15 to 28 days", "0", "0"], ["29 to 60 days", "0", "0"], ["61 to 90 days", "0", "0"],
        # T2, T4, T6 (LA mailbox), the ZIP, the redirected file; 6812345's to 681LLLL.
        ["Over 90 days", "6", "19"],
    ]


def test_files_sent_to_closed_schools_and_what_cannot_be_counted(admin, data):
    data.r.status = "closed"
    data.r.save()
    rows = csv_rows(admin, "closed-schools")
    assert rows[1] == ["Delivered to its successor", "8380001", "Old Grammar", "2025-07-31",
                       "8384512", "1", "2", "2025-09-20 09:00:00+01:00"]
    # T2 and the ZIP wait at 4512, which has now closed; the redirected one is counted above.
    assert rows[2][:7] == ["Waiting to be downloaded at a closed school", "8384512",
                           "Thomas Hardye School", "", "8384512", "2", "1"]
    assert "refused and not stored" in admin.get("/reports/closed-schools/").content.decode()


def test_busiest_hours_in_uk_time(admin):
    rows = {row[0]: row[1:] for row in csv_rows(admin, "busiest-hours")[1:]}
    assert len(rows) == 24
    assert rows["09:00"] == ["5", "15", "1"]
    assert rows["08:00"] == ["2", "5", "0"]
    assert rows["10:00"] == ["1", "1", "4"]


@pytest.mark.parametrize("name", ["volumes-week", "volumes-la", "volumes-type", "undelivered",
                                  "closed-schools", "busiest-hours"])
def test_la_people_cannot_run_service_reports(client, data, la_dba, name):
    client.force_login(la_dba)
    assert client.get(f"/reports/{name}/").status_code == 404
    assert client.get(f"/reports/{name}.csv").status_code == 404
