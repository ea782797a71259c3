import pytest
from django.urls import reverse

from s2s.audit.models import AuditEvent
from s2s.directory.models import Agency, AgencyKind, Establishment, LocalAuthority


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def _page(response):
    assert response.status_code == 200
    return response.content.decode()


def test_a_dba_cannot_see_or_edit_another_las_school(signed_in, la_dba, outsider_school):
    client = signed_in(la_dba)
    code = outsider_school.code

    assert client.get(reverse("directory:school-detail", args=[code])).status_code == 404
    assert client.get(reverse("directory:school-edit", args=[code])).status_code == 404
    response = client.post(reverse("directory:school-edit", args=[code]),
                           {"name": "Taken over", "active": "on"})
    assert response.status_code == 404
    outsider_school.refresh_from_db()
    assert outsider_school.name == "Llanwern High School"
    assert code not in _page(client.get(reverse("directory:school-list")))


def test_a_dba_lists_and_searches_its_own_schools(signed_in, la_dba, sending_school,
                                                 receiving_school, outsider_school):
    client = signed_in(la_dba)

    page = _page(client.get(reverse("directory:school-list")))
    assert "8383321" in page
    assert "8384512" in page
    assert "2 establishments found" in page
    assert 'name="la"' not in page  # one LA only: no LA filter
    page = _page(client.get(reverse("directory:school-list"), {"q": "hardye"}))
    assert "8384512" in page
    assert "8383321" not in page
    page = _page(client.get(reverse("directory:school-list"), {"q": "838332"}))
    assert "8383321" in page
    assert "8384512" not in page


def test_the_service_administrator_filters_schools_by_la(signed_in, service_admin,
                                                         sending_school, outsider_school):
    client = signed_in(service_admin)

    page = _page(client.get(reverse("directory:school-list")))
    assert 'name="la"' in page
    assert "6812345" in page
    page = _page(client.get(reverse("directory:school-list"), {"la": "681"}))
    assert "6812345" in page
    assert "8383321" not in page


def test_the_school_list_is_paginated(signed_in, la_dba, home_la):
    for number in range(1000, 1060):
        Establishment.objects.create(la=home_la, number=str(number), name=f"School {number}")
    client = signed_in(la_dba)

    first = _page(client.get(reverse("directory:school-list"), {"q": "School"}))
    second = _page(client.get(reverse("directory:school-list"), {"q": "School", "page": 2}))

    assert "8381000" in first
    assert "8381055" not in first
    assert "Page 1 of 2" in first
    assert "?q=School&amp;page=2" in first
    assert "8381055" in second


def test_a_dba_changes_a_school_and_sees_a_success_message(signed_in, la_dba, sending_school):
    client = signed_in(la_dba)
    url = reverse("directory:school-edit", args=[sending_school.code])
    assert "Change school details" in _page(client.get(url))

    response = client.post(url, {
        "name": "Stickland's CE VA Primary School", "phone": "01258 880437",
        "email": "office@stickland.example.sch.uk", "town": "Blandford Forum", "active": "on",
    }, follow=True)

    page = _page(response)
    assert "The details of 8383321 have been updated." in page
    sending_school.refresh_from_db()
    assert sending_school.town == "Blandford Forum"
    event = AuditEvent.objects.get(action="directory.establishment.update")
    assert event.ip_address == "127.0.0.1"


def test_a_wrong_telephone_number_is_shown_in_the_error_summary(signed_in, la_dba,
                                                                sending_school):
    client = signed_in(la_dba)

    response = client.post(reverse("directory:school-edit", args=[sending_school.code]), {
        "name": sending_school.name, "phone": "ring the office", "active": "on",
    })

    page = _page(response)
    assert "govuk-error-summary" in page
    assert "Enter a telephone number" in page
    assert page.index("govuk-error-summary") < page.index("<h1")


def test_a_view_only_dba_sees_a_school_read_only_and_never_the_edit_page(
    signed_in, la_dba_view, sending_school
):
    client = signed_in(la_dba_view)

    page = _page(client.get(reverse("directory:school-detail", args=[sending_school.code])))
    assert "Stickland" in page
    assert reverse("directory:school-edit", args=[sending_school.code]) not in page
    assert client.get(reverse("directory:school-edit", args=[sending_school.code])
                      ).status_code == 404


def test_a_dba_sees_the_link_to_change_a_school_but_not_to_set_its_successor(
    signed_in, la_dba, sending_school
):
    page = _page(signed_in(la_dba).get(
        reverse("directory:school-detail", args=[sending_school.code])))

    assert reverse("directory:school-edit", args=[sending_school.code]) in page
    assert reverse("directory:school-successor", args=[sending_school.code]) not in page


def test_the_service_administrator_sets_a_successor(signed_in, service_admin, sending_school,
                                                    receiving_school):
    client = signed_in(service_admin)
    url = reverse("directory:school-successor", args=[sending_school.code])

    page = _page(client.post(url, {"successor": "8389999"}))
    assert "There is no establishment 8389999." in page
    response = client.post(url, {"successor": receiving_school.code}, follow=True)

    page = _page(response)
    assert "The successor of 8383321 has been saved." in page
    assert reverse("directory:school-detail", args=[receiving_school.code]) in page
    sending_school.refresh_from_db()
    assert sending_school.successor == receiving_school


def test_the_successor_page_shows_the_loop_refusal(signed_in, service_admin, sending_school,
                                                   receiving_school):
    sending_school.successor = receiving_school
    sending_school.save()
    client = signed_in(service_admin)

    page = _page(client.post(
        reverse("directory:school-successor", args=[receiving_school.code]),
        {"successor": sending_school.code},
    ))

    assert "would make a loop" in page


def test_the_service_administrator_adds_an_la_and_is_offered_to_add_its_dba(
    signed_in, service_admin
):
    client = signed_in(service_admin)

    response = client.post(reverse("directory:la-create"), {
        "number": "680", "name": "Newport", "nation": "wales",
        "email": "s2s@newport.example.gov.uk",
    }, follow=True)

    page = _page(response)
    assert "Local authority 680 Newport added." in page
    assert "/account/users/new?la=680&amp;role=la_dba" in page
    assert LocalAuthority.objects.get(number="680").nation == "wales"
    assert "680" in _page(client.get(reverse("directory:la-list")))


def test_adding_an_la_that_exists_shows_the_error_on_the_number(signed_in, service_admin,
                                                                home_la):
    page = _page(signed_in(service_admin).post(reverse("directory:la-create"), {
        "number": "838", "name": "Dorset again", "nation": "england",
    }))

    assert "govuk-error-summary" in page
    assert "LA 838 already exists." in page
    assert "#id_number" in page


def test_every_la_role_reads_its_la_details_but_only_the_dba_may_change_them(
    signed_in, la_officer, home_la
):
    page = _page(signed_in(la_officer).get(reverse("directory:my-la")))

    assert "838" in page
    assert "Dorset" in page
    assert reverse("directory:my-la-edit") not in page


def test_a_dba_changes_its_la_details_and_switches_off_ctf_copies(signed_in, la_dba, home_la):
    client = signed_in(la_dba)
    assert reverse("directory:my-la-edit") in _page(client.get(reverse("directory:my-la")))

    response = client.post(reverse("directory:my-la-edit"), {
        "name": "Dorset Council", "email": "s2s@dorset.example.gov.uk",
    }, follow=True)

    assert "have been updated" in _page(response)
    home_la.refresh_from_db()
    assert home_la.name == "Dorset Council"
    assert home_la.receive_ctf_copies is False


def test_the_service_administrators_la_details_menu_leads_to_the_list_of_las(
    signed_in, service_admin
):
    response = signed_in(service_admin).get(reverse("directory:my-la"))

    assert response.status_code == 302
    assert response.url == reverse("directory:la-list")


def test_a_dba_sees_its_las_agencies_only(signed_in, la_dba, agency, other_la):
    Agency.objects.create(la=other_la, reference="681POLC", name="Gwent Police",
                          kind=AgencyKind.POLICE)

    page = _page(signed_in(la_dba).get(reverse("directory:agency-list")))

    assert "838HLTH" in page
    assert "681POLC" not in page


def test_the_menu_offers_schools_and_la_details_to_a_dba(signed_in, la_dba):
    page = _page(signed_in(la_dba).get(reverse("core:start")))

    assert reverse("directory:school-list") in page
    assert reverse("directory:my-la") in page
