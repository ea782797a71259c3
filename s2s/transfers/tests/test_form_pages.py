"""The transfer and LA monitoring forms on the one form page (issue 19).

Reject, delete, the LA's forward and delete, and the phase transfer's picker post through
`core.forms.form_submit`: the service's refusal is in the error summary before the heading,
linked to its field when the form has it, and the form pages have a way back and Cancel.
"""

import re

import pytest
from django.urls import reverse

from s2s.transfers.models import Transfer, TransferStatus
from s2s.transfers.tests.la_files import send, set_state


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _summary(page: str) -> str:
    assert page.index('class="govuk-error-summary"') < page.index("<h1")
    return page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]


@pytest.fixture
def waiting(sending_school_user, receiving_school):
    """A two-pupil CTF from 8383321 awaiting collection at 8384512."""
    return send(sending_school_user, "8383321", "8384512", sequence=9)


NOT_COLLECTED = "/files/la/not-collected"


@pytest.mark.parametrize(("name", "who", "title", "back", "label"), [
    ("transfers:reject", "receiving_school_user", "Reject this file", None, None),
    ("transfers:delete", "sending_school_user", "Delete this file", None, None),
    ("transfers:la-forward", "la_officer", "Forward this file", NOT_COLLECTED,
     "Files not collected by schools"),
    ("transfers:la-delete", "la_officer", "Delete this file", NOT_COLLECTED,
     "Files not collected by schools"),
])
def test_each_file_form_has_its_title_the_file_a_way_back_and_cancel(
        name, who, title, back, label, waiting, client, request):
    client.force_login(request.getfixturevalue(who))
    page = _page(client.get(reverse(name, args=[waiting.pk])))
    back = back or reverse("transfers:detail", args=[waiting.pk])
    assert re.search(rf'<h1 class="govuk-heading-l">\s*{re.escape(title)}\s*</h1>', page)
    assert f'<span class="govuk-caption-l">{waiting.name}</span>' in page
    assert f'href="{back}" class="govuk-back-link">{label or waiting.name}</a>' in page
    assert f'<a class="govuk-link" href="{back}">Cancel</a>' in page


def test_the_las_forms_show_the_file_they_act_on(waiting, la_officer, client):
    client.force_login(la_officer)
    for name in ("transfers:la-forward", "transfers:la-delete"):
        page = _page(client.get(reverse(name, args=[waiting.pk])))
        summary = page.split('class="govuk-summary-list"', 1)[1].split("</dl>", 1)[0]
        assert "8383321" in summary  # from
        assert "8384512" in summary  # to
        assert re.search(r"Pupils</dt>\s*<dd[^>]*>2</dd>", summary)


def test_a_reason_left_blank_is_in_the_summary_linked_to_the_reason(
        waiting, receiving_school_user, client):
    client.force_login(receiving_school_user)
    page = _page(client.post(reverse("transfers:reject", args=[waiting.pk]), {"reason": " "}))
    summary = _summary(page)
    assert "Give the reason" in summary
    assert 'href="#id_reason"' in summary
    waiting.refresh_from_db()
    assert waiting.status == TransferStatus.AWAITING


def test_rejecting_a_file_no_longer_waiting_is_refused_on_the_form_with_the_reason_kept(
        waiting, receiving_school_user, client):
    set_state(waiting, status=TransferStatus.COLLECTED)
    client.force_login(receiving_school_user)
    page = _page(client.post(reverse("transfers:reject", args=[waiting.pk]),
                             {"reason": "Not our pupil"}))
    assert "Only a file waiting to be downloaded can be rejected" in _summary(page)
    assert "Not our pupil" in page  # the person's typing is kept
    waiting.refresh_from_db()
    assert waiting.status == TransferStatus.COLLECTED


def test_the_las_forward_to_a_bad_school_is_in_the_summary_linked_to_the_school(
        waiting, la_officer, client):
    client.force_login(la_officer)
    page = _page(client.post(reverse("transfers:la-forward", args=[waiting.pk]),
                             {"to": "XXXXXXX"}))
    summary = _summary(page)
    assert "7-digit establishment number" in summary
    assert 'href="#id_to"' in summary
    assert Transfer.objects.count() == 1


def test_the_las_delete_of_a_collected_file_is_refused_on_the_form(
        waiting, la_officer, client):
    set_state(waiting, status=TransferStatus.COLLECTED)
    client.force_login(la_officer)
    page = _page(client.post(reverse("transfers:la-delete", args=[waiting.pk]),
                             {"reason": "Sent in error"}))
    assert f"{waiting.name} is collected and cannot be deleted." in _summary(page)
    waiting.refresh_from_db()
    assert waiting.status == TransferStatus.COLLECTED


def test_a_phase_split_with_no_school_picked_is_refused_in_the_summary(
        sending_school_user, home_la, la_officer, client):
    bulk = send(sending_school_user, "8383321", "838LLLL", sequence=12, pupils=3)
    client.force_login(la_officer)
    page = _page(client.post(reverse("transfers:phase-transfer", args=[bulk.pk]),
                             {"how": "pick"}))
    assert "Choose a destination school for at least one pupil" in _summary(page)
    assert Transfer.objects.count() == 1
