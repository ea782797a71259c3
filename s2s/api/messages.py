"""Secure messages: list the inbox or sent items, read one (marking it read), send one.

The same selectors, services and policy as the messaging pages: a message is its recipients'
and its sender's alone, anything else is 404, and refusals carry the pages' own words.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from s2s.accounts.policy import Action, has_capability
from s2s.api.errors import ERRORS
from s2s.api.paging import PAGE_SIZE, next_page_url
from s2s.messaging import selectors, services
from s2s.messaging.models import BODY_MAX, SUBJECT_MAX
from s2s.messaging.recipients import DEFAULT_LA_ROLES, LaTarget, Recipients

router = Router(tags=["messages"])

MAX_PAGE = 100_000
MAX_ID = 2**63 - 1
MessageId = Path[Annotated[int, Field(ge=1, le=MAX_ID)]]


class LaIn(Schema):
    la: str = Field(description="The LA's 3-digit number.", examples=["838"])
    roles: list[str] = Field(default_factory=lambda: [str(r) for r in DEFAULT_LA_ROLES],
                             description="LA roles to reach; the LA user and the lost pupil "
                             "officers when absent.", max_length=20)


class ToIn(Schema):
    schools: list[str] = Field(default_factory=list, max_length=1000,
                               description="7-digit establishment numbers.")
    las: list[LaIn] = Field(default_factory=list, max_length=500)
    groups: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(default_factory=list,
                                                                 max_length=100,
                              description="Ids of your own message groups.")


class MessageIn(Schema):
    to: ToIn
    subject: str = Field(max_length=SUBJECT_MAX)
    body: str = Field(max_length=BODY_MAX, description="Plain text.")
    confirm_blanket: bool = Field(False, description="Needed to send to more LAs than the "
                                  "service's limit (10 by default), after reading the "
                                  "guidance in the refusal.")


class SentOut(Schema):
    """A sent message: how many people it reached, and the places that reach nobody."""

    id: int
    subject: str
    sent_at: datetime
    recipients: int
    unreached: list[str]


class InboxItem(Schema):
    id: int
    subject: str
    sender: str = Field(description="Who sent it: name, role and place.")
    sent_at: datetime
    read_at: datetime | None


class SentItem(Schema):
    id: int
    subject: str
    sent_at: datetime
    recipients: int
    unread: int = Field(description="How many recipients have not read it yet.")


class MessagesPage(Schema):
    items: list[InboxItem] | list[SentItem]
    count: int
    next: str | None


class RecipientOut(Schema):
    name: str
    addressed_as: str
    read_at: datetime | None


class MessageOut(Schema):
    """One message: in your inbox (now marked read) or one you sent, with who has read it."""

    id: int
    box: Literal["inbox", "sent"]
    subject: str
    body: str
    sender: str
    sent_at: datetime
    read_at: datetime | None = None
    recipients: list[RecipientOut] | None = None


class MessagesQuery(Schema):
    box: Literal["inbox", "sent"] = Field("inbox", description="inbox: sent to you; sent: "
                                          "sent by you.")
    page: int = Field(1, ge=1, le=MAX_PAGE)


def _messaging_user(request: HttpRequest):
    """Return the caller if its role has messages; anyone else gets 404, as on the pages."""
    if not has_capability(request.auth, Action.MESSAGES):
        raise Http404
    return request.auth


def _inbox_item(copy) -> dict:
    message = copy.message
    return {"id": message.pk, "subject": message.subject, "sender": message.sender_label,
            "sent_at": message.created_at, "read_at": copy.read_at}


def _sent_item(message) -> dict:
    return {"id": message.pk, "subject": message.subject, "sent_at": message.created_at,
            "recipients": message.total, "unread": message.unread}



@router.get("", response={200: MessagesPage, **ERRORS}, summary="List messages")
def message_list(request: HttpRequest, filters: Query[MessagesQuery]):
    """List your inbox (newest first) or the messages you sent, a page at a time."""
    user = _messaging_user(request)
    if filters.box == "sent":
        rows, item = selectors.sent_sorted(user=user, sort=None)[0], _sent_item
    else:
        rows, item = selectors.inbox(user=user), _inbox_item
    count = rows.count()
    start = (filters.page - 1) * PAGE_SIZE
    return {"items": [item(row) for row in rows[start:start + PAGE_SIZE]], "count": count,
            "next": next_page_url(request, filters.page, count, PAGE_SIZE)}


def _received(request: HttpRequest, user, message_id: int) -> dict:
    copy = selectors.copy_get(user=user, message_id=message_id)
    copy = services.message_read(user=user, copy=copy, request=request)
    return {**_inbox_item(copy), "box": "inbox", "body": copy.message.body}


def _sent(request: HttpRequest, user, message_id: int) -> dict:
    message = selectors.sent_get(user=user, message_id=message_id)
    services.message_view_sent(user=user, message=message, request=request)
    return {
        "id": message.pk, "box": "sent", "subject": message.subject, "body": message.body,
        "sender": message.sender_label, "sent_at": message.created_at,
        "recipients": [{"name": c.user.full_name or c.user.username,
                        "addressed_as": c.addressed_as, "read_at": c.read_at}
                       for c in selectors.sent_recipients(message=message)],
    }


@router.get("/{message_id}", response={200: MessageOut, **ERRORS}, summary="One message")
def message_detail(request: HttpRequest, message_id: MessageId):
    """Read one message sent to you (marking it read) or one you sent."""
    user = _messaging_user(request)
    try:
        return _received(request, user, message_id)
    except Http404:
        return _sent(request, user, message_id)


@router.post("", response={201: SentOut, **ERRORS}, summary="Send a message")
def message_create(request: HttpRequest, payload: MessageIn):
    """Send a message to LAs (with roles), schools and your groups; each is emailed a notice."""
    to = Recipients(
        las=tuple(LaTarget(t.la, tuple(t.roles)) for t in payload.to.las),
        schools=tuple(payload.to.schools), groups=tuple(payload.to.groups))
    result = services.message_send(
        user=_messaging_user(request), to=to, subject=payload.subject, body=payload.body,
        confirm_blanket=payload.confirm_blanket, request=request)
    message = result.message
    return Status(201, {"id": message.pk, "subject": message.subject,
                        "sent_at": message.created_at, "recipients": result.recipients,
                        "unreached": result.unreached})
