"""The CME officer's case pages: the caseload (overdue first), a case, opening, acting."""

from datetime import date, datetime

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent
from s2s.cme.cases import case_act, case_open
from s2s.cme.models import Case, Signal
from s2s.cme.tests.conftest import UPN_1
from s2s.ctf.identifiers import make_upn

UPN_A = make_upn(la="838", establishment="4512", year=19, serial=7)
UPN_B = make_upn(la="838", establishment="4512", year=19, serial=8)


@pytest.fixture
def officer(make_user, home_la):
    return make_user(Role.LA_CME, home_la, username="838cme")


def opened(officer, upn, surname, since):
    case = case_open(user=officer, upn=upn, surname=surname, forename="Cara",
                     dob=date(2015, 3, 1))
    Case.objects.filter(pk=case.pk).update(
        state_since=timezone.make_aware(datetime.fromisoformat(since)))
    return case


def rows(response, table: int) -> list[str]:
    page = lxml.html.fromstring(response.content)
    return [" ".join(tr.text_content().split())
            for tr in page.xpath(f"(//main//tbody)[{table}]/tr")]


def test_the_caseload_counts_by_state_and_lists_overdue_first(client, officer, calendar_2025):
    recent = opened(officer, UPN_A, "Newer", timezone.localdate().isoformat() + "T09:00")
    late = opened(officer, UPN_B, "Older", "2025-10-01T09:00")
    client.force_login(officer)
    response = client.get(reverse("cme:cases"))
    assert rows(response, 1)[0] == "Referred 2"
    listed = rows(response, 2)
    assert listed[0].startswith(f"{late.pk} Older, Cara")
    assert listed[0].endswith("Overdue")
    assert listed[1].startswith(f"{recent.pk} Newer, Cara")
    assert "Overdue" not in listed[1]
    assert "1 case is overdue." in response.content.decode()
    audited = AuditEvent.objects.get(action="cme_cases_view")
    assert sorted(audited.detail["cases"]) == sorted([late.pk, recent.pk])


def test_the_case_page_shows_the_child_checklist_timeline_and_actions(client, officer,
                                                                       home_la):
    case = opened(officer, UPN_A, "Jones", "2025-10-01T09:00")
    case_act(user=officer, case_id=case.pk, action="start_enquiries")
    case_act(user=officer, case_id=case.pk, action="health", note="GP has no record.")
    client.force_login(officer)
    response = client.get(reverse("cme:case", kwargs={"pk": case.pk}))
    text = " ".join(response.content.decode().split())
    assert "Cara Jones" in text
    assert rows(response, 1)[2].startswith("Health services asked 838cme")
    assert rows(response, 1)[0] == "Lost Pupil Database searched Not yet"
    assert [r.split(" ", 4)[-1] for r in rows(response, 3)] == [
        "Case opened 838cme", "Start enquiries 838cme", "Health services asked 838cme GP has no "
        "record."]
    for label in ("Child located", "Child not located", "Housing asked", "Add a note"):
        assert label in text
    assert "Start enquiries</a>" not in text
    assert AuditEvent.objects.get(action="cme_case_view").object_id == str(case.pk)


def test_a_refused_action_is_shown_on_the_form_saying_why(client, officer, home_la):
    case = opened(officer, UPN_A, "Jones", "2025-10-01T09:00")
    client.force_login(officer)
    url = reverse("cme:case-act", kwargs={"pk": case.pk, "action": "close"})
    response = client.post(url, {"outcome": "not_found"})
    assert response.status_code == 200
    assert "Start enquiries first: the case is referred." in response.content.decode()
    case.refresh_from_db()
    assert case.state == "referred"


def test_an_action_moves_the_case_and_goes_back_to_it(client, officer, home_la):
    case = opened(officer, UPN_A, "Jones", "2025-10-01T09:00")
    client.force_login(officer)
    url = reverse("cme:case-act", kwargs={"pk": case.pk, "action": "start_enquiries"})
    response = client.post(url, {"note": "Letter sent home."})
    assert response.url == reverse("cme:case", kwargs={"pk": case.pk})
    case.refresh_from_db()
    assert case.state == "enquiries"
    assert case.events.last().note == "Letter sent home."


def test_open_a_case_by_upn(client, officer, home_la):
    client.force_login(officer)
    response = client.post(reverse("cme:case-open"), {
        "upn": UPN_A, "surname": "Jones", "forename": "Cara", "dob_day": "1", "dob_month": "3",
        "dob_year": "2015"})
    case = Case.objects.get()
    assert response.url == reverse("cme:case", kwargs={"pk": case.pk})
    assert (case.upn, case.dob, case.opened_by) == (UPN_A, date(2015, 3, 1), officer)


def test_open_a_case_from_a_signal_on_the_cme_page(client, officer, sending_school):
    signal = Signal.objects.create(
        kind="absence_10_days", establishment=sending_school, upn=UPN_1, surname="Smith",
        forename="Amy", dob=date(2016, 10, 15), first_day=date(2025, 10, 20),
        fired_on=date(2025, 11, 7))
    client.force_login(officer)
    listing = client.get(reverse("cme:signals"), {"kind": "absence_10_days"}).content.decode()
    url = reverse("cme:case-open-signal", kwargs={"pk": signal.pk})
    assert url in listing
    assert "Amy Smith" in client.get(url).content.decode()
    response = client.post(url)
    case = Case.objects.get()
    assert response.url == reverse("cme:case", kwargs={"pk": case.pk})
    assert (case.signal, case.school) == (signal, sending_school)
