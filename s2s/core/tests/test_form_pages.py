"""The one form page (`core.forms.form_submit`, `form_page`): a service's refusal on the form.

Directory, messaging templates and groups, and user administration post their forms through
the same helper and show the same page: a back link, the error summary before the heading with
the service's words linked to the field at fault, the form kept as typed, and Cancel.
"""

import re

import pytest
from django.urls import reverse

from s2s.messaging.models import MessageTemplate


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _summary(page: str) -> str:
    return page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]


@pytest.fixture
def officer(client, la_officer):
    client.force_login(la_officer)
    MessageTemplate.objects.create(owner=la_officer, name="Chaser", subject="Files",
                                   body="Please collect your files.")
    return client


def test_a_refusal_from_the_service_is_in_the_summary_linked_to_its_field(officer):
    page = _page(officer.post(reverse("messaging:template-add"), {
        "name": "  Chaser ", "subject": "Term dates", "body": "See the calendar."}))
    summary = _summary(page)
    assert "You already have a template called Chaser" in summary
    assert 'href="#id_name"' in summary
    assert page.index("govuk-error-summary") < page.index("<h1")
    assert "See the calendar." in page  # the person's typing is kept
    assert MessageTemplate.objects.count() == 1


@pytest.mark.parametrize(("url", "title", "back"), [
    (lambda w: reverse("messaging:template-add"), "Add a message template", "/messages/templates"),
    (lambda w: reverse("messaging:group-add"), "Add a message group", "/messages/groups"),
    (lambda w: reverse("accounts:user-create"), "Add a user", "/account/users"),
    (lambda w: reverse("accounts:user-reset", args=[w.pk]), "Reset the password of 8383321?",
     None),
    (lambda w: reverse("directory:my-la-edit"), "Change LA details", "/directory/la/"),
])
def test_every_form_page_has_its_title_a_way_back_and_cancel(
        url, title, back, client, la_dba, sending_school_user):
    client.force_login(la_dba)
    page = _page(client.get(url(sending_school_user)))
    back = back or reverse("accounts:user-detail", args=[sending_school_user.pk])
    assert re.search(rf'<h1 class="govuk-heading-l">\s*{re.escape(title)}\s*</h1>', page)
    assert f'href="{back}" class="govuk-back-link"' in page
    assert f'<a class="govuk-link" href="{back}">Cancel</a>' in page


@pytest.mark.parametrize(("url", "button"), [
    ("directory:my-la-edit", "Save"),
    ("agencies:agreement-create", "Make the agreement"),
])
def test_a_form_page_posts_its_form_with_one_button_saying_what_it_does(
        url, button, client, la_dba):
    client.force_login(la_dba)
    page = _page(client.get(reverse(url)))
    form = page.split("<h1", 1)[1].split("<form", 1)[1].split("</form>", 1)[0]
    assert 'method="post"' in form
    assert re.findall(r'<button[^>]*type="submit"[^>]*>\s*([^<]*?)\s*</button>', form) == [button]
