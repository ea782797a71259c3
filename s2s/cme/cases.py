"""CME cases (issue 14): a child missing education whom the LA's CME officer is looking for.

A case is opened from a signal the officer chooses, or by UPN for a child on no school's roll
and not recorded (by a case of the LA) as home educated or gone abroad. It moves referred →
enquiries → located | not located → closed, with an outcome; `case_next_state` is the one
place the allowed moves are written. The enquiry checklist (DfE "Children missing education"
2024: the Lost Pupil Database, siblings' schools, health, housing, the police where the child
may be at risk) and notes are actions too. Every action is a `CaseEvent` and an audit record;
every read of a case is audited. Timers count the LA's school days (`case_timers`).

When a case's child turns up on a school's roll (a roll feed, or a CTF delivered to a school),
`case_children_arrived` (an arrival listener, registered in `CmeConfig.ready`) flags the case
and emails the LA's CME officers, with no pupil data.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from s2s.accounts.policy import Action, get_for, has_capability, scope
from s2s.accounts.roles import Role
from s2s.audit.services import audit_record, english_words
from s2s.calendars.selectors import bank_holidays, la_school_days
from s2s.cme import case_emails
from s2s.cme.models import Case, CaseEvent, CaseOutcome, CaseReminder, CaseState, Signal
from s2s.core.errors import ServiceError
from s2s.core.prepared import PreparedRead
from s2s.core.text import text_required
from s2s.ctf.identifiers import upn_check
from s2s.ctf.words import Text
from s2s.directory.models import Establishment, LocalAuthority
from s2s.feeds.models import Pupil

NOTE_MAX = 2000
S = CaseState
# The events the hub records itself (a CaseEvent's action; not audit codes).
OPENED, TURNED_UP, REMINDED = "opened", "turned_up", "overdue_reminder"

# Transitions: action -> (the states it may be taken from, the state it leads to).
TRANSITIONS = {
    "start_enquiries": ({S.REFERRED}, S.ENQUIRIES),
    "located": ({S.ENQUIRIES, S.NOT_LOCATED}, S.LOCATED),
    "not_located": ({S.ENQUIRIES}, S.NOT_LOCATED),
    "reopen_enquiries": ({S.LOCATED, S.NOT_LOCATED}, S.ENQUIRIES),
    "close": ({S.LOCATED, S.NOT_LOCATED}, S.CLOSED),
}
# The outcomes a case may close with, by the state it closes from.
OUTCOMES_FROM = {
    S.LOCATED: {CaseOutcome.ON_ROLL, CaseOutcome.HOME_EDUCATED, CaseOutcome.LEFT_LA,
                CaseOutcome.ABROAD},
    S.NOT_LOCATED: {CaseOutcome.NOT_FOUND},
}
# The enquiry checklist: recorded once enquiries have started, until the case is closed.
CHECKLIST = {
    "lpd_searched": gettext_lazy("Lost Pupil Database searched"),
    "siblings_schools": gettext_lazy("Siblings' schools asked"),
    "health": gettext_lazy("Health services asked"),
    "housing": gettext_lazy("Housing asked"),
    "police": gettext_lazy("Police told (the child may be at risk)"),
}
ACTION_LABELS = {
    "start_enquiries": gettext_lazy("Start enquiries"),
    "located": gettext_lazy("Child located"),
    "not_located": gettext_lazy("Child not located"),
    "reopen_enquiries": gettext_lazy("Reopen enquiries"),
    "close": gettext_lazy("Close the case"),
    **CHECKLIST,
    "note": gettext_lazy("Add a note"),
}
# Actions recorded by the hub itself, not chosen by a person.
EVENT_LABELS = {**ACTION_LABELS, OPENED: gettext_lazy("Case opened"),
                TURNED_UP: gettext_lazy("Child turned up on a school's roll"),
                REMINDED: gettext_lazy("Overdue: reminder emailed to the officer")}
ACTIONS = tuple(ACTION_LABELS)
# How a case was opened (a CaseEvent's `how`), as the audit words it.
OPENED_HOW = {"from a signal": gettext_noop("from a signal"), "by UPN": gettext_noop("by UPN")}


def case_next_state(*, state: str, action: str, outcome: str = "") -> str:
    """Return the state `action` moves a case in `state` to, or refuse saying why.

    Checklist items and notes leave the state as it is. The one place the moves are written.
    """
    if action not in ACTION_LABELS:
        raise ServiceError(
            _("'%(action)s' is not an action on a case; the actions are %(actions)s.")
            % {"action": action, "actions": ", ".join(ACTIONS)},
            code="unknown_action", field="action")
    if action == "note":
        return state
    if state == S.CLOSED:
        raise ServiceError(_("The case is closed: only a note can be added to it."),
                           code="case_closed", field="action")
    if action in CHECKLIST:
        if state == S.REFERRED:
            raise ServiceError(_("Start enquiries first: the checklist records the enquiries."),
                               code="enquiries_not_started", field="action")
        return state
    allowed, to = TRANSITIONS[action]
    if state not in allowed:
        raise ServiceError(_refusal(state, action), code="transition_refused", field="action")
    if action == "close":
        _check_outcome(state, outcome)
    return to


def _refusal(state: str, action: str) -> str:
    """Return why `action` cannot be taken from `state`, in words the officer can act on."""
    shown = CaseState(state).label.lower()
    if action == "start_enquiries":
        return _("Enquiries have already started on this case (it is %(state)s).") % {
            "state": shown}
    if state == S.REFERRED:
        return _("Start enquiries first: the case is referred.")
    if action == "close":
        return _("Record whether the child was located before closing the case (it is "
                 "%(state)s).") % {"state": shown}
    return _("A case that is %(state)s cannot be marked '%(action)s'.") % {
        "state": shown, "action": str(ACTION_LABELS[action]).lower()}


def _check_outcome(state: str, outcome: str) -> None:
    if outcome not in CaseOutcome.values:
        raise ServiceError(_("Choose how the case ended."), code="outcome_required",
                           field="outcome")
    if outcome not in OUTCOMES_FROM[state]:
        if state == S.NOT_LOCATED:
            message = _("A child not located can only be closed as not found after enquiries; "
                        "record the child located first.")
        else:
            message = _("A located child cannot be closed as not found after enquiries.")
        raise ServiceError(message, code="outcome_refused", field="outcome")


def case_actions_open(state: str) -> list[str]:
    """Return the actions a case in `state` may take, in the order the case page offers them."""
    actions = [action for action, (allowed, _to) in TRANSITIONS.items() if state in allowed]
    if state not in (S.REFERRED, S.CLOSED):
        actions += list(CHECKLIST)
    return [*actions, "note"]


# Reading cases ------------------------------------------------------------------------------

def case_list(*, user, state: str | None = None, la: str | None = None,
              upn: str | None = None) -> QuerySet:
    """Return the cases the user may read, oldest first; a role that may read none gets 404."""
    if not has_capability(user, Action.VIEW_CME_CASES):
        raise Http404
    cases = scope(user, Case.objects.select_related("la", "school"), Action.VIEW_CME_CASES)
    if state:
        cases = cases.filter(state=state)
    if la:
        cases = cases.filter(la__number=la)
    if upn:
        cases = cases.filter(upn=upn.strip().upper())
    return cases.order_by("opened_at", "pk")


def case_get(*, user, case_id: int, action: str = Action.VIEW_CME_CASES) -> Case:
    """Return one case the user may read (or, with MANAGE_CME_CASES, work); else 404."""
    return get_for(user, Case.objects.select_related("la", "school", "signal"), action,
                   pk=case_id)


def case_signals(*, user, case: Case) -> list[Signal]:
    """Return the child's signals the user may see, latest fired first."""
    if not has_capability(user, Action.VIEW_CME_SIGNALS):
        return []
    return list(scope(user, Signal.objects.select_related("establishment__la"),
                      Action.VIEW_CME_SIGNALS).filter(upn=case.upn).order_by("-fired_on", "-pk"))


def case_checklist(case: Case) -> list[dict]:
    """Return each checklist item with who last recorded it, when and the note (or None)."""
    latest = {event.action: event for event in
              case.events.filter(action__in=list(CHECKLIST)).order_by("at", "pk")}
    rows = []
    for item, label in CHECKLIST.items():
        event = latest.get(item)
        rows.append({"item": item, "label": label,
                     "done_by": event.actor_username if event else None,
                     "done_at": event.at if event else None,
                     "note": event.note if event else ""})
    return rows


def case_read(*, user, case_id: int, request=None) -> Case:
    """Return one case the user may read, auditing the read (the page and the API)."""
    with transaction.atomic():
        case = case_get(user=user, case_id=case_id)
        audit_record(action="cme_case_view", actor=user, obj=case, request=request,
                     summary=Text(gettext_noop("CME case %(number)s"), number=case.pk),
                     detail={"upn": case.upn})
    return case


def cases_viewed(*, user, shown: list[Case], filters: dict, request=None) -> None:
    """Audit that these cases (children's names, DOBs) were listed to the user."""
    audit_record(action="cme_cases_view", actor=user, request=request,
                 summary=Text(gettext_noop("%(count)s CME cases"), count=len(shown)),
                 detail={"filters": filters, "cases": [case.pk for case in shown]})


# Timers -------------------------------------------------------------------------------------

LIMIT_SETTINGS = {S.REFERRED: "S2S_CME_CASE_START_DAYS",
                  S.ENQUIRIES: "S2S_CME_CASE_ENQUIRY_DAYS",
                  S.LOCATED: "S2S_CME_CASE_CLOSE_DAYS", S.NOT_LOCATED: "S2S_CME_CASE_CLOSE_DAYS"}
# How far past today due dates are worked out: beyond any limit's school days.
_HORIZON = timedelta(days=180)


@dataclass(frozen=True)
class Timer:
    """When a case's present state is due to end, and whether that day has passed."""

    due_by: date | None
    overdue: bool


def _la_days(la: LocalAuthority, start: date, end: date) -> list[date]:
    """Return the LA's school days in [start, end]; weekdays not bank holidays where unknown."""
    known = la_school_days(la=la, start=start, end=end)
    days, day = [], start
    while day <= end:
        if known.known(day):
            if known.is_school_day(day):
                days.append(day)
        elif day.weekday() < 5 and day not in bank_holidays(la.nation, day.year):
            days.append(day)
        day += timedelta(days=1)
    return days


def case_timers(cases: list[Case], today: date | None = None) -> dict[int, Timer]:
    """Return each case's timer, by id: its state's limit counted in its LA's school days.

    A case is due by the Nth school day after the day its state began (N from settings,
    `LIMIT_SETTINGS`) and overdue after it. Closed cases have no timer. Each LA's calendar is
    read once for the whole list.
    """
    today = today or timezone.localdate()
    timers, by_la = {}, {}
    for case in cases:
        if case.state in LIMIT_SETTINGS:
            by_la.setdefault(case.la_id, []).append(case)
        else:
            timers[case.pk] = Timer(None, False)
    for group in by_la.values():
        start = min(timezone.localdate(case.state_since) for case in group)
        days = _la_days(group[0].la, start, max(today, start) + _HORIZON)
        for case in group:
            limit = getattr(settings, LIMIT_SETTINGS[case.state])
            index = bisect_right(days, timezone.localdate(case.state_since)) + limit - 1
            due = days[index] if index < len(days) else None
            timers[case.pk] = Timer(due, due is not None and today > due)
    return timers


def caseload(cases: list[Case], today: date | None = None) -> list[tuple[Case, Timer]]:
    """Return the cases with their timers: overdue first, then the longest in their state."""
    timers = case_timers(cases, today)
    rows = [(case, timers[case.pk]) for case in cases]
    return sorted(rows, key=lambda row: (not row[1].overdue, row[0].state_since, row[0].pk))


# Overdue reminders ---------------------------------------------------------------------------

def _officers_of(case: Case) -> list[str]:
    """Return who works a case: the CME officer who opened it, while still one of its LA's.

    Else (they left, or the case came of no one officer) every active CME officer of its LA.
    """
    opener = case.opened_by
    if (opener is not None and opener.is_active and opener.role == Role.LA_CME
            and opener.la_id == case.la_id and opener.email):
        return [opener.email]
    return case_emails.cme_officers(la=case.la)


def cases_remind_overdue(today: date | None = None) -> tuple[int, int]:
    """Email each overdue open case's officer, once per overdue state; return (cases, emails).

    A case is reminded once for the state it is overdue in (`CaseReminder`, claimed before the
    email is queued, in one transaction with it); one email per officer lists their cases
    newly overdue, by number and link only (no pupil data), in the officer's language. A
    case reminded is recorded in its history.
    """
    today = today or timezone.localdate()
    cases = list(Case.objects.exclude(state=S.CLOSED).select_related("la", "opened_by"))
    timers = case_timers(cases, today)
    overdue = [case for case in cases if timers[case.pk].overdue]
    reminded = set(CaseReminder.objects.filter(case__in=overdue)
                   .values_list("case_id", "state_since"))
    due = [case for case in overdue if (case.pk, case.state_since) not in reminded]
    by_officers: dict[tuple[str, ...], list[Case]] = {}
    emails = 0
    with transaction.atomic():
        for case in due:
            try:
                with transaction.atomic():
                    CaseReminder.objects.create(case=case, state_since=case.state_since,
                                                due_by=timers[case.pk].due_by)
            except IntegrityError:
                continue  # another run claimed it first
            CaseEvent.objects.create(case=case, action=REMINDED, from_state=case.state,
                                     to_state=case.state,
                                     detail={"due_by": timers[case.pk].due_by.isoformat()})
            by_officers.setdefault(tuple(sorted(_officers_of(case))), []).append(case)
        for officers, held in by_officers.items():
            emails += case_emails.send_cases_overdue(to=list(officers), cases=[
                (case.pk, timers[case.pk].due_by) for case in held])
    return sum(map(len, by_officers.values())), emails


# Opening a case -----------------------------------------------------------------------------

def _may_manage(user) -> None:
    if not has_capability(user, Action.MANAGE_CME_CASES) or not user.la_id:
        raise Http404


def _open_case_of(la_id: int, upn: str) -> Case | None:
    return Case.objects.filter(la_id=la_id, upn=upn).exclude(state=S.CLOSED).first()


def _refuse_second(la_id: int, upn: str) -> None:
    held = _open_case_of(la_id, upn)
    if held is not None:
        raise ServiceError(_("The child with UPN %(upn)s already has an open case, %(id)s.")
                           % {"upn": upn, "id": held.pk}, code="case_open", field="upn")


def _checked_upn(upn: str) -> str:
    upn = (upn or "").strip().upper()
    if not upn:
        raise ServiceError(_("Enter the child's UPN."), code="upn_required", field="upn")
    if not upn_check(upn=upn).ok:
        raise ServiceError(_("%(upn)s is not a valid UPN: 13 characters, the first a check "
                             "letter.") % {"upn": upn}, code="upn_invalid", field="upn")
    return upn


def _refuse_if_accounted_for(la_id: int, upn: str, today: date) -> None:
    """Refuse a child on a school's roll, or recorded by the LA as home educated or abroad."""
    on_roll = Pupil.objects.filter(upn=upn, on_roll=True).exclude(leaving_date__lte=today)
    if on_roll.exists():
        raise ServiceError(
            _("The child with UPN %(upn)s is on a school's roll, so is not missing education; "
              "open a case from one of the child's signals if there is a concern.")
            % {"upn": upn}, code="on_roll", field="upn")
    last = (Case.objects.filter(la_id=la_id, upn=upn, state=S.CLOSED)
            .order_by("-closed_at", "-pk").first())
    if last is not None and last.outcome in (CaseOutcome.HOME_EDUCATED, CaseOutcome.ABROAD):
        raise ServiceError(
            _("The child with UPN %(upn)s was recorded as %(outcome)s when case %(id)s closed; "
              "open a case from one of the child's signals if there is a new concern.")
            % {"upn": upn, "outcome": CaseOutcome(last.outcome).label.lower(), "id": last.pk},
            code="accounted_for", field="upn")


def _child(upn: str, surname: str, forename: str, dob: date | None) -> dict:
    """Return the child's names, DOB and last school from the latest roll, else as given."""
    row = (Pupil.objects.filter(upn=upn).select_related("establishment")
           .order_by(F("missing_since").desc(nulls_first=True), "-pk").first())
    if row is not None:
        return {"surname": row.surname, "forename": row.forename, "dob": row.dob,
                "school": row.establishment}
    if not (surname.strip() and forename.strip() and dob):
        raise ServiceError(_("No school's roll has the UPN %(upn)s: give the child's surname, "
                             "forename and date of birth.") % {"upn": upn},
                           code="child_unknown", field="surname")
    return {"surname": surname.strip()[:100], "forename": forename.strip()[:100], "dob": dob,
            "school": None}


def _opened(*, user, case: Case, how: str, request) -> Case:
    CaseEvent.objects.create(case=case, action=OPENED, actor=user,
                             actor_username=user.username, to_state=case.state,
                             detail={"how": how, "signal": case.signal_id})
    audit_record(action="cme_case_open", actor=user, obj=case, request=request,
                 summary=Text(gettext_noop("CME case %(number)s opened %(how)s"), number=case.pk,
                              how=Text(OPENED_HOW[how])),
                 detail={"upn": case.upn, "signal": case.signal_id})
    return case


def case_open(*, user, upn: str = "", signal_id: int | None = None, surname: str = "",
              forename: str = "", dob: date | None = None, request=None) -> Case:
    """Open a case for a child: from a signal the user may see, or by UPN (referred).

    By UPN, the child must be on no school's roll and not recorded by the LA as home educated
    or abroad; names and DOB come from the latest roll, else from the officer. One open case
    per child per LA.
    """
    _may_manage(user)
    with transaction.atomic():
        if signal_id is not None:
            signal = get_for(user, Signal.objects.select_related("establishment"),
                             Action.VIEW_CME_SIGNALS, pk=signal_id)
            _refuse_second(user.la_id, signal.upn)
            case = Case.objects.create(
                la_id=user.la_id, upn=signal.upn, surname=signal.surname,
                forename=signal.forename, dob=signal.dob, school=signal.establishment,
                signal=signal, opened_by=user)
            return _opened(user=user, case=case, how="from a signal", request=request)
        upn = _checked_upn(upn)
        _refuse_second(user.la_id, upn)
        _refuse_if_accounted_for(user.la_id, upn, timezone.localdate())
        case = Case.objects.create(la_id=user.la_id, upn=upn, opened_by=user,
                                   **_child(upn, surname, forename, dob))
        return _opened(user=user, case=case, how="by UPN", request=request)


# Acting on a case ---------------------------------------------------------------------------

def _outcome_place(*, case: Case, outcome: str, school: str, to_la: str) -> str:
    """Return the school or LA the outcome names (checked), or ""."""
    if outcome == CaseOutcome.ON_ROLL:
        code = (school or "").strip()
        if not Establishment.objects.filter(code=code).exists():
            raise ServiceError(_("Enter the 7-digit number of the school the child is on roll "
                                 "at."), code="school_required", field="school")
        return code
    if outcome == CaseOutcome.LEFT_LA:
        number = (to_la or "").strip()
        if not LocalAuthority.objects.filter(number=number).exclude(pk=case.la_id).exists():
            raise ServiceError(_("Enter the 3-digit number of the LA the child has moved to "
                                 "(not your own)."), code="la_required", field="to_la")
        return number
    return ""


def _tell_receiving_la(*, user, case: Case, number: str, note: str, request) -> int:
    """Send the receiving LA's CME officers and LA users a secure message about the child."""
    # Imported here: messaging is a peer app, only needed for this outcome.
    from s2s.messaging.recipients import LaTarget, Recipients
    from s2s.messaging.services import message_send

    subject = _("Child missing education moved to your area (case %(id)s of LA %(la)s)") % {
        "id": case.pk, "la": case.la.number}
    body = _("A child our enquiries found has moved to your local authority. Please check "
             "that the child is receiving education.\n\nName: %(forename)s %(surname)s\n"
             "Date of birth: %(dob)s\nUPN: %(upn)s\nLast known school: %(school)s\n\n"
             "%(note)s") % {
        "forename": case.forename, "surname": case.surname,
        "dob": case.dob.isoformat() if case.dob else "-", "upn": case.upn,
        "school": case.school.code if case.school else "-", "note": note}
    try:
        sent = message_send(user=user, subject=subject, body=body, request=request,
                            to=Recipients(las=(LaTarget(la=number,
                                                        roles=(Role.LA_CME, Role.LA_USER)),)))
    except ServiceError as error:
        if error.code != "no_readers":
            raise
        raise ServiceError(_("LA %(la)s has no CME officer or LA user with an s2s account to "
                             "tell: tell them another way, add a note, and close the case "
                             "then.") % {"la": number}, code="no_readers", field="to_la"
                           ) from None
    return sent.message.pk


def case_act(*, user, case_id: int, action: str, note: str = "", outcome: str = "",
             school: str = "", to_la: str = "", request=None) -> CaseEvent:
    """Record one action on a case: a transition, a checklist item or a note (audited).

    Closing as left the LA sends the receiving LA a secure message first; it must reach
    someone.
    """
    _may_manage(user)
    with transaction.atomic():
        # Lock the case row only: `school` is a nullable (outer) join PostgreSQL cannot lock.
        locked = Case.objects.select_for_update(of=("self",)).select_related("la", "school")
        case = get_for(user, locked, Action.MANAGE_CME_CASES, pk=case_id)
        before = case.state
        after = case_next_state(state=before, action=action, outcome=outcome)
        if action == "note" or (note or "").strip():
            note = text_required(note, field="note", blank=_("Enter the note."),
                                 limit=NOTE_MAX, label=_("note"), code="note")
        detail = {}
        if action == "close":
            place = _outcome_place(case=case, outcome=outcome, school=school, to_la=to_la)
            detail = {"outcome": outcome, "place": place}
            if outcome == CaseOutcome.LEFT_LA:
                detail["message"] = _tell_receiving_la(user=user, case=case, number=place,
                                                       note=note, request=request)
            case.outcome, case.outcome_place, case.closed_at = outcome, place, timezone.now()
        if after != before:
            case.state, case.state_since = after, timezone.now()
        case.save()
        event = CaseEvent.objects.create(
            case=case, action=action, note=note, actor=user, actor_username=user.username,
            from_state=before, to_state=after, detail=detail)
        audit_record(action="cme_case_action", actor=user, obj=case, request=request,
                     summary=Text(gettext_noop("CME case %(number)s: %(action)s (from "
                                               "%(before)s to %(after)s)"),
                                  number=case.pk, action=english_words(ACTION_LABELS[action]),
                                  before=english_words(CaseState(before).label),
                                  after=english_words(CaseState(after).label)),
                     detail={"action": action, "from": before, "to": after, **detail})
    return event


# A case's child turning up -------------------------------------------------------------------

# Up to this many arriving UPNs are looked up by UPN; more (a school's first full roll) are
# matched against the open cases' UPNs read in one query, cheaper than binding thousands.
_ARRIVAL_LOOKUP = 500
_WAITING = PreparedRead(
    lambda *upns: Case.objects.filter(turned_up_at__isnull=True, upn__in=upns)
    .exclude(state=S.CLOSED).select_related("la"))


def case_children_arrived(*, establishment, upns: list[str], via: str) -> int:
    """Flag the open cases whose child arrived at this school; email their LAs' officers.

    Called on the ingest path (a roll feed, a CTF delivered), so it asks one indexed query
    (two for a roll of more than 500 arrivals) and writes only when a case matches. A case is
    flagged once. Return how many cases were flagged.
    """
    if len(upns) > _ARRIVAL_LOOKUP:
        waiting = Case.objects.filter(turned_up_at__isnull=True).exclude(state=S.CLOSED)
        held = set(waiting.values_list("upn", flat=True))
        upns = [upn for upn in upns if upn in held]
    found = []
    if upns:
        # Padded to a power of two by repeating a UPN, so a few compiled shapes serve every
        # file (core/prepared.py: this runs on every CTF delivered to a school).
        size = 1 << (len(upns) - 1).bit_length()
        found = list(_WAITING.queryset(*upns, *[upns[-1]] * (size - len(upns))))
    if not found:
        return 0
    now, by_la = timezone.now(), {}
    for case in found:
        case.turned_up_at, case.turned_up_school, case.turned_up_via = (
            now, establishment.code, via)
        by_la.setdefault(case.la, []).append(case.pk)
        audit_record(action="cme_case_turned_up", obj=case, actor_username="system",
                     summary=Text(gettext_noop("CME case %(number)s: child on the roll of "
                                               "%(code)s"),
                                  number=case.pk, code=establishment.code),
                     detail={"school": establishment.code, "via": via})
    Case.objects.bulk_update(found, ["turned_up_at", "turned_up_school", "turned_up_via"])
    CaseEvent.objects.bulk_create(
        CaseEvent(case=case, action=TURNED_UP, actor_username="system", at=now,
                  from_state=case.state, to_state=case.state,
                  detail={"school": establishment.code, "via": via}) for case in found)
    for la, ids in by_la.items():
        case_emails.send_case_turned_up(la=la, case_ids=ids)
    return len(found)
