"""Every form is validated on the server and shows all its problems at once (issue 19)."""

import re
from pathlib import Path

import lxml.html
from django.urls import reverse

import s2s

TEMPLATES = sorted(Path(s2s.__file__).parent.rglob("*.html"))


def test_every_form_in_the_templates_leaves_validation_to_the_server():
    missing = [f"{path.name}: {tag}" for path in TEMPLATES
               for tag in re.findall(r"<form\b[^>]*>", path.read_text())
               if "novalidate" not in tag]
    assert TEMPLATES
    assert missing == []


def test_every_page_drawing_a_form_has_an_error_summary():
    missing = [path.name for path in TEMPLATES
               if "{% crispy" in (text := path.read_text()) and "error_summary" not in text]
    assert missing == []


def test_a_form_laid_out_by_crispy_forms_has_novalidate(client, sending_school_user,
                                                        receiving_school):
    from s2s.transfers.tests.la_files import send

    sent = send(sending_school_user, "8383321", "8384512")
    client.force_login(sending_school_user)
    page = lxml.html.fromstring(client.get(reverse("transfers:delete", args=[sent.pk])).content)
    forms = page.xpath("//main//form")
    assert forms
    assert all(form.get("novalidate") is not None for form in forms)


def test_the_summary_lists_every_problem_of_the_form_at_once(client, la_officer):
    client.force_login(la_officer)
    response = client.get(reverse("reports:report", args=["usage"]), {
        "from_day": "31", "from_month": "2", "from_year": "2025",
        "to_day": "1", "to_month": "", "to_year": "2025"})
    page = lxml.html.fromstring(response.content)
    listed = [a.text_content().strip()
              for a in page.xpath("//div[contains(@class, 'govuk-error-summary')]//li/a")]
    assert listed == ["The start date must be a real date", "The end date must include a month"]
