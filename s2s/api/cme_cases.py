"""Children missing education: the LA CME officer's cases (issue 14).

The LA's CME officers open and work their LA's cases; the LA's users read them, and the service
administrator reads any; anyone else gets 404. Every read of a case is audited.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from s2s.api.errors import ERRORS
from s2s.api.paging import PAGE_SIZE, next_page_url
from s2s.cme import cases as services
from s2s.cme.models import Case, CaseOutcome, CaseState

router = Router(tags=["cme"])

MAX_PAGE = 100_000
MAX_ID = 2**63 - 1
CaseId = Path[Annotated[int, Field(ge=1, le=MAX_ID)]]
State = Literal[tuple(CaseState.values)]
Outcome = Literal[tuple(CaseOutcome.values)]
ActionName = Literal[services.ACTIONS]


class TurnedUpOut(Schema):
    at: datetime
    school: str = Field(description="The school whose roll the child is on.")
    via: Literal["feed", "ctf"] = Field(description="feed: its roll feed; ctf: a CTF "
                                        "delivered to it.")


class CaseOut(Schema):
    """One case: the child, where the case stands, and its timer."""

    id: int
    upn: str
    surname: str
    forename: str
    dob: date | None
    la: str = Field(description="The LA working the case (3 digits).")
    school: str | None = Field(description="The child's last known school, if any.")
    signal: int | None = Field(description="The signal the case was opened from, if any.")
    state: State
    state_since: datetime
    outcome: Outcome | None = None
    outcome_place: str | None = Field(None, description="on_roll: the school; left_la: the "
                                      "receiving LA.")
    opened_at: datetime
    closed_at: datetime | None
    due_by: date | None = Field(description="The school day the present state is due to end "
                                "by (settings S2S_CME_CASE_*_DAYS); none once closed.")
    overdue: bool
    turned_up: TurnedUpOut | None = Field(description="The child turned up on a school's "
                                          "roll while the case was open.")


class ChecklistOut(Schema):
    item: str
    done_by: str | None
    done_at: datetime | None
    note: str


class EventOut(Schema):
    action: str
    note: str
    by: str
    at: datetime
    from_state: str
    to_state: str
    detail: dict


class CaseDetailOut(CaseOut):
    checklist: list[ChecklistOut]
    events: list[EventOut]
    signals: list[int] = Field(description="The ids of the child's signals you may see.")


class CasesPage(Schema):
    items: list[CaseOut]
    count: int
    next: str | None


class CasesQuery(Schema):
    state: State | None = None
    la: str | None = Field(None, description="3-digit LA number.", max_length=3)
    upn: str | None = Field(None, max_length=13)
    page: int = Field(1, ge=1, le=MAX_PAGE)


class CaseIn(Schema):
    """A UPN (surname, forename and dob too when no school's roll has it), or a signal."""

    upn: str | None = Field(None, max_length=13)
    signal: int | None = Field(None, ge=1, le=MAX_ID)
    surname: str = Field("", max_length=100)
    forename: str = Field("", max_length=100)
    dob: date | None = None


class EventIn(Schema):
    """An action: a transition, a checklist item or a note; closing needs an outcome."""

    action: ActionName
    note: str = Field("", max_length=services.NOTE_MAX)
    outcome: Outcome | None = Field(None, description="close: how the case ended.")
    school: str = Field("", max_length=7, description="close as on_roll: the school.")
    to_la: str = Field("", max_length=3, description="close as left_la: the LA told.")


def _summary(case: Case, timer: services.Timer) -> dict:
    turned_up = ({"at": case.turned_up_at, "school": case.turned_up_school,
                  "via": case.turned_up_via} if case.turned_up_at else None)
    return {
        "id": case.pk, "upn": case.upn, "surname": case.surname, "forename": case.forename,
        "dob": case.dob, "la": case.la.number, "school": case.school.code if case.school else None,
        "signal": case.signal_id, "state": case.state, "state_since": case.state_since,
        "outcome": case.outcome or None, "outcome_place": case.outcome_place or None,
        "opened_at": case.opened_at, "closed_at": case.closed_at, "due_by": timer.due_by,
        "overdue": timer.overdue, "turned_up": turned_up,
    }


def _detail(request, case: Case) -> dict:
    timer = services.case_timers([case])[case.pk]
    return {
        **_summary(case, timer),
        "checklist": services.case_checklist(case),
        "events": [{"action": e.action, "note": e.note, "by": e.actor_username, "at": e.at,
                    "from_state": e.from_state, "to_state": e.to_state, "detail": e.detail}
                   for e in case.events.all()],
        "signals": [s.pk for s in services.case_signals(user=request.auth, case=case)],
    }


@router.get("", response={200: CasesPage, **ERRORS}, summary="List CME cases")
def case_list(request: HttpRequest, filters: Query[CasesQuery]):
    """List the CME cases you may read, oldest opened first (the read is audited)."""
    cases = services.case_list(user=request.auth, state=filters.state, la=filters.la,
                               upn=filters.upn)
    count = cases.count()
    start = (filters.page - 1) * PAGE_SIZE
    page = list(cases[start:start + PAGE_SIZE])
    services.cases_viewed(user=request.auth, shown=page, request=request,
                          filters=filters.dict(exclude_none=True))
    timers = services.case_timers(page)
    return {"items": [_summary(case, timers[case.pk]) for case in page], "count": count,
            "next": next_page_url(request, filters.page, count, PAGE_SIZE)}


@router.post("", response={201: CaseDetailOut, **ERRORS}, summary="Open a CME case")
def case_open(request: HttpRequest, body: CaseIn):
    """Open a case from a signal, or by UPN for a child on no school's roll (referred)."""
    case = services.case_open(user=request.auth, upn=body.upn or "", signal_id=body.signal,
                              surname=body.surname, forename=body.forename, dob=body.dob,
                              request=request)
    return Status(201, _detail(request, services.case_get(user=request.auth, case_id=case.pk)))


@router.get("/{int:case_id}", response={200: CaseDetailOut, **ERRORS}, summary="Read a CME case")
def case_read(request: HttpRequest, case_id: CaseId):
    """Return one case with its checklist, its events and its signals (the read is audited)."""
    case = services.case_read(user=request.auth, case_id=case_id, request=request)
    return _detail(request, case)


@router.post("/{int:case_id}/events", response={201: CaseDetailOut, **ERRORS},
             summary="Act on a CME case")
def case_act(request: HttpRequest, body: EventIn, case_id: CaseId):
    """Record an action on a case; a refused transition says why (400, code and message)."""
    services.case_act(user=request.auth, case_id=case_id, action=body.action, note=body.note,
                      outcome=body.outcome or "", school=body.school, to_la=body.to_la,
                      request=request)
    return Status(201, _detail(request, services.case_get(user=request.auth, case_id=case_id)))
