"""The main institution's combined view: attendance by setting, each session counted once."""

from datetime import timedelta

import pytest

from s2s.partnerships.services import pupil_view_read
from s2s.partnerships.tests.conftest import MONDAY, UPN, mark, push

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + timedelta(days=1)


def test_combined_attendance_counts_a_dual_registered_pupils_sessions_once(
        partnership, linked, main_user, partner_user):
    # Monday: both schools mark the pupil present in the morning (dual registered), the
    # main marks D (attending the other school) in the afternoon and the partner present.
    # Tuesday morning: at the main only, absent without a reason.
    push(main_user, partnership, mark(session="AM", code="/"),
         mark(session="PM", code="D"), mark(day=TUESDAY, session="AM", code="N"))
    push(partner_user, partnership, mark(session="AM", code="/"),
         mark(session="PM", code="\\"), mark(lesson="P3 Engineering", session=None, code="/"))
    summary = pupil_view_read(user=main_user, partnership_id=partnership.pk,
                              upn=UPN)["summary"]
    assert summary.row(summary.by_setting["8383321"]) == {
        "possible": 2, "attended": 1, "authorised": 0, "unauthorised": 1, "percent": 50.0}
    assert summary.row(summary.by_setting["8384512"]) == {
        "possible": 2, "attended": 2, "authorised": 0, "unauthorised": 0, "percent": 100.0}
    # Three sessions, not five: Monday AM and PM once each, Tuesday AM.
    assert summary.row(summary.combined) == {
        "possible": 3, "attended": 2, "authorised": 0, "unauthorised": 1, "percent": 66.7}
    assert summary.row(summary.lessons["8384512"])["attended"] == 1


def test_the_combined_view_reads_in_a_fixed_number_of_queries(
        partnership, linked, main_user, django_assert_max_num_queries):
    push(main_user, partnership, *[mark(day=MONDAY - timedelta(days=n)) for n in range(5)])
    # 6 reads (9 when the record scope was recomputed) and the audit record: its savepoint,
    # the chain head read, the insert and the head's update (issue 18's hash chain).
    with django_assert_max_num_queries(11):
        view = pupil_view_read(user=main_user, partnership_id=partnership.pk, upn=UPN)
    assert len(view["attendance"]) == 5
