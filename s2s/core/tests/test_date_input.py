"""The GOV.UK date input (issue 19): one field for the lost-pupil search's date of birth, the
report filters and the audit filter, refusing in the GOV.UK pattern's words."""

from datetime import date

import lxml.html
import pytest
from django import forms
from django.urls import reverse

from s2s.core.forms import DateInputField


class BirthForm(forms.Form):
    dob = DateInputField(label="Date of birth", error_name="Date of birth", past=True,
                         required=False)


@pytest.mark.parametrize(("day", "month", "year", "message"), [
    ("31", "2", "2014", "Date of birth must be a real date"),
    ("29", "2", "2015", "Date of birth must be a real date"),
    ("", "3", "2014", "Date of birth must include a day"),
    ("27", "", "2014", "Date of birth must include a month"),
    ("27", "3", "", "Date of birth must include a year"),
    ("", "", "2014", "Date of birth must include a day and month"),
    ("27", "March", "2014", "Date of birth must be a real date"),
    ("27", "3", "14", "Year must include 4 numbers"),
    ("1", "1", "2999", "Date of birth must be in the past"),
])
def test_a_date_that_is_not_whole_real_or_past_is_refused_in_govuk_words(day, month, year,
                                                                        message):
    form = BirthForm({"dob_day": day, "dob_month": month, "dob_year": year})
    assert not form.is_valid()
    assert form.errors["dob"] == [message]


def test_a_real_date_in_three_boxes_is_that_date_and_blank_boxes_are_no_date():
    form = BirthForm({"dob_day": "29", "dob_month": "2", "dob_year": "2016"})
    assert form.is_valid()
    assert form.cleaned_data["dob"] == date(2016, 2, 29)
    blank = BirthForm({"dob_day": "", "dob_month": "", "dob_year": ""})
    assert blank.is_valid()
    assert blank.cleaned_data["dob"] is None


def test_an_iso_date_under_the_fields_name_still_works_for_links_and_csv_addresses():
    form = BirthForm({"dob": "2014-03-27"})
    assert form.is_valid()
    assert form.cleaned_data["dob"] == date(2014, 3, 27)
    assert BirthForm({"dob": "27/03/2014"}).errors["dob"] == [
        "Date of birth must be a real date"]


@pytest.fixture
def search_page(client, make_user, home_la):
    client.force_login(make_user("la_lost_pupil", home_la, username="lpo"))

    def search(**boxes):
        response = client.get(reverse("lostpupils:search"), {**boxes, "search": ""})
        return lxml.html.fromstring(response.content)

    return search


def test_the_lost_pupil_search_refuses_31_february_with_the_govuk_message(search_page):
    page = search_page(surname="Smith", dob_day="31", dob_month="2", dob_year="2014")
    summary = page.xpath("//div[contains(@class, 'govuk-error-summary')]//a")
    assert [(a.text_content().strip(), a.get("href")) for a in summary] == [
        ("Date of birth must be a real date", "#id_dob_0")]
    boxes = page.xpath("//div[contains(@class, 'govuk-date-input')]//input")
    assert [box.get("name") for box in boxes] == ["dob_day", "dob_month", "dob_year"]
    assert all("govuk-input--error" in box.get("class") for box in boxes)
    assert [box.get("value") for box in boxes] == ["31", "2", "2014"]


def test_a_missing_month_marks_and_links_only_the_month_box(search_page):
    page = search_page(surname="Smith", dob_day="27", dob_month="", dob_year="2014")
    assert page.xpath("//div[contains(@class, 'govuk-error-summary')]//a/@href") == ["#id_dob_1"]
    marked = page.xpath("//input[contains(@class, 'govuk-input--error')]/@name")
    assert marked == ["dob_month"]


def test_the_report_filter_takes_day_month_and_year_and_refuses_an_unreal_date(
        client, la_officer):
    client.force_login(la_officer)
    url = reverse("reports:report", args=["usage"])
    shown = client.get(url, {"from_day": "1", "from_month": "9", "from_year": "2025"})
    assert shown.status_code == 200
    assert "Files uploaded from 1 September 2025" in shown.content.decode()
    refused = client.get(url, {"from_day": "30", "from_month": "2", "from_year": "2025"})
    assert refused.status_code == 400
    assert "The start date must be a real date" in refused.content.decode()
    page = lxml.html.fromstring(refused.content)
    assert page.xpath("//input[@name='to_day']")


def test_the_audit_filter_uses_the_same_date_input(client, la_dba):
    client.force_login(la_dba)
    response = client.get(reverse("audit:list"), {"date_from_day": "31", "date_from_month": "4",
                                                  "date_from_year": "2025", "filter": ""})
    assert "The start date must be a real date" in response.content.decode()
