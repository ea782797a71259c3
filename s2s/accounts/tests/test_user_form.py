"""Adding a user: no role chosen for the person, no user at a closed school, every problem at once.

Issue 19, People and accounts.
"""

import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from s2s.accounts.models import User
from s2s.accounts.roles import Role
from s2s.directory.models import EstablishmentStatus


@pytest.fixture
def as_dba(client, la_dba):
    client.force_login(la_dba)
    return client


def _summary(page: str) -> list[str]:
    """Return the error summary's messages, in order."""
    summary = page.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [unescape(re.sub(r"\s+", " ", text).strip())
            for text in re.findall(r"<a [^>]*>([^<]+)</a>", summary)]


def _add(client, **fields):
    data = {"username": "8383321jo", "full_name": "Jo Bloggs",
            "email": "jo@stickland.example.sch.uk", "role": "school", "scope": "8383321"}
    return client.post(reverse("accounts:user-create"), {**data, **fields})


def test_no_role_is_chosen_until_the_person_chooses_one(as_dba):
    page = as_dba.get(reverse("accounts:user-create")).content.decode()
    select = page.split('name="role"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="([^"]*)" selected', select) == [""]
    assert re.search(r'<option value="" selected>\s*Choose a role', select)


def test_a_user_without_a_role_is_refused_with_choose_a_role(as_dba, sending_school):
    response = _add(as_dba, role="")
    assert _summary(response.content.decode()) == ["Choose a role"]
    assert not User.objects.filter(username="8383321jo").exists()


def test_the_form_is_checked_on_the_server_only(as_dba):
    page = as_dba.get(reverse("accounts:user-create")).content.decode()
    assert re.search(r"<form[^>]*novalidate", page)


def test_every_problem_shows_at_once(as_dba, make_user, sending_school, home_la):
    make_user(Role.SCHOOL, sending_school, username="8383321jo")
    response = _add(as_dba, email="jo@hotmail.com", role="la_user", scope="8383321")
    page = response.content.decode()
    assert response.status_code == 200
    problems = _summary(page)
    assert len(problems) == 3
    assert problems[0] == "The username 8383321jo is taken: choose another."
    assert "hotmail.com" in problems[1]
    assert problems[2].startswith("LA user accounts belong to one local authority")


def test_empty_fields_and_a_bad_scope_show_together(as_dba):
    response = _add(as_dba, username="", email="", role="", scope="99")
    assert _summary(response.content.decode()) == [
        "Enter a username", "Enter the user's work email address", "Choose a role",
        "The scope must be national, a 3-digit LA number, a 7-digit establishment number or an "
        "agency reference such as 838HLTH; 99 is none of these.",
    ]


def test_a_user_cannot_be_added_to_a_closed_school_and_the_message_names_its_successor(
        as_dba, sending_school, receiving_school):
    sending_school.status = EstablishmentStatus.CLOSED
    sending_school.closed_on = date(2025, 8, 31)
    sending_school.successor = receiving_school
    sending_school.save()
    response = _add(as_dba)
    assert _summary(response.content.decode()) == [
        "Stickland's CE VA Primary (8383321) has closed: add the user to the school that took "
        "its pupils, Thomas Hardye School (8384512)."]
    assert not User.objects.filter(username="8383321jo").exists()


def test_a_closed_school_without_a_successor_is_refused_saying_so(as_dba, sending_school):
    sending_school.status = EstablishmentStatus.CLOSED
    sending_school.save()
    response = _add(as_dba)
    assert _summary(response.content.decode()) == [
        "Stickland's CE VA Primary (8383321) has closed and no school took its place: a user "
        "cannot be added to it."]


def test_the_command_line_refuses_a_closed_school_too(db, sending_school):
    from django.core.management import CommandError, call_command

    sending_school.status = EstablishmentStatus.CLOSED
    sending_school.save()
    with pytest.raises(CommandError, match="has closed"):
        call_command("create_user", "8383321jo", "--role", "school", "--scope", "8383321",
                     "--email", "jo@stickland.example.sch.uk")


def test_a_school_proposed_to_close_still_takes_users(as_dba, sending_school):
    sending_school.status = EstablishmentStatus.OPEN_PROPOSED_TO_CLOSE
    sending_school.save()
    response = _add(as_dba)
    assert response.status_code == 302
    assert User.objects.get(username="8383321jo").establishment == sending_school
