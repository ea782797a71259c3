"""The LA's dashboard lists (tables, charts, CSVs), the home LA's view of a permanent
exclusion, a signal's page and the school's start page and own view."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from s2s.accounts.roles import Role
from s2s.api.tests.conftest import api_client
from s2s.audit.models import AuditEvent
from s2s.cme.dashboard import age_on
from s2s.cme.models import Signal
from s2s.cme.tests.conftest import (
    UPN_1,
    UPN_2,
    days_between,
    mark_days,
    pupil,
    recompute,
    send,
    send_roll,
)

SIGNALS = "/api/v1/cme/signals"


@pytest.fixture
def officer(make_user, home_la):
    return make_user(Role.LA_CME, home_la, username="838cme")


@pytest.fixture
def school_user(make_user, sending_school):
    return make_user(Role.SCHOOL, sending_school, username="8383321office")


@pytest.fixture
def fired(school, connector, outsider_school):
    """UPN_1 (year 5) absent from 20 October to 7 November; UPN_2 (year 3) deleted with no
    destination on 5 November, owing a deletion return; a signal at another LA's school."""
    send_roll(connector, [pupil(UPN_2, nc_year="3", dob="2018-03-01",
                                leaving_date="2025-11-05")])
    mark_days(connector, days_between(school, "2025-10-20", "2025-11-07"), "N")
    recompute(school, "2025-11-07")
    Signal.objects.create(kind="severe_absence", establishment=outsider_school, upn=UPN_2,
                          first_day=date(2025, 10, 20), fired_on=date(2025, 11, 7))


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_age_is_counted_in_whole_years():
    assert age_on(date(2016, 10, 15), date(2025, 10, 14)) == 8
    assert age_on(date(2016, 10, 15), date(2025, 10, 15)) == 9
    assert age_on(None, date(2025, 10, 15)) is None


def test_each_list_downloads_as_csv_with_the_tables_rows_and_is_audited(
        fired, officer, client):
    client.force_login(officer)
    kinds = client.get(reverse("cme:csv", args=["kinds"]))
    assert kinds["Cache-Control"] == "no-store"
    rows = rows_of(kinds)
    assert rows[0] == ["Signal", "Open"]
    assert ["Left with no destination", "1"] in rows
    assert ["Severe absence (50% or more)", "1"] in rows  # LA 681's is not counted
    school = "8383321 Stickland's CE VA Primary"
    assert rows_of(client.get(reverse("cme:csv", args=["absence-schools"]))) == [
        ["School", "Persistent (10% or more)", "Severe (50% or more)"], [school, "1", "1"]]
    assert rows_of(client.get(reverse("cme:csv", args=["absence-years"])))[1:] == [
        ["5", "1", "1"]]
    assert rows_of(client.get(reverse("cme:csv", args=["returns"])))[1:] == [
        [school, "1", "1", "0"]]
    ages = rows_of(client.get(reverse("cme:csv", args=["ages"])))
    assert ages[0] == ["Age", "Open"]
    events = AuditEvent.objects.filter(action="cme_csv_download")
    assert sorted(e.detail["list"] for e in events) == [
        "absence-schools", "absence-years", "ages", "kinds", "returns"]


def test_a_kinds_pupils_download_with_their_names_and_the_signals_are_audited(
        fired, officer, client):
    client.force_login(officer)
    response = client.get(reverse("cme:csv", args=["signals"]),
                          {"kind": "left_no_destination"})
    rows = rows_of(response)
    assert rows[1][:4] == ["Smith", "Amy", UPN_2, "2018-03-01"]
    event = AuditEvent.objects.get(action="cme_csv_download")
    assert event.detail["signals"] == [Signal.objects.get(kind="left_no_destination").pk]
    assert client.get(reverse("cme:csv", args=["signals"])).status_code == 404


def test_the_page_draws_a_chart_for_each_list_with_figures(fired, officer, client):
    client.force_login(officer)
    page = client.get(reverse("cme:signals")).content.decode()
    assert page.count("<svg") == 6  # kinds, schools, ages, absence by school and year, returns
    assert "<title>5: 1</title>" in page  # year 5's bar in the absence-by-year chart


@pytest.fixture
def excluded(school, connector, other_la):
    """UPN_1 (living in LA 681) permanently excluded from Thursday 23 October; UPN_2 (also of
    LA 681) suspended for 6 days from the same day."""
    send_roll(connector, [pupil(UPN_1, home_la="681"), pupil(UPN_2, home_la="681")])
    send(connector, "exclusions", {"school": "8383321", "exclusions": [
        {"upn": UPN_1, "category": "permanent", "start_date": "2025-10-23", "sessions": 0,
         "reasons": ["PA"], "rescinded": False},
        {"upn": UPN_2, "category": "suspension", "start_date": "2025-10-23", "sessions": 12,
         "reasons": ["PA"], "rescinded": False}]})
    recompute(school, "2025-11-06")
    return Signal.objects.get(kind="exclusion_day6", upn=UPN_1)


def test_the_home_la_sees_a_permanent_exclusions_day_6_and_nothing_else(
        excluded, make_user, other_la, officer, client):
    home = make_user(Role.LA_CME, other_la, username="681cme")
    seen = api_client(home).get(SIGNALS).json()["items"]
    assert [(item["upn"], item["kind"], item["fired_on"]) for item in seen] == [
        (UPN_1, "exclusion_day6", "2025-11-06")]
    assert sorted(item["upn"] for item in api_client(officer).get(
        SIGNALS, {"kind": "exclusion_day6"}).json()["items"]) == [UPN_1, UPN_2]
    client.force_login(home)
    assert client.get(reverse("cme:signal", args=[excluded.pk])).status_code == 200
    suspension = Signal.objects.get(kind="exclusion_day6", upn=UPN_2)
    assert client.get(reverse("cme:signal", args=[suspension.pk])).status_code == 404


def test_a_home_la_the_feed_stops_naming_loses_sight_of_the_exclusion(
        excluded, school, connector):
    assert excluded.home_la.number == "681"
    send_roll(connector, [pupil(UPN_1), pupil(UPN_2)])  # no pupil of the school has one now
    recompute(school, "2025-11-07")
    excluded.refresh_from_db()
    assert excluded.home_la is None


def test_the_schools_start_page_says_what_needs_it_and_links_its_own_view(
        fired, school_user, client):
    client.force_login(school_user)
    page = client.get(reverse("core:start")).content.decode()
    assert "4 open signals about your pupils" in page
    assert "1 return owed to your LA" in page
    assert "1 is overdue." in page
    assert "Left with no destination" in page  # the panel counts by kind
    assert reverse("cme:school") in page
    assert UPN_2 not in page  # counts only
    own = client.get(reverse("cme:school")).content.decode()
    assert UPN_1 in own
    assert UPN_2 in own
    assert "Mark received" not in own


def test_another_school_sees_none_of_them_and_la_users_have_no_school_view(
        fired, make_user, receiving_school, la_officer, client):
    client.force_login(make_user(Role.SCHOOL, receiving_school, username="8384512office"))
    assert UPN_1 not in client.get(reverse("cme:school")).content.decode()
    assert "0 open signals" in client.get(reverse("core:start")).content.decode()
    signal = Signal.objects.get(kind="left_no_destination")
    assert client.get(reverse("cme:signal", args=[signal.pk])).status_code == 404
    client.force_login(la_officer)
    assert client.get(reverse("cme:school")).status_code == 404


def test_a_signals_page_shows_the_pupil_and_the_read_is_audited(fired, school_user, client):
    client.force_login(school_user)
    signal = Signal.objects.get(kind="left_no_destination")
    page = client.get(reverse("cme:signal", args=[signal.pk])).content.decode()
    assert UPN_2 in page
    assert "5 November 2025" in page
    event = AuditEvent.objects.get(action="cme_signals_view")
    assert event.detail["signals"] == [signal.pk]
