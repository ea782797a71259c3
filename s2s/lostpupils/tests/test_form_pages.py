"""The LPD's send-to-a-school and remove forms on the one form page (issue 19).

Both post through `core.forms.form_submit`: the service's refusal is in the error summary
before the heading, linked to its field, the typing kept; each page has a way back and Cancel.
"""

import re

import pytest
from django.urls import reverse

from s2s.lostpupils.models import RecordStatus
from s2s.lostpupils.tests.conftest import send_lost
from s2s.transfers.models import Transfer


@pytest.fixture
def record(sending_school_user):
    return send_lost(sending_school_user, "8383321", surname="Thomson", forename="Ayesha",
                     dob="2012-10-05", sex="F").lost_pupil


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _summary(page: str) -> str:
    assert page.index('class="govuk-error-summary"') < page.index("<h1")
    return page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]


@pytest.mark.parametrize(("name", "who", "title", "back", "label"), [
    ("lostpupils:forward", "lpd_transfer_officer", "Send the CTF to a school in your LA",
     "record", "The record"),
    ("lostpupils:remove", "lost_pupil_officer", "Remove a lost pupil record", "la-records",
     "Files your schools sent"),
])
def test_each_lpd_form_has_its_title_the_file_a_way_back_and_cancel(
        name, who, title, back, label, record, client, request):
    client.force_login(request.getfixturevalue(who))
    page = _page(client.get(reverse(name, args=[record.pk])))
    back = reverse(f"lostpupils:{back}", args=[record.pk] if back == "record" else [])
    assert re.search(rf'<h1 class="govuk-heading-l">\s*{re.escape(title)}\s*</h1>', page)
    assert f'<span class="govuk-caption-l">{record.transfer.name}</span>' in page
    assert f'href="{back}" class="govuk-back-link">{label}</a>' in page
    assert f'<a class="govuk-link" href="{back}">Cancel</a>' in page


def test_removing_warns_that_it_cannot_be_undone(record, lost_pupil_officer, client):
    client.force_login(lost_pupil_officer)
    page = _page(client.get(reverse("lostpupils:remove", args=[record.pk])))
    warning = page.split('class="govuk-warning-text"', 1)[1].split("</div>", 1)[0]
    assert "this cannot be undone" in warning


def test_sending_to_a_school_of_another_la_is_in_the_summary_linked_to_the_school(
        record, lpd_transfer_officer, outsider_school, client):
    client.force_login(lpd_transfer_officer)
    page = _page(client.post(reverse("lostpupils:forward", args=[record.pk]),
                             {"to": outsider_school.code}))
    summary = _summary(page)
    assert "Enter the establishment number of a school in your LA, for example 8384512." \
        in summary
    assert 'href="#id_to"' in summary
    assert f'value="{outsider_school.code}"' in page  # the person's typing is kept
    assert Transfer.objects.count() == 1
    record.refresh_from_db()
    assert record.status == RecordStatus.OPEN


def test_a_removal_reason_left_blank_is_in_the_summary_linked_to_the_reason(
        record, lost_pupil_officer, client):
    client.force_login(lost_pupil_officer)
    page = _page(client.post(reverse("lostpupils:remove", args=[record.pk]), {"reason": " "}))
    summary = _summary(page)
    assert "Enter why the record is removed, for example where the pupil went" in summary
    assert 'href="#id_reason"' in summary
    record.refresh_from_db()
    assert record.status == RecordStatus.OPEN
