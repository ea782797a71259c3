"""Partnerships (issue 16): agreements, signatures, linked pupils and need-to-know sharing.

A school user's or MIS connector's token acts for its institution. Anything outside need to
know (not a member, sharing stopped, a pupil not linked to you, a kind not agreed) is 404 or
simply absent; a record that cannot be taken is refused with the one error shape.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Body, Field, Path, Query, Router, Schema, Status

from s2s.api.errors import ERRORS
from s2s.api.paging import PAGE_SIZE, next_page_url
from s2s.partnerships import records, selectors, services

router = Router(tags=["partnerships"])

MAX_ID = 2**63 - 1
MAX_PAGE = 100_000
PartnershipId = Path[Annotated[int, Field(ge=1, le=MAX_ID)]]
Upn = Path[Annotated[str, Field(min_length=13, max_length=13)]]
KindName = Literal["attendance", "punctuality", "assessment", "behaviour"]
School = Annotated[str, Field(min_length=7, max_length=7, examples=["8384512"])]


class AgreementIn(Schema):
    purpose: str = Field(max_length=2000)
    kinds: list[KindName] = Field(min_length=1, max_length=4)
    lawful_basis: str = Field(max_length=300)
    retention_days: int = Field(ge=1, le=3650)
    review_date: date


class PartnershipIn(Schema):
    name: str = Field(max_length=200)
    members: list[School] = Field(min_length=1, max_length=100,
                                  description="The members' establishment numbers; yours too.")
    agreement: AgreementIn


class AgreementOut(Schema):
    purpose: str
    kinds: list[KindName]
    lawful_basis: str
    retention_days: int
    review_date: date


class MemberOut(Schema):
    school: str
    name: str
    signed_by: str | None
    signed_at: datetime | None


class PartnershipOut(Schema):
    """A partnership and its status.

    awaiting_signatures, active (when every member has signed), lapsed (review date passed)
    or ended; `sharing`: whether records are shared today.
    """

    id: int
    name: str
    status: Literal["awaiting_signatures", "active", "lapsed", "ended"]
    sharing: bool
    members: list[MemberOut]
    agreement: AgreementOut


class PartnershipsPage(Schema):
    items: list[PartnershipOut]
    count: int
    next: str | None


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)


class LinkIn(Schema):
    school: School
    role: Literal["subsidiary", "guest"]
    courses: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list,
                                                                 max_length=50)
    linked_from: date | None = Field(None, description="Default: today.")


class PupilIn(Schema):
    upn: str = Field(min_length=13, max_length=13)
    main: School = Field(description="Your establishment number: the main institution links.")
    links: list[LinkIn] = Field(max_length=20)


class LinkOut(Schema):
    school: str
    role: Literal["subsidiary", "guest"]
    courses: list[str]
    linked_from: date
    linked_to: date | None


class PupilLinkOut(Schema):
    upn: str
    main: str
    objected_at: datetime | None
    links: list[LinkOut]


class RecordIn(Schema):
    """One record, with the fields its kind needs.

    attendance: `session` (AM, PM) or `lesson`, and `code`; punctuality: `session` or
    `lesson`, and `minutes_late`; assessment: `subject`, `aspect`, `result`; behaviour:
    `type`, `points`, `description`.
    """

    upn: str = Field(max_length=13)
    kind: KindName
    date: date
    session: Literal["AM", "PM"] | None = None
    lesson: str | None = Field(None, max_length=40)
    code: str | None = Field(None, max_length=2)
    minutes_late: int | None = None
    subject: str | None = Field(None, max_length=200)
    aspect: str | None = Field(None, max_length=200)
    result: str | None = Field(None, max_length=60)
    type: Literal["incident", "achievement"] | None = None
    points: int | None = None
    description: str | None = Field(None, max_length=2000)


class RecordsOut(Schema):
    received: int


class RecordOut(Schema):
    id: int
    upn: str
    kind: KindName
    date: date
    school: str
    session: Literal["AM", "PM"] | None = None
    lesson: str | None = None
    code: str | None = None
    minutes_late: int | None = None
    subject: str | None = None
    aspect: str | None = None
    result: str | None = None
    type: str | None = None
    points: int | None = None
    description: str | None = None


class PupilViewOut(Schema):
    upn: str
    attendance: list[RecordOut]
    punctuality: list[RecordOut]
    assessment: list[RecordOut]
    behaviour: list[RecordOut]


class ChangesQuery(Schema):
    since: str = Field("", max_length=20, description="The cursor of your last call; empty "
                       "for everything.")


class DeletedOut(Schema):
    """A record deleted (objection, retention or the partnership's end): remove your copy."""

    id: int
    deleted: Literal[True]
    kind: KindName
    reason: Literal["objection", "retention", "ended"]


class ChangesOut(Schema):
    items: list[RecordOut | DeletedOut]
    cursor: str


class RenewIn(Schema):
    review_date: date = Field(description="The new review date, in the future.")


@router.post("", response={201: PartnershipOut, **ERRORS}, summary="Create a partnership")
def partnership_create(request: HttpRequest, payload: PartnershipIn):
    """Create a partnership with its agreement; it awaits every member's signature."""
    agreement = payload.agreement
    partnership = services.partnership_create(
        user=request.auth, name=payload.name, members=payload.members,
        purpose=agreement.purpose, kinds=agreement.kinds, lawful_basis=agreement.lawful_basis,
        retention_days=agreement.retention_days, review_date=agreement.review_date,
        request=request)
    return Status(201, selectors.partnership_out(partnership))


@router.get("", response={200: PartnershipsPage, **ERRORS}, summary="List your partnerships")
def partnership_list(request: HttpRequest, query: Query[PageQuery]):
    """List the partnerships your institution is a member of, newest first."""
    found = selectors.partnership_list(user=request.auth)
    count = found.count()
    start = (query.page - 1) * PAGE_SIZE
    return {"items": [selectors.partnership_out(p) for p in found[start:start + PAGE_SIZE]],
            "count": count, "next": next_page_url(request, query.page, count)}


@router.get("/{partnership_id}", response={200: PartnershipOut, **ERRORS},
            summary="One partnership")
def partnership_detail(request: HttpRequest, partnership_id: PartnershipId):
    """Show one of your partnerships: members, signatures and agreement."""
    partnership = selectors.partnership_get(user=request.auth, partnership_id=partnership_id)
    return selectors.partnership_out(partnership)


@router.post("/{partnership_id}/sign", response={200: PartnershipOut, **ERRORS},
             summary="Sign the agreement")
def partnership_sign(request: HttpRequest, partnership_id: PartnershipId):
    """Sign for your institution; the partnership becomes active when every member has."""
    partnership = services.partnership_sign(user=request.auth, partnership_id=partnership_id,
                                            request=request)
    return selectors.partnership_out(partnership)


@router.post("/{partnership_id}/renew", response={200: PartnershipOut, **ERRORS},
             summary="Renew the agreement")
def partnership_renew(request: HttpRequest, partnership_id: PartnershipId, payload: RenewIn):
    """Renew the agreement to a new review date (any member).

    Every member signs the renewed agreement again: the partnership awaits signatures and
    sharing pauses until all have signed; a lapsed partnership becomes active again so.
    """
    partnership = services.partnership_renew(user=request.auth, partnership_id=partnership_id,
                                             review_date=payload.review_date, request=request)
    return selectors.partnership_out(partnership)


@router.post("/{partnership_id}/end", response={200: PartnershipOut, **ERRORS},
             summary="End the partnership")
def partnership_end(request: HttpRequest, partnership_id: PartnershipId):
    """End the partnership (any member): sharing stops and every shared record is deleted.

    The deletions reach the members' syncs as tombstones in `changes`.
    """
    partnership = services.partnership_end_by(user=request.auth, partnership_id=partnership_id,
                                              request=request)
    return selectors.partnership_out(partnership)


@router.post("/{partnership_id}/pupils", response={201: PupilLinkOut, **ERRORS},
             summary="Link a pupil")
def pupil_link(request: HttpRequest, partnership_id: PartnershipId, payload: PupilIn):
    """Link a pupil (you, the main institution) to the partners where it is taught."""
    link = services.pupil_link(user=request.auth, partnership_id=partnership_id,
                               upn=payload.upn, main=payload.main,
                               links=[link.dict() for link in payload.links], request=request)
    return Status(201, selectors.pupil_link_out(link))


@router.post("/{partnership_id}/pupils/{upn}/objection", response={200: PupilLinkOut, **ERRORS},
             summary="Record an objection")
def pupil_objection(request: HttpRequest, partnership_id: PartnershipId, upn: Upn):
    """Record a pupil's or parent's objection (the main institution only).

    Sharing of the pupil stops at once and its shared records are deleted.
    """
    link = services.pupil_object(user=request.auth, partnership_id=partnership_id, upn=upn,
                                 request=request)
    return selectors.pupil_link_out(link)


@router.post("/{partnership_id}/records", response={201: RecordsOut, **ERRORS},
             summary="Send shared records")
def records_send(request: HttpRequest, partnership_id: PartnershipId,
                 payload: Body[RecordIn | list[RecordIn]]):
    """Send one record or a list (at most 5,000), taken whole or refused whole."""
    items = payload if isinstance(payload, list) else [payload]
    count = records.records_push(user=request.auth, partnership_id=partnership_id,
                                 items=[item.dict() for item in items], request=request)
    return Status(201, {"received": count})


@router.get("/{partnership_id}/pupils/{upn}", response={200: PupilViewOut, **ERRORS},
            summary="A pupil's shared records")
def pupil_view(request: HttpRequest, partnership_id: PartnershipId, upn: Upn):
    """Show what you may see of a pupil linked to you: the agreed kinds, while linked."""
    view = services.pupil_view_read(user=request.auth, partnership_id=partnership_id, upn=upn,
                                    request=request)
    return {"upn": view["upn"], "attendance": view["attendance"],
            "punctuality": view["punctuality"], "assessment": view["assessment"],
            "behaviour": view["behaviour"]}


@router.get("/{partnership_id}/changes", response={200: ChangesOut, **ERRORS},
            summary="Records changed since a cursor")
def changes(request: HttpRequest, partnership_id: PartnershipId, query: Query[ChangesQuery]):
    """Return the records you may see added since `since`, the deletions, and the next cursor.

    A deleted record comes as `{"id", "deleted": true, "kind", "reason"}` (also after the
    partnership has ended or lapsed): remove it from your copy.

    At most 1,000 at a time: call again with the cursor until `items` is empty.
    """
    return services.changes_read(user=request.auth, partnership_id=partnership_id,
                                 since=query.since, request=request)
