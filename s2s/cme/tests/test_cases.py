"""CME cases: opening, the allowed transitions (refusals say why), the checklist, timers in
the LA's school days, telling the receiving LA, and the child turning up on a roll."""

import io
from datetime import date, datetime

import pytest
from django.utils import timezone

from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent
from s2s.cme.cases import case_act, case_next_state, case_open, case_timers
from s2s.cme.models import Case, CaseEvent, Signal
from s2s.cme.tests.conftest import UPN_1, UPN_2, pupil, send_roll
from s2s.core.errors import ServiceError
from s2s.core.models import OutboundEmail
from s2s.ctf.identifiers import make_upn
from s2s.messaging.models import Recipient
from s2s.transfers.services import transfer_upload
from s2s.transfers.services.notify import transfer_notify
from s2s.transfers.tests.ctfs import ctf, ctf_upns

UNKNOWN = make_upn(la="838", establishment="4512", year=19, serial=7)


@pytest.fixture
def officer(make_user, home_la):
    return make_user(Role.LA_CME, home_la, username="838cme")


@pytest.fixture
def referred(officer, home_la):
    """A child on no roll, known to the hub by no feed: the officer gives the names."""
    return case_open(user=officer, upn=UNKNOWN, surname="Jones", forename="Cara",
                     dob=date(2015, 3, 1))


def act(officer, case, action, **fields):
    return case_act(user=officer, case_id=case.pk, action=action, **fields)


def refusal(call) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call()
    return caught.value


def at(day: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(day + "T10:00"))


# Transitions --------------------------------------------------------------------------------

def test_a_case_goes_referred_enquiries_located_closed_on_roll(officer, referred,
                                                                receiving_school):
    act(officer, referred, "start_enquiries")
    act(officer, referred, "lpd_searched", note="No record in the LPD.")
    act(officer, referred, "located", note="Found at Thomas Hardye.")
    act(officer, referred, "close", outcome="on_roll", school="8384512")
    referred.refresh_from_db()
    assert (referred.state, referred.outcome, referred.outcome_place) == (
        "closed", "on_roll", "8384512")
    assert referred.closed_at is not None
    assert list(referred.events.values_list("action", "from_state", "to_state")) == [
        ("opened", "", "referred"), ("start_enquiries", "referred", "enquiries"),
        ("lpd_searched", "enquiries", "enquiries"), ("located", "enquiries", "located"),
        ("close", "located", "closed")]


def test_every_action_is_audited_with_who_and_what(officer, referred):
    act(officer, referred, "start_enquiries")
    act(officer, referred, "housing", note="Housing asked")
    events = AuditEvent.objects.filter(object_type="cme.case", object_id=str(referred.pk))
    assert list(events.order_by("pk").values_list("action", "actor_username")) == [
        ("cme_case_open", "838cme"), ("cme_case_action", "838cme"),
        ("cme_case_action", "838cme")]
    assert events.order_by("pk").last().detail["action"] == "housing"


@pytest.mark.parametrize(("state", "action", "outcome", "code", "words"), [
    ("referred", "located", "", "transition_refused", "Start enquiries first"),
    ("referred", "close", "not_found", "transition_refused", "Start enquiries first"),
    ("enquiries", "close", "not_found", "transition_refused",
     "Record whether the child was located before closing"),
    ("enquiries", "start_enquiries", "", "transition_refused", "already started"),
    ("located", "not_located", "", "transition_refused", "cannot be marked 'child not located'"),
    ("referred", "police", "", "enquiries_not_started", "Start enquiries first"),
    ("closed", "start_enquiries", "", "case_closed", "only a note"),
    ("closed", "housing", "", "case_closed", "only a note"),
    ("not_located", "close", "on_roll", "outcome_refused", "only be closed as not found"),
    ("located", "close", "not_found", "outcome_refused", "cannot be closed as not found"),
    ("located", "close", "", "outcome_required", "Choose how the case ended"),
    ("enquiries", "fly", "", "unknown_action", "'fly' is not an action"),
])
def test_a_refused_transition_says_why(state, action, outcome, code, words):
    error = refusal(lambda: case_next_state(state=state, action=action, outcome=outcome))
    assert error.code == code
    assert words in error.message


@pytest.mark.parametrize(("state", "action", "outcome", "after"), [
    ("referred", "start_enquiries", "", "enquiries"),
    ("enquiries", "not_located", "", "not_located"),
    ("not_located", "located", "", "located"),
    ("not_located", "reopen_enquiries", "", "enquiries"),
    ("not_located", "close", "not_found", "closed"),
    ("located", "close", "abroad", "closed"),
    ("enquiries", "siblings_schools", "", "enquiries"),
    ("closed", "note", "", "closed"),
])
def test_the_allowed_moves(state, action, outcome, after):
    assert case_next_state(state=state, action=action, outcome=outcome) == after


def test_a_refused_action_changes_nothing(officer, referred):
    refusal(lambda: act(officer, referred, "close", outcome="not_found"))
    referred.refresh_from_db()
    assert referred.state == "referred"
    assert list(referred.events.values_list("action", flat=True)) == ["opened"]


def test_a_note_must_say_something(officer, referred):
    assert refusal(lambda: act(officer, referred, "note", note="  ")).field == "note"


# Opening ------------------------------------------------------------------------------------

def test_a_child_on_a_schools_roll_is_not_opened_by_upn(officer, school):
    error = refusal(lambda: case_open(user=officer, upn=UPN_1))
    assert (error.code, error.field) == ("on_roll", "upn")
    assert "is on a school's roll" in error.message


def test_a_child_gone_from_a_full_roll_takes_its_names_and_school_from_it(
        officer, school, connector):
    send_roll(connector, [pupil(UPN_2, surname="Brown", forename="Dan")], full=True)
    case = case_open(user=officer, upn=UPN_1)
    assert (case.surname, case.forename, case.dob, case.school.code, case.la.number) == (
        "Smith", "Amy", date(2016, 10, 15), "8383321", "838")


def test_an_unknown_child_needs_names_and_a_date_of_birth(officer, home_la):
    error = refusal(lambda: case_open(user=officer, upn=UNKNOWN, surname="Jones"))
    assert error.code == "child_unknown"
    assert "give the child's surname, forename and date of birth" in error.message


def test_a_upn_that_is_not_one_is_refused(officer, home_la):
    assert refusal(lambda: case_open(user=officer, upn="Z801200001001")).code == "upn_invalid"


def test_one_open_case_per_child(officer, referred):
    error = refusal(lambda: case_open(user=officer, upn=UNKNOWN, surname="Jones",
                                      forename="Cara", dob=date(2015, 3, 1)))
    assert error.code == "case_open"
    assert f"already has an open case, {referred.pk}" in error.message


def test_a_child_the_la_recorded_as_home_educated_is_not_opened_by_upn(officer, referred):
    act(officer, referred, "start_enquiries")
    act(officer, referred, "located")
    act(officer, referred, "close", outcome="home_educated")
    error = refusal(lambda: case_open(user=officer, upn=UNKNOWN, surname="Jones",
                                      forename="Cara", dob=date(2015, 3, 1)))
    assert error.code == "accounted_for"
    assert "recorded as home educated" in error.message


def test_a_case_from_a_signal_takes_the_child_and_school_from_it(officer, sending_school):
    signal = Signal.objects.create(
        kind="absence_10_days", establishment=sending_school, upn=UPN_1, surname="Smith",
        forename="Amy", dob=date(2016, 10, 15), first_day=date(2025, 10, 20),
        fired_on=date(2025, 11, 7))
    case = case_open(user=officer, signal_id=signal.pk)
    assert (case.upn, case.surname, case.school, case.signal, case.state) == (
        UPN_1, "Smith", sending_school, signal, "referred")


def test_another_las_signal_is_not_found(officer, outsider_school):
    from django.http import Http404

    signal = Signal.objects.create(
        kind="absence_10_days", establishment=outsider_school, upn=UPN_1,
        first_day=date(2025, 10, 20), fired_on=date(2025, 11, 7))
    with pytest.raises(Http404):
        case_open(user=officer, signal_id=signal.pk)


def test_only_a_cme_officer_opens_or_works_a_case(la_officer, officer, referred):
    from django.http import Http404

    with pytest.raises(Http404):
        case_open(user=la_officer, upn=UNKNOWN)
    with pytest.raises(Http404):
        act(la_officer, referred, "start_enquiries")


# Timers -------------------------------------------------------------------------------------

def test_a_referral_is_due_5_school_days_on_skipping_half_term(calendar_2025, referred):
    # Referred Thursday 23 October 2025; half-term 27-31 October: days 24 Oct, 3-6 Nov.
    Case.objects.filter(pk=referred.pk).update(state_since=at("2025-10-23"))
    referred.refresh_from_db()
    assert case_timers([referred], date(2025, 11, 6))[referred.pk].due_by == date(2025, 11, 6)
    assert not case_timers([referred], date(2025, 11, 6))[referred.pk].overdue
    assert case_timers([referred], date(2025, 11, 7))[referred.pk].overdue


def test_enquiries_are_due_after_20_school_days_skipping_the_inset_day(calendar_2025, officer,
                                                                        referred):
    act(officer, referred, "start_enquiries")
    # From Monday 3 November 2025: 20 school days, the INSET day 14 November not one of them.
    Case.objects.filter(pk=referred.pk).update(state_since=at("2025-11-03"))
    referred.refresh_from_db()
    assert case_timers([referred], date(2025, 12, 2))[referred.pk].due_by == date(2025, 12, 2)


def test_without_an_la_calendar_a_timer_counts_weekdays(referred):
    Case.objects.filter(pk=referred.pk).update(state_since=at("2025-10-23"))
    referred.refresh_from_db()
    assert case_timers([referred], date(2025, 10, 31))[referred.pk].due_by == date(2025, 10, 30)


def test_a_closed_case_has_no_timer(officer, referred):
    for step in ("start_enquiries", "not_located"):
        act(officer, referred, step)
    act(officer, referred, "close", outcome="not_found")
    referred.refresh_from_db()
    timer = case_timers([referred], date(2030, 1, 1))[referred.pk]
    assert (timer.due_by, timer.overdue) == (None, False)


# Left the LA: the receiving LA told through secure messaging --------------------------------

@pytest.fixture
def located(officer, referred):
    act(officer, referred, "start_enquiries")
    act(officer, referred, "located")
    return referred


def test_closing_as_left_the_la_sends_the_receiving_la_a_secure_message(
        officer, located, make_user, other_la):
    cardiff = make_user(Role.LA_CME, other_la, username="681cme")
    event = act(officer, located, "close", outcome="left_la", to_la="681",
                note="Moved to Cardiff in October.")
    copy = Recipient.objects.get(user=cardiff)
    assert "Cara Jones" in copy.message.body
    assert UNKNOWN in copy.message.body
    assert "Moved to Cardiff in October." in copy.message.body
    assert event.detail == {"outcome": "left_la", "place": "681", "message": copy.message.pk}
    located.refresh_from_db()
    assert (located.state, located.outcome_place) == ("closed", "681")


def test_left_the_la_is_refused_when_the_receiving_la_has_nobody_to_tell(officer, located,
                                                                        other_la):
    error = refusal(lambda: act(officer, located, "close", outcome="left_la", to_la="681"))
    assert (error.code, error.field) == ("no_readers", "to_la")
    located.refresh_from_db()
    assert located.state == "located"


def test_left_the_la_needs_another_la(officer, located):
    error = refusal(lambda: act(officer, located, "close", outcome="left_la", to_la="838"))
    assert (error.code, error.field) == ("la_required", "to_la")


def test_on_roll_needs_a_school_that_exists(officer, located):
    error = refusal(lambda: act(officer, located, "close", outcome="on_roll", school="9999999"))
    assert (error.code, error.field) == ("school_required", "school")


# The child turning up -----------------------------------------------------------------------

def test_a_childs_arrival_on_a_roll_feed_flags_the_case_and_tells_the_officer(
        officer, referred, calendar_2025, connector):
    send_roll(connector, [pupil(UNKNOWN, surname="Jones", forename="Cara")])
    referred.refresh_from_db()
    assert (referred.turned_up_school, referred.turned_up_via) == ("8383321", "feed")
    assert referred.turned_up_at is not None
    assert referred.events.filter(action="turned_up").count() == 1
    email = OutboundEmail.objects.get(to="838cme@example.gov.uk")
    assert f"/cme/cases/{referred.pk}/" in email.text
    for pupil_data in ("Jones", "Cara", UNKNOWN, "2015", "8383321"):
        assert pupil_data not in email.text + email.subject + email.html
    assert AuditEvent.objects.filter(action="cme_case_turned_up").count() == 1


def test_the_case_is_flagged_once_and_only_while_open(officer, referred, connector, make_user,
                                                      sending_school):
    send_roll(connector, [pupil(UNKNOWN)])
    send_roll(connector, [pupil(UNKNOWN, town="Poole")])  # on the roll already: no arrival
    assert CaseEvent.objects.filter(action="turned_up").count() == 1
    assert OutboundEmail.objects.filter(to="838cme@example.gov.uk").count() == 1


def test_a_closed_case_is_not_flagged(officer, located, connector):
    act(officer, located, "close", outcome="abroad")
    send_roll(connector, [pupil(UNKNOWN)])
    located.refresh_from_db()
    assert located.turned_up_at is None


def test_a_ctf_delivered_to_a_school_flags_the_case(officer, make_user, outsider_school,
                                                    receiving_school):
    content = ctf("6812345", "8384512", pupils=2, seed=5)
    child = ctf_upns(content)[1]
    case = case_open(user=officer, upn=child, surname="Evans", forename="Bea",
                     dob=date(2014, 5, 5))
    sender = make_user(Role.SCHOOL, outsider_school, username="6812345")
    transfer_upload(user=sender, name="6812345_CTF_8384512_001.XML",
                    content=io.BytesIO(content))
    case.refresh_from_db()
    assert (case.turned_up_school, case.turned_up_via) == ("8384512", "ctf")
    assert OutboundEmail.objects.filter(to="838cme@example.gov.uk").count() == 1


def test_a_ctf_s_arrival_is_flagged_by_its_notice_task_after_the_upload_once(
        settings, officer, make_user, outsider_school, receiving_school):
    # The upload's answer does not wait for it: the worker's notice task tells of arrivals.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    content = ctf("6812345", "8384512", pupils=2, seed=5)
    case = case_open(user=officer, upn=ctf_upns(content)[0], surname="Evans", forename="Bea",
                     dob=date(2014, 5, 5))
    sender = make_user(Role.SCHOOL, outsider_school, username="6812345")
    transfer = transfer_upload(user=sender, name="6812345_CTF_8384512_001.XML",
                               content=io.BytesIO(content)).transfer
    case.refresh_from_db()
    assert case.turned_up_at is None
    transfer_notify(transfer_id=transfer.pk)
    transfer_notify(transfer_id=transfer.pk)  # a retry, or the sweep racing it
    case.refresh_from_db()
    assert (case.turned_up_school, case.turned_up_via) == ("8384512", "ctf")
    assert CaseEvent.objects.filter(case=case, action="turned_up").count() == 1
    assert OutboundEmail.objects.filter(to="838cme@example.gov.uk").count() == 1


def test_a_ctf_to_the_lost_pupil_database_is_no_arrival(officer, make_user, sending_school):
    content = ctf("8383321", "XXXXXXX", pupils=1, seed=6)
    case = case_open(user=officer, upn=ctf_upns(content)[0], surname="Evans",
                     forename="Bea", dob=date(2014, 5, 5))
    sender = make_user(Role.SCHOOL, sending_school, username="8383321")
    transfer_upload(user=sender, name="8383321_CTF_XXXXXXX_001.XML",
                    content=io.BytesIO(content))
    case.refresh_from_db()
    assert case.turned_up_at is None


def test_a_first_full_roll_of_many_pupils_finds_the_case_child_among_them(
        officer, referred, connector):
    others = [pupil(make_upn(la="838", establishment="3321", year=21, serial=n))
              for n in range(600)]
    send_roll(connector, [*others, pupil(UNKNOWN)], full=True)
    referred.refresh_from_db()
    assert referred.turned_up_school == "8383321"
