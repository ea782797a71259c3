"""The LA reports on the known data set (conftest), with the numbers counted by hand."""

import pytest

from s2s.reports.registry import REPORTS


def csv_rows(client, name, **query):
    response = client.get(f"/reports/{name}.csv", query)
    assert response.status_code == 200, response.content
    lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    return [line.split(",") for line in lines]


@pytest.fixture
def officer(client, data, la_officer):
    client.force_login(la_officer)
    return client


def test_usage_counts_each_school_of_the_la_uploads_downloads_awaiting_and_rejections(officer):
    rows = csv_rows(officer, "usage")
    assert rows == [
        ["school", "school_name", "uploaded", "pupils_uploaded", "received", "downloaded",
         "awaiting", "rejected", "pupils_received"],
        ["8380001", "Old Grammar", "0", "0", "0", "0", "0", "0", "0"],
        ["8383321", "Stickland's CE VA Primary", "5", "8", "1", "0", "1", "0", "4"],
        # 4512 received two from 3321, one from 6812345, one redirected from 8380001.
        ["8384512", "Thomas Hardye School", "1", "5", "4", "2", "2", "0", "7"],
    ]


def test_usage_for_one_school_from_a_date(officer):
    rows = csv_rows(officer, "usage", school="8383321", **{"from": "2025-09-01"})
    assert rows[1:] == [["8383321", "Stickland's CE VA Primary", "4", "7", "1", "0", "1", "0",
                         "4"]]


def test_usage_up_to_a_date_includes_that_whole_day(officer):
    rows = csv_rows(officer, "usage", to="2025-09-01")
    assert rows[2][:4] == ["8383321", "Stickland's CE VA Primary", "3", "5"]
    assert rows[3][4] == "2"


def test_a_rejection_counts_for_the_school_that_rejected(client, data, other_la_officer):
    client.force_login(other_la_officer)
    assert csv_rows(client, "usage")[1] == [
        "6812345", "Llanwern High School", "4", "14", "2", "1", "0", "1", "4"]


@pytest.mark.parametrize("name", ["usage", "school", "movement"])
def test_another_las_school_is_not_found(officer, name):
    assert officer.get(f"/reports/{name}/", {"school": "6812345"}).status_code == 404
    assert officer.get(f"/reports/{name}.csv", {"school": "6812345"}).status_code == 404


def test_an_la_user_cannot_choose_another_la(officer):
    rows = csv_rows(officer, "usage", la="681")
    assert [row[0] for row in rows[1:]] == ["8380001", "8383321", "8384512"]


def test_the_service_chooses_an_la_or_sees_every_school(client, data, service_admin):
    client.force_login(service_admin)
    assert [r[0] for r in csv_rows(client, "usage", la="681")[1:]] == ["6812345"]
    assert len(csv_rows(client, "usage")) == 1 + 5
    assert client.get("/reports/usage/", {"la": "999"}).status_code == 404


def test_school_report_by_date_with_destinations(officer):
    rows = csv_rows(officer, "school", school="8383321")
    assert rows == [
        ["date", "school", "school_name", "direction", "other", "files", "pupils", "awaiting"],
        ["2025-08-20", "8383321", "Stickland's CE VA Primary", "sent", "8352001", "1", "1", "0"],
        ["2025-09-01", "8383321", "Stickland's CE VA Primary", "sent", "8384512", "2", "4", "1"],
        ["2025-09-03", "8383321", "Stickland's CE VA Primary", "sent", "6812345", "1", "2", "0"],
        ["2025-09-08", "8383321", "Stickland's CE VA Primary", "received", "6812345", "1", "4",
         "1"],
        ["2025-09-10", "8383321", "Stickland's CE VA Primary", "sent", "XXXXXXX", "1", "1", "1"],
    ]


def test_school_report_never_lists_another_las_school(officer):
    schools = {row[1] for row in csv_rows(officer, "school")[1:]}
    assert schools == {"8383321", "8384512"}


def test_cluster_counts_ctfs_between_the_chosen_las_only(officer):
    rows = csv_rows(officer, "cluster", las="681, 835")
    assert rows == [
        ["from_la", "from_name", "to_la", "to_name", "files", "pupils", "awaiting", "collected",
         "rejected"],
        ["681", "Cardiff", "681", "Cardiff", "1", "7", "1", "0", "0"],
        ["681", "Cardiff", "838", "Dorset", "3", "7", "2", "1", "0"],
        ["835", "Bournemouth", "681", "Cardiff", "1", "2", "0", "1", "0"],
        ["838", "Dorset", "681", "Cardiff", "1", "2", "0", "0", "1"],
        ["838", "Dorset", "835", "Bournemouth", "1", "1", "0", "1", "0"],
        ["838", "Dorset", "838", "Dorset", "3", "9", "2", "1", "0"],
    ]


def test_cluster_without_other_las_is_the_own_la(officer):
    assert csv_rows(officer, "cluster")[1:] == [
        ["838", "Dorset", "838", "Dorset", "3", "9", "2", "1", "0"]]


def test_a_nation_is_every_pair_with_an_end_in_it_and_only_as_csv(officer):
    rows = csv_rows(officer, "cluster", nation="wales")
    assert [row[0] + ">" + row[2] for row in rows[1:]] == [
        "681>681", "681>838", "835>681", "838>681"]
    page = officer.get("/reports/cluster/", {"nation": "wales"})
    assert "too large to show on the screen" in page.content.decode()
    assert 'id="report-rows"' not in page.content.decode()


def test_cluster_refuses_more_than_nine_others_and_unknown_las(officer):
    ten = ",".join(str(n) for n in range(800, 810))
    assert officer.get("/reports/cluster/", {"las": ten}).status_code == 400
    response = officer.get("/reports/cluster.csv", {"las": "999"})
    assert response.status_code == 400
    assert "There is no LA numbered 999." in response.content.decode()


def test_movement_lists_other_files_with_upload_and_download_dates(officer):
    rows = csv_rows(officer, "movement")
    assert rows == [
        ["uploaded_at", "name", "file_type", "source", "destination", "status",
         "first_downloaded_at", "last_downloaded_at"],
        ["2025-09-15 16:00:00+01:00", "8383321_PLAS_838PLAS_008.XML", "PLAS", "8383321",
         "838PLAS", "Collected", "2025-09-16 10:00:00+01:00", "2025-09-16 10:00:00+01:00"],
        ["2025-09-15 16:30:00+01:00", "8383321_8384512_notes.ZIP", "ZIP", "8383321", "8384512",
         "Waiting to be downloaded", "", ""],
    ]
    assert [r[2] for r in csv_rows(officer, "movement", file_type="ZIP")[1:]] == ["ZIP"]


def test_another_la_sees_none_of_our_schools_movement(client, data, other_la_officer):
    client.force_login(other_la_officer)
    assert csv_rows(client, "movement")[1:] == []


def test_every_report_page_renders_for_the_service(client, data, service_admin):
    client.force_login(service_admin)
    for name in REPORTS:
        response = client.get(f"/reports/{name}/")
        assert response.status_code == 200, name
        assert f'href="/reports/{name}.csv?' in response.content.decode()
