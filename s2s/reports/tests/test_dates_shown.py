"""Dates on the report pages read "1 September 2025"; the CSV keeps ISO dates (issue 19)."""

import lxml.html


def test_the_school_report_shows_days_in_words_and_its_csv_keeps_iso(client, data, la_officer):
    client.force_login(la_officer)
    page = lxml.html.fromstring(client.get("/reports/school/", {"school": "8383321"}).content)
    days = page.xpath("//table[@id='report-rows']/tbody/tr/td[1]/text()")
    assert days[:2] == ["20 August 2025", "1 September 2025"]
    csv = b"".join(client.get("/reports/school.csv", {"school": "8383321"}).streaming_content)
    assert [line.split(",")[0] for line in csv.decode().splitlines()[1:3]] == [
        "2025-08-20", "2025-09-01"]
