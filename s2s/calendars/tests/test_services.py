"""Setting a calendar: checked field by field, replaced whole, audited, only by its keepers."""

from datetime import date

import pytest

from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent
from s2s.calendars.models import Calendar
from s2s.calendars.services import calendar_set
from s2s.calendars.tests.conftest import CLOSURES_2025, TERMS_2025
from s2s.core.errors import NotFound, ServiceError

AUTUMN = {"start": "2025-09-03", "end": "2025-10-24"}


def _refusal(set_calendar, owner, **changes):
    with pytest.raises(ServiceError) as refused:
        set_calendar(owner, **changes)
    return refused.value


def test_a_calendar_is_stored_with_its_terms_and_closures_in_order(sending_school,
                                                                   set_calendar):
    calendar = set_calendar(sending_school, terms=list(reversed(TERMS_2025)))
    assert calendar.establishment == sending_school
    assert [(t.start, t.end) for t in calendar.terms.all()][:2] == [
        (date(2025, 9, 3), date(2025, 10, 24)), (date(2025, 11, 3), date(2025, 12, 19))]
    assert [(c.date, c.sessions, c.reason) for c in calendar.closures.all()] == [
        (date(2025, 11, 14), "both", "INSET"),
        (date(2025, 12, 19), "pm", "Early finish for Christmas")]


def test_setting_a_year_again_replaces_it_whole(sending_school, set_calendar):
    first = set_calendar(sending_school)
    again = set_calendar(sending_school, terms=[AUTUMN], closures=[])
    assert again.pk == first.pk
    assert Calendar.objects.filter(establishment=sending_school).count() == 1
    assert [(t.start, t.end) for t in again.terms.all()] == [
        (date(2025, 9, 3), date(2025, 10, 24))]
    assert not again.closures.exists()


def test_each_setting_is_audited(sending_school, set_calendar, la_calendar_setter):
    calendar = set_calendar(sending_school)
    event = AuditEvent.objects.get(action="calendar.set")
    assert event.actor == la_calendar_setter
    assert event.object_id == str(calendar.pk)
    assert {**event.detail, "words": None} == {"academic_year": "2025/26", "terms": 6,
                                               "closures": 2, "created": True, "words": None}


@pytest.mark.parametrize("year", ["2025-26", "2025/27", "25/26", "2025/2026", "", "2099/01"])
def test_the_academic_year_is_two_consecutive_years(sending_school, set_calendar, year):
    error = _refusal(set_calendar, sending_school, academic_year=year)
    assert error.field == "academic_year"
    assert "2025/26" in error.message


def test_a_century_turn_is_a_valid_academic_year(sending_school, set_calendar):
    calendar = set_calendar(sending_school, academic_year="2099/00",
                            terms=[{"start": "2099-09-02", "end": "2099-12-18"}], closures=[])
    assert calendar.academic_year == "2099/00"


def test_a_term_outside_the_academic_year_names_its_field(sending_school, set_calendar):
    terms = [AUTUMN, {"start": "2026-06-01", "end": "2026-09-02"}]
    error = _refusal(set_calendar, sending_school, terms=terms, closures=[])
    assert error.field == "terms[1].end"
    assert error.message.startswith("terms[1].end: 2026-09-02 is outside the academic year")


def test_a_term_ending_before_it_starts_is_refused(sending_school, set_calendar):
    terms = [AUTUMN, {"start": "2025-12-19", "end": "2025-11-03"}]
    error = _refusal(set_calendar, sending_school, terms=terms, closures=[])
    assert error.field == "terms[1].end"


def test_overlapping_terms_are_refused(sending_school, set_calendar):
    terms = [AUTUMN, {"start": "2026-01-05", "end": "2026-02-13"},
             {"start": "2025-10-24", "end": "2025-12-19"}]
    error = _refusal(set_calendar, sending_school, terms=terms, closures=[])
    assert error.field == "terms[2].start"
    assert "terms[0]" in error.message


@pytest.mark.parametrize("value", ["03/09/2025", "2025-02-30", "", None, "20250903"])
def test_a_date_that_is_not_yyyy_mm_dd_names_its_field(sending_school, set_calendar, value):
    error = _refusal(set_calendar, sending_school,
                     terms=[AUTUMN, {"start": "2025-11-03", "end": value}], closures=[])
    assert error.field == "terms[1].end"
    assert "YYYY-MM-DD" in error.message


def test_a_year_needs_a_term(sending_school, set_calendar):
    assert _refusal(set_calendar, sending_school, terms=[], closures=[]).field == "terms"


def test_a_closure_outside_every_term_is_refused(sending_school, set_calendar):
    closures = [CLOSURES_2025[0], {"date": "2025-10-28", "sessions": "both"}]  # half-term
    error = _refusal(set_calendar, sending_school, closures=closures)
    assert error.field == "closures[1].date"
    assert "not inside a term" in error.message


@pytest.mark.parametrize("sessions", ["AM", "am", "Pm", "BOTH", " both "])
def test_sessions_are_read_in_any_case(sending_school, set_calendar, sessions):
    calendar = set_calendar(sending_school,
                            closures=[{"date": "2025-11-14", "sessions": sessions}])
    assert calendar.closures.get().sessions == sessions.strip().lower()


@pytest.mark.parametrize("sessions", ["morning", "", None, "am+pm"])
def test_other_sessions_are_refused(sending_school, set_calendar, sessions):
    error = _refusal(set_calendar, sending_school,
                     closures=[{"date": "2025-11-14", "sessions": sessions}])
    assert error.field == "closures[0].sessions"


def test_two_closures_on_one_day_are_refused(sending_school, set_calendar):
    closures = [{"date": "2025-11-14", "sessions": "am"}, {"date": "2025-11-14", "sessions": "pm"}]
    error = _refusal(set_calendar, sending_school, closures=closures)
    assert error.field == "closures[1].date"


def test_a_refused_calendar_leaves_the_stored_one_as_it_was(sending_school, set_calendar):
    set_calendar(sending_school)
    _refusal(set_calendar, sending_school, terms=[{"start": "2025-09-03", "end": "bad"}])
    calendar = Calendar.objects.get(establishment=sending_school)
    assert calendar.terms.count() == 6
    assert calendar.closures.count() == 2


def test_a_school_sets_its_own_calendar_and_no_other(sending_school, receiving_school,
                                                     sending_school_user):
    calendar_set(user=sending_school_user, owner=sending_school, academic_year="2025/26",
                 terms=TERMS_2025, closures=[])
    with pytest.raises(NotFound):
        calendar_set(user=sending_school_user, owner=receiving_school,
                     academic_year="2025/26", terms=TERMS_2025, closures=[])


def test_another_las_people_cannot_set_a_calendar(home_la, sending_school, other_la_officer):
    for owner in (home_la, sending_school):
        with pytest.raises(NotFound):
            calendar_set(user=other_la_officer, owner=owner, academic_year="2025/26",
                         terms=TERMS_2025, closures=[])
    assert not Calendar.objects.exists()


def test_a_view_only_dba_cannot_set_a_calendar(make_user, home_la):
    viewer = make_user(Role.LA_DBA_VIEW, home_la, username="838viewer")
    with pytest.raises(NotFound):
        calendar_set(user=viewer, owner=home_la, academic_year="2025/26", terms=TERMS_2025,
                     closures=[])
