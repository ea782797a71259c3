"""CSV encoding and the formula guard, the date-range defaults, the API, charts, the LA panel."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from s2s.api.tests.conftest import api_client
from s2s.core.charts import Chart
from s2s.core.csvsafe import safe_cell
from s2s.reports.registry import REPORTS
from s2s.reports.rollup import report_counts_refresh
from s2s.reports.tests.conftest import make_transfer
from s2s.reports.tests.test_la_reports import csv_rows
from s2s.transfers.models import TransferStatus

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+44", "'+44"), ("-1", "'-1"),
    ("@SUM(A1)", "'@SUM(A1)"), ("838 Dorset", "838 Dorset"), (None, ""), (3, "3"),
])
def test_formula_guard(value, expected):
    assert safe_cell(value) == expected


def test_csv_is_utf8_with_a_header_row_and_formulas_neutralised(client, data, la_officer):
    data.third_la.name = "=cmd|' /C calc'!A0"
    data.third_la.save()
    data.other_la.name = "Caerdydd – Ŵyr"
    data.other_la.save()
    client.force_login(la_officer)
    response = client.get("/reports/cluster.csv", {"las": "681,835"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="s2s-cluster-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("from_la,from_name,to_la,to_name,files,")
    assert "Caerdydd – Ŵyr" in text
    assert text.splitlines()[3] == "835,'=cmd|' /C calc'!A0,681,Caerdydd – Ŵyr,1,2,0,1,0"
    assert ",=cmd" not in text


def test_every_report_has_a_csv_whose_header_is_its_columns(client, data, service_admin):
    client.force_login(service_admin)
    for name, report in REPORTS.items():
        header = csv_rows(client, name)[0]
        assert header == [column.key for column in report.columns], name


def test_the_range_defaults_to_everything_up_to_today(client, data, la_officer):
    make_transfer(data.s, data.r, uploaded=timezone.now() - timedelta(minutes=5))
    client.force_login(la_officer)
    page = client.get("/reports/usage/")
    assert page.context["params"].date_from is None
    assert page.context["params"].date_to == timezone.localdate()
    assert csv_rows(client, "usage")[2][2] == "6"  # the upload of today is counted
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert csv_rows(client, "usage", to=str(timezone.localdate() - timedelta(days=1)))[2][2] == "5"
    assert csv_rows(client, "usage", **{"from": str(tomorrow)})[2][2] == "0"


def test_a_range_ending_before_it_starts_is_refused(client, data, la_officer):
    client.force_login(la_officer)
    response = client.get("/reports/usage/", {"from": "2025-09-10", "to": "2025-09-01"})
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in response.content.decode()
    assert client.get("/reports/usage.csv", {"from": "nonsense"}).status_code == 400


@pytest.mark.parametrize("query", [
    {"to": "9999-12-31"}, {"from": "9999-12-05"}, {"from": "9999-12-05", "to": "9999-12-31"},
])
def test_dates_far_ahead_are_an_empty_range_not_an_error(client, data, service_admin, query):
    report_counts_refresh()  # the counted reports' month arithmetic too
    client.force_login(service_admin)
    page = client.get("/reports/usage/", query)
    assert page.status_code == 200
    assert page.context["params"].date_to == timezone.localdate()
    for name in REPORTS:
        assert client.get(f"/reports/{name}/", query).status_code == 200, name
        assert len(csv_rows(client, name, **query)) >= 1, name


@pytest.mark.parametrize("name", ["school", "movement"])
def test_a_range_from_long_before_the_first_file_is_read_from_that_file(
        client, data, la_officer, name):
    client.force_login(la_officer)
    with CaptureQueriesContext(connection) as queries:
        rows = csv_rows(client, name, **{"from": "0001-01-01"})
    assert rows == csv_rows(client, name)
    assert len(queries) < 40  # not a window of days for each of 2,000 empty years


def test_the_api_gives_the_same_csv(data, la_officer, client):
    api = api_client(la_officer)
    response = api.get("/api/v1/reports/usage.csv", {"from": "2025-09-01", "school": "8383321"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    assert lines == ["school,school_name,uploaded,pupils_uploaded,received,downloaded,"
                     "awaiting,rejected,pupils_received",
                     "8383321,Stickland's CE VA Primary,4,7,1,0,1,0,4"]


def test_the_api_keeps_to_the_policy(data, la_officer, sending_school_user, service_admin):
    officer = api_client(la_officer)
    assert officer.get("/api/v1/reports/usage.csv", {"school": "6812345"}).status_code == 404
    assert officer.get("/api/v1/reports/volumes-week.csv").status_code == 404
    assert officer.get("/api/v1/reports/nothing.csv").status_code == 404
    assert api_client(sending_school_user).get("/api/v1/reports/usage.csv").status_code == 404
    refused = officer.get("/api/v1/reports/usage.csv", {"from": "2025-13-01"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "from"
    assert api_client(service_admin).get("/api/v1/reports/volumes-week.csv").status_code == 200
    from s2s.api.tests.conftest import ApiClient

    assert ApiClient().get("/api/v1/reports/usage.csv").status_code == 401


def _svg(chart: Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))


def test_a_chart_is_valid_svg_with_a_title_axes_and_one_titled_bar_per_value():
    chart = Chart(title="Files <per> week", x_label="Week", y_label="Files",
                  bars=[("1 Sep", 3), ("8 Sep", 0), ("15 Sep", 12)])
    svg = _svg(chart)
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Files <per> week"
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert [bar.find(f"{SVG}title").text for bar in bars] == ["1 Sep: 3", "8 Sep: 0",
                                                              "15 Sep: 12"]
    assert float(bars[2].get("height")) > float(bars[0].get("height")) > 0
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "axis-label"]
    assert labels == ["Week", "Files"]


def test_an_empty_chart_is_still_valid():
    assert not [r for r in _svg(Chart("t", "x", "y", [])).iter(f"{SVG}rect")]


def test_report_pages_draw_their_charts_with_the_data_table(client, data, service_admin):
    client.force_login(service_admin)
    page = client.get("/reports/busiest-hours/").content.decode()
    assert page.count('class="bar"') == 24
    assert "data-chart-table" in page
    page = client.get("/reports/undelivered/").content.decode()
    assert page.count('class="bar"') == 7
    week = client.get("/reports/volumes-week/", {"from": "2025-09-01", "to": "2025-09-21"})
    assert week.content.decode().count('class="bar"') == 3


def test_the_la_start_page_shows_the_morning_panel(client, data, la_officer):
    now = timezone.now()
    make_transfer(data.s, data.r, uploaded=now - timedelta(days=1))
    make_transfer(data.s, data.r, uploaded=now - timedelta(days=1), status=TransferStatus.REJECTED,
                  rejected_at=now)
    make_transfer(data.o, data.s, uploaded=now - timedelta(days=1),
                  status=TransferStatus.REJECTED, rejected_at=now)
    make_transfer(data.s, "MMMMMMM", uploaded=now)
    make_transfer(data.o, "XXXXXXX", uploaded=now)  # another LA's school: not ours
    client.force_login(la_officer)
    page = client.get("/")
    panel = page.context["panels"][0]
    # awaiting at 838 schools: T2, T4, ZIP, the redirected one (all old) and the new one.
    assert panel["waiting"] == 5
    assert [band["files"] for band in panel["bands"]] == [1, 0, 0, 0, 0, 0, 4]
    assert [(s["code"], s["files"]) for s in panel["slow_schools"]] == [
        ("8384512", 3), ("8383321", 1)]
    assert panel["rejected_by_schools"] == 2
    assert panel["rejected_from_schools"] == 1
    assert panel["lost"]["left"] == 1
    assert panel["lost"]["unknown"] == 0
    html = page.content.decode()
    assert 'id="la-dashboard"' in html
    assert html.count('class="bar"') == 7


@pytest.mark.parametrize("who", ["service_admin", "sending_school_user"])
def test_no_la_panel_for_people_without_an_la(client, data, who, request):
    client.force_login(request.getfixturevalue(who))
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="la-dashboard"' not in page.content.decode()
