"""The partnership pages: a school's partnerships, signing, linked pupils, the combined view."""

import re

import pytest
from django.urls import reverse

from s2s.audit.models import AuditEvent
from s2s.partnerships.models import SharedRecord
from s2s.partnerships.tests.conftest import (
    KINDS,
    MONDAY,
    UPN,
    create,
    link,
    mark,
    push,
    result,
    signed,
)

pytestmark = pytest.mark.django_db


def test_a_member_signs_on_the_partnership_page(unsigned, partner_user, client):
    client.force_login(partner_user)
    page = client.get(reverse("partnerships:detail", kwargs={"pk": unsigned.pk}))
    assert "Sign the agreement" in page.content.decode()
    assert "Not signed yet" in page.content.decode()
    client.post(reverse("partnerships:sign", kwargs={"pk": unsigned.pk}))
    page = client.get(reverse("partnerships:detail", kwargs={"pk": unsigned.pk}))
    assert "Sign the agreement" not in page.content.decode()
    assert "8384512" in page.content.decode()


def test_the_combined_view_and_its_csv_show_the_pupil_and_are_audited(
        partnership, linked, main_user, partner_user, client):
    push(main_user, partnership, mark(), result())
    push(partner_user, partnership, mark(code="\\"))
    client.force_login(main_user)
    pupils = client.get(reverse("partnerships:pupils", kwargs={"pk": partnership.pk}))
    assert UPN in pupils.content.decode()
    page = client.get(reverse("partnerships:pupil", kwargs={"pk": partnership.pk, "upn": UPN}))
    text = page.content.decode()
    assert "All settings (each session once)" in text
    assert "Merit" in text
    csv = client.get(reverse("partnerships:pupil-csv",
                             kwargs={"pk": partnership.pk, "upn": UPN}))
    assert csv["Cache-Control"] == "no-store"
    lines = b"".join(csv.streaming_content).decode().splitlines()
    assert lines[0].startswith("kind,date,school,session")
    assert lines[1:] == ["attendance,2026-11-30,8383321,AM,,/,,,,,,,",
                         "attendance,2026-11-30,8384512,AM,,\\,,,,,,,",
                         "assessment,2026-11-30,8383321,,,,,Engineering,Unit 1,Merit,,,"]
    assert set(AuditEvent.objects.filter(actor=main_user).values_list("action", flat=True)) >= {
        "partnership.pupils_listed", "partnership.pupil_viewed", "partnership.pupil_exported"}


def test_a_kind_not_in_the_agreement_never_leaves_through_pages_or_csv(
        partnership, linked, main_user, client):
    push(main_user, partnership, mark())
    SharedRecord.objects.create(partnership=partnership, link=linked, source=linked.main,
                                kind="behaviour", date=MONDAY)
    client.force_login(main_user)
    page = client.get(reverse("partnerships:pupil", kwargs={"pk": partnership.pk, "upn": UPN}))
    assert "Behaviour" not in page.content.decode()
    csv = client.get(reverse("partnerships:pupil-csv",
                             kwargs={"pk": partnership.pk, "upn": UPN}))
    assert "behaviour" not in b"".join(csv.streaming_content).decode()


def test_a_non_member_gets_404_from_every_page(partnership, linked, non_member_user, client):
    client.force_login(non_member_user)
    for name, kwargs in [("partnerships:detail", {}), ("partnerships:pupils", {}),
                         ("partnerships:pupil", {"upn": UPN}),
                         ("partnerships:pupil-csv", {"upn": UPN})]:
        url = reverse(name, kwargs={"pk": partnership.pk, **kwargs})
        assert client.get(url).status_code == 404, url


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def test_the_combined_view_shows_each_kind_in_its_own_table(
        main_user, partner_user, member_not_teaching, client):
    every_kind = signed(create(main_user, kinds=[*KINDS, "behaviour"]),
                        main_user, partner_user, member_not_teaching)
    link(main_user, every_kind)
    push(main_user, every_kind, mark(), mark(session="PM", code="N"), result(),
         {"upn": UPN, "kind": "punctuality", "date": MONDAY, "session": "AM",
          "minutes_late": 12},
         {"upn": UPN, "kind": "behaviour", "date": MONDAY, "type": "incident", "points": -2,
          "description": "Left the lesson"})
    push(partner_user, every_kind, mark(), mark(lesson="P3 Engineering", session=None),
         {"upn": UPN, "kind": "behaviour", "date": MONDAY, "type": "achievement",
          "points": 5, "description": "Finished the weld"})
    client.force_login(main_user)
    text = _text(client.get(reverse("partnerships:pupil",
                                    kwargs={"pk": every_kind.pk, "upn": UPN})))
    columns = "Setting Possible Attended Authorised absence Unauthorised absence Attendance"
    assert (f"Attendance by setting (sessions) {columns} 8383321 2 1 0 1 50.0% "
            "8384512 1 1 0 0 100.0% All settings (each session once) 2 1 0 1 50.0%") in text
    assert f"Lesson attendance by setting {columns} 8384512 1 1 0 0 100.0%" in text
    assert "Punctuality 30 November 2026, 8383321: 12 minutes late" in text
    assert ("Assessment Date Setting Subject Aspect Result "
            "30 November 2026 8383321 Engineering Unit 1 Merit") in text
    assert "Behaviour Date Setting Type Points Description" in text
    assert "30 November 2026 8383321 Incident -2 Left the lesson" in text
    assert "30 November 2026 8384512 Achievement 5 Finished the weld" in text
