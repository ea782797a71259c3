"""The audit page's details in the reader's language (issue 17); the summary stays English."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop
from lxml import html

from s2s.accounts import services
from s2s.accounts.roles import Role
from s2s.audit.chain import chain_verify
from s2s.audit.models import AuditEvent
from s2s.audit.services import audit_record
from s2s.ctf.words import Text


def _details(client, user, language: str) -> list[str]:
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    page = html.fromstring(client.get(reverse("audit:list")).content)
    return [cell.text_content().strip() for cell in page.xpath("//tbody/tr/td[4]")]


@pytest.fixture
def changed(service_admin, la_officer):
    """A role change made by someone reading Welsh: the service words it for every reader."""
    with translation.override("cy"):
        services.user_change_role(by=service_admin, user=la_officer, role=Role.LA_LOST_PUPIL)
    return AuditEvent.objects.get(action="user.role_changed")


def test_a_services_event_is_stored_in_english_with_its_words(changed):
    assert changed.summary == "Changed the role of 838user from LA user to LA lost pupil"
    assert changed.detail["words"]["template"] == (
        "Changed the role of %(user)s from %(old)s to %(new)s")


def test_a_welsh_reader_sees_the_details_in_welsh(client, service_admin, changed):
    assert _details(client, service_admin, "cy") == [
        "Wedi newid rôl 838user o'r rôl Defnyddiwr ALl i'r rôl Disgyblion coll ALl"]


def test_an_english_reader_sees_them_in_english(client, service_admin, changed):
    assert _details(client, service_admin, "en-gb") == [
        "Changed the role of 838user from LA user to LA lost pupil"]


def test_rows_written_without_words_still_show_their_summary(client, service_admin, db):
    audit_record(action="la.created", actor=service_admin, summary="Added LA 681")
    audit_record(action="la.created", actor=service_admin, summary="Broken words",
                 detail={"words": {"template": "%(missing)s", "params": {"other": 1}}})
    assert _details(client, service_admin, "cy") == ["Broken words", "Added LA 681"]


def test_the_words_hold_only_what_the_summary_shows_and_the_chain_verifies(
        service_admin, la_dba, la_officer, sending_school_user):
    services.user_confirm_still_valid(by=la_dba, user=la_officer)
    services.user_set_active(by=None, user=sending_school_user, active=False)
    services.user_delete(by=service_admin, user=la_officer)
    events = AuditEvent.objects.all()
    for event in events:
        for value in event.detail["words"]["params"].values():
            shown = value["template"] if isinstance(value, dict) else str(value)
            assert shown in event.summary
    checked, broken = chain_verify()
    assert (checked, broken) == (events.count(), None)


def test_a_welsh_writers_labels_are_stored_in_english(service_admin, home_la):
    """A role's label goes in as the lazy label, so a Welsh administrator's event is English."""
    with translation.override("cy"):
        services.user_create(by=service_admin, username="838nurse", role=Role.LA_USER,
                             scope=home_la, email="nurse@dorset.example.gov.uk")
    event = AuditEvent.objects.get(action="user.created")
    assert event.summary == "Added 838nurse: LA user in 838"
    with translation.override("cy"):
        assert event.details == "Wedi ychwanegu 838nurse: rôl Defnyddiwr ALl yn 838"


def test_a_date_in_the_details_is_written_as_each_reader_writes_dates(client, service_admin):
    """The stored English keeps the ISO date (as the CSV does); the page says it in words."""
    audit_record(action="agency.agreement_made", actor=service_admin,
                 summary=Text(gettext_noop("%(agency)s, %(direction)s, with %(ends)s until "
                                           "%(until)s"),
                              agency="838HLTH", direction="in", ends="838LLLL",
                              until=date(2027, 3, 31).isoformat()))
    assert AuditEvent.objects.get().summary == "838HLTH, in, with 838LLLL until 2027-03-31"
    assert _details(client, service_admin, "en-gb")[0].endswith("until 31 March 2027")
    welsh = _details(client, service_admin, "cy")[0]
    assert "31 Mawrth 2027" in welsh
    assert "2027-03-31" not in welsh
