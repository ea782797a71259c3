"""The LA's CME page: open signals by kind, then one kind's pupils; the read audited."""

import lxml.html
import pytest
from django.urls import reverse

from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent
from s2s.cme.models import Signal
from s2s.cme.tests.conftest import UPN_2, days_between, mark_days, recompute


@pytest.fixture
def officer(make_user, home_la):
    return make_user(Role.LA_CME, home_la, username="838cme")


@pytest.fixture
def fired(school, connector, outsider_school):
    """UPN_1's signals at 8383321 (LA 838), and one at another LA's school."""
    mark_days(connector, days_between(school, "2025-10-20", "2025-11-07"), "N")
    recompute(school, "2025-11-07")
    Signal.objects.create(kind="absence_10_days", establishment=outsider_school, upn=UPN_2,
                          surname="Jones", forename="Bob", first_day="2025-10-20",
                          fired_on="2025-11-07", school_days=10)


def cells(response, row) -> list[str]:
    page = lxml.html.fromstring(response.content)
    return [" ".join(td.text_content().split()) for td in page.xpath(f"(//tbody)[{row}]/tr")]


def test_the_officer_sees_the_open_signals_of_the_la_by_kind(client, officer, fired):
    client.force_login(officer)
    response = client.get(reverse("cme:signals"))
    rows = cells(response, 1)
    assert "10 school days of continuous unauthorised absence 1" in rows
    assert "Severe absence (50% or more) 1" in rows
    assert "Sickness" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="cme_signals_view").exists()


def test_one_kind_lists_its_pupils_and_the_read_is_audited(client, officer, fired):
    client.force_login(officer)
    response = client.get(reverse("cme:signals"), {"kind": "absence_10_days"})
    assert cells(response, "last()") == [
        "Smith, Amy F838332120001 15 October 2016 10 school days of continuous unauthorised "
        "absence 8383321 Stickland's CE VA Primary 20 October 2025 7 November 2025 10 Open a case"]
    assert AuditEvent.objects.get(action="cme_signals_view").actor == officer


def test_the_menu_offers_the_page_to_the_cme_officer(client, officer, la_officer):
    client.force_login(officer)
    assert reverse("cme:signals") in client.get(reverse("core:start")).content.decode()
    client.force_login(la_officer)
    assert reverse("cme:signals") not in client.get(reverse("core:start")).content.decode()
