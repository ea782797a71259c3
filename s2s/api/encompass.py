"""Operation Encompass (issue 16): police notifications to schools, read receipts, escalation.

A police agency sends and follows its own; a school reads its own (the first read is the
receipt); its LA's DBAs and LA users follow their schools' times and state, never the
details. Anyone else gets 404. Every read of the details is audited.
"""

from datetime import date, datetime
from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from s2s.accounts.policy import Action, can
from s2s.agencies import encompass
from s2s.api.errors import ERRORS
from s2s.api.paging import PAGE_SIZE, next_page_url

router = Router(tags=["encompass"])

MAX_PAGE = 100_000
MAX_ID = 2**63 - 1
NotificationId = Path[Annotated[int, Field(ge=1, le=MAX_ID)]]
_ANY = (Action.SEND_ENCOMPASS, Action.READ_ENCOMPASS, Action.FOLLOW_ENCOMPASS)


class NotificationIn(Schema):
    """A notification to send. Dates are YYYY-MM-DD; the service words any refusal."""

    school: str = Field(max_length=20, description="The school's 7-digit establishment number.")
    reference: str = Field(max_length=200, description="The police reference.")
    surname: str = Field(max_length=200)
    forename: str = Field(max_length=200)
    dob: str = Field(max_length=20, description="The child's date of birth, YYYY-MM-DD.")
    upn: str = Field("", max_length=20)
    incident_on: str = Field(max_length=20, description="The incident's date, YYYY-MM-DD.")
    summary: str = Field(max_length=5000, description="What the school needs to know.")


class NotificationOut(Schema):
    """A notification's times and state (no pupil data)."""

    id: int
    agency: str = Field(description="The sending agency's reference.")
    school: str
    reference: str
    sent_at: datetime
    read_by: datetime = Field(description="08:30 on the school's next school day.")
    read_at: datetime | None
    escalated_at: datetime | None


class DetailsOut(Schema):
    surname: str
    forename: str
    dob: date
    upn: str
    incident_on: date
    summary: str


class NotificationDetailOut(NotificationOut):
    """One notification; its details only to the school and the sending agency."""

    details: DetailsOut | None = None


class NotificationsPage(Schema):
    items: list[NotificationOut]
    count: int
    next: str | None


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)


def _caller(request: HttpRequest):
    if not any(can(request.auth, action) for action in _ANY):
        raise Http404
    return request.auth


def _out(notification) -> dict:
    return {"id": notification.pk, "agency": notification.agency.reference,
            "school": notification.establishment.code, "reference": notification.reference,
            "sent_at": notification.sent_at, "read_by": notification.read_by_at,
            "read_at": notification.read_at, "escalated_at": notification.escalated_at}


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@router.post("", response={201: NotificationOut, **ERRORS}, summary="Send a notification")
def notification_create(request: HttpRequest, payload: NotificationIn):
    """Send a domestic-abuse notification to a school (police agencies, under an agreement)."""
    if not can(request.auth, Action.SEND_ENCOMPASS):
        raise Http404
    data = payload.dict()
    data["dob"], data["incident_on"] = _date(data["dob"]), _date(data["incident_on"])
    sent = encompass.encompass_send(user=request.auth, request=request, **data)
    return Status(201, _out(sent))


@router.get("", response={200: NotificationsPage, **ERRORS}, summary="List notifications")
def notification_list(request: HttpRequest, filters: Query[PageQuery]):
    """List the notifications you sent, received, or your LA's schools received, newest first."""
    notifications = encompass.encompass_list(user=_caller(request))
    count = notifications.count()
    start = (filters.page - 1) * PAGE_SIZE
    return {"items": [_out(n) for n in notifications[start:start + PAGE_SIZE]],
            "count": count, "next": next_page_url(request, filters.page, count, PAGE_SIZE)}


@router.get("/{notification_id}", response={200: NotificationDetailOut, **ERRORS},
            summary="One notification")
def notification_detail(request: HttpRequest, notification_id: NotificationId):
    """Read one notification: the school's first read is the read receipt (audited)."""
    user = _caller(request)
    notification = encompass.encompass_get(user=user, pk=notification_id)
    details = None
    if not can(user, Action.FOLLOW_ENCOMPASS):
        details = encompass.encompass_details(user=user, notification=notification,
                                              request=request)
    return {**_out(notification), "details": details}
