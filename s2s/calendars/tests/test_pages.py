"""The calendar pages: a school's or an LA's terms and closures for a year."""

from django.urls import reverse

SCHOOL_PAGE = reverse("calendars:school", kwargs={"code": "8383321"})


def test_a_school_user_is_taken_to_its_schools_calendar(client, sending_school_user):
    client.force_login(sending_school_user)
    response = client.get(reverse("calendars:mine"))
    assert response.url == SCHOOL_PAGE


def test_an_la_person_is_taken_to_its_las_calendar(client, la_officer):
    client.force_login(la_officer)
    assert client.get(reverse("calendars:mine")).url == reverse("calendars:la",
                                                               kwargs={"number": "838"})


def test_the_page_shows_terms_with_their_school_days_and_the_closures(
        client, sending_school, sending_school_user, set_calendar):
    set_calendar(sending_school)
    client.force_login(sending_school_user)
    page = client.get(SCHOOL_PAGE, {"year": "2025/26"}).content.decode()
    assert "Calendar 2025/26" in page
    assert "Wednesday 3 September 2025" in page
    assert "Friday 24 October 2025" in page
    # 3 September to 24 October: 38 weekdays, no closures or bank holidays.
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">38</td>' in page
    assert "Friday 14 November 2025" in page
    assert "INSET" in page
    assert "Afternoon" in page
    assert "Bank holidays inside a term: 4 May 2026." in page


def test_a_school_following_its_las_calendar_is_told_so(client, home_la, sending_school_user,
                                                       set_calendar):
    set_calendar(home_la)
    client.force_login(sending_school_user)
    page = client.get(SCHOOL_PAGE, {"year": "2025/26"}).content.decode()
    assert "it follows the calendar of 838 Dorset" in page


def test_a_year_without_a_calendar_says_so(client, sending_school_user):
    client.force_login(sending_school_user)
    page = client.get(SCHOOL_PAGE, {"year": "2030/31"}).content.decode()
    assert "No calendar has been sent for 2030/31" in page
    assert "?year=2029/30" in page
    assert "?year=2031/32" in page
