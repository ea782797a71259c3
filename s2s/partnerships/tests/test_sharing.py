"""Need to know (issue 16): who sees a shared pupil's records, and when nobody does."""

from datetime import date, timedelta

import pytest
from django.http import Http404

from s2s.core.errors import ServiceError
from s2s.partnerships.models import Agreement, PupilPlace, SharedRecord
from s2s.partnerships.services import changes_read, pupil_object, pupil_view_read
from s2s.partnerships.tests.conftest import (
    LINKED_FROM,
    MONDAY,
    OTHER_UPN,
    UPN,
    create,
    mark,
    push,
    result,
)

pytestmark = pytest.mark.django_db


def view(user, partnership, upn=UPN):
    return pupil_view_read(user=user, partnership_id=partnership.pk, upn=upn)


def test_a_member_sees_a_shared_pupils_records(partnership, linked, main_user, partner_user):
    push(main_user, partnership, mark(code="/"), result())
    push(partner_user, partnership, mark(session="PM", code="N"))
    seen = view(partner_user, partnership)
    assert [(r["school"], r["session"], r["code"]) for r in seen["attendance"]] == [
        ("8383321", "AM", "/"), ("8384512", "PM", "N")]
    assert seen["assessment"][0] | {"id": 0} == {
        "id": 0, "upn": UPN, "kind": "assessment", "date": MONDAY, "school": "8383321",
        "subject": "Engineering", "aspect": "Unit 1", "result": "Merit"}
    assert len(view(main_user, partnership)["attendance"]) == 2


def test_the_details_of_an_assessment_are_encrypted_at_rest(partnership, linked, main_user):
    push(main_user, partnership, result())
    sealed = bytes(SharedRecord.objects.get().sealed)
    assert b"Merit" not in sealed
    assert b"Engineering" not in sealed


def test_a_non_member_gets_404(partnership, linked, main_user, non_member_user):
    push(main_user, partnership, mark())
    with pytest.raises(Http404):
        view(non_member_user, partnership)
    with pytest.raises(Http404):
        changes_read(user=non_member_user, partnership_id=partnership.pk, since="")


def test_a_member_the_pupil_is_not_linked_to_gets_404(partnership, linked, main_user,
                                                      member_not_teaching):
    push(main_user, partnership, mark())
    with pytest.raises(Http404):
        view(member_not_teaching, partnership)
    assert changes_read(user=member_not_teaching, partnership_id=partnership.pk,
                        since="")["items"] == []


def test_a_member_of_an_unsigned_partnership_sees_nothing_and_cannot_send(
        unsigned, main_user, partner_user):
    with pytest.raises(ServiceError, match="every member must sign"):
        push(main_user, unsigned, mark())
    with pytest.raises(Http404):
        view(main_user, unsigned)


def test_a_member_of_a_lapsed_partnership_sees_nothing(partnership, linked, main_user,
                                                       partner_user):
    push(main_user, partnership, mark())
    Agreement.objects.filter(partnership=partnership).update(
        review_date=date.today() - timedelta(days=1))
    with pytest.raises(Http404):
        view(partner_user, partnership)
    assert changes_read(user=partner_user, partnership_id=partnership.pk,
                        since="")["items"] == []
    with pytest.raises(ServiceError, match="review date"):
        push(main_user, partnership, mark(session="PM"))


def test_an_objection_removes_the_pupil_everywhere_at_once(partnership, linked, main_user,
                                                           partner_user):
    push(main_user, partnership, mark(), result())
    push(partner_user, partnership, mark(session="PM"))
    pupil_object(user=main_user, partnership_id=partnership.pk, upn=UPN)
    assert not SharedRecord.objects.filter(link=linked).exists()
    assert list(PupilPlace.objects.filter(link=linked).values_list("role", flat=True)) == [
        "main"]
    for user in (main_user, partner_user):
        with pytest.raises(Http404):
            view(user, partnership)
        items = changes_read(user=user, partnership_id=partnership.pk, since="")["items"]
        assert items
        assert all(item.get("deleted") for item in items)  # tombstones only
        assert all(set(item) == {"id", "deleted", "kind", "reason"} for item in items)
    with pytest.raises(ServiceError, match="not linked"):
        push(partner_user, partnership, mark(day=MONDAY + timedelta(days=1)))


def test_only_the_main_institution_records_an_objection(partnership, linked, partner_user):
    with pytest.raises(Http404):
        pupil_object(user=partner_user, partnership_id=partnership.pk, upn=UPN)


def test_a_partner_sees_only_records_made_while_the_pupil_was_linked_to_it(
        partnership, linked, main_user, partner_user):
    before = LINKED_FROM - timedelta(days=3)
    push(main_user, partnership, mark(day=before), mark(day=MONDAY))
    assert [r["date"] for r in view(partner_user, partnership)["attendance"]] == [MONDAY]
    assert [r["date"] for r in view(main_user, partnership)["attendance"]] == [before, MONDAY]
    with pytest.raises(ServiceError, match="was not linked to your institution on"):
        push(partner_user, partnership, mark(day=before))


def test_a_partner_cannot_send_records_of_a_pupil_not_linked_to_it(partnership, linked,
                                                                  partner_user):
    with pytest.raises(ServiceError, match="not linked") as refused:
        push(partner_user, partnership, mark(), mark(upn=OTHER_UPN))
    assert refused.value.field == "1.upn"
    assert not SharedRecord.objects.exists()


def test_a_kind_not_in_the_agreement_is_refused(partnership, linked, main_user):
    with pytest.raises(ServiceError) as refused:
        push(main_user, partnership, {"upn": UPN, "kind": "behaviour", "date": MONDAY,
                                      "type": "incident", "points": -2})
    assert refused.value.code == "kind_not_agreed"


def test_an_unknown_attendance_code_is_refused(partnership, linked, main_user):
    with pytest.raises(ServiceError, match="QQ is not an attendance code"):
        push(main_user, partnership, mark(code="QQ"))


def test_changes_give_only_what_changed_since_the_cursor(partnership, linked, main_user,
                                                         partner_user):
    push(main_user, partnership, mark())
    first = changes_read(user=partner_user, partnership_id=partnership.pk, since="")
    assert len(first["items"]) == 1
    push(main_user, partnership, mark(session="PM"))
    second = changes_read(user=partner_user, partnership_id=partnership.pk,
                          since=first["cursor"])
    assert [r["session"] for r in second["items"]] == ["PM"]
    assert changes_read(user=partner_user, partnership_id=partnership.pk,
                        since=second["cursor"])["items"] == []


def test_the_creator_must_name_another_member(main_user):
    with pytest.raises(ServiceError, match="at least one other member"):
        create(main_user, members=["8383321"])
