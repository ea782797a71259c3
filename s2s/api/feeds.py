"""MIS feeds: send a school's roll, attendance marks or exclusions; read the feeds' reports.

A body is JSON (the default), CSV (`Content-Type: text/csv` with `?school=`) or a CTF
(`Content-Type: application/xml`: the roll, or the attendance mark strings). The same service
and policy as `s2s feed load`: a school the sender may not send for is 404.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from s2s.api.errors import ERRORS, ErrorOut
from s2s.api.paging import PAGE_SIZE, next_page_url
from s2s.core.errors import ServiceError
from s2s.feeds import selectors, services
from s2s.feeds.models import FeedStatus

router = Router(tags=["feeds"])

MAX_ID = 2**63 - 1
MAX_PAGE = 100_000
FeedId = Path[Annotated[int, Field(ge=1, le=MAX_ID)]]
Kind = Literal["roll", "attendance", "exclusions"]
# The largest body accepted, for the OpenAPI document (S2S_FEED_MAX_BYTES may change it).
DEFAULT_MAX_MB = 32


class PupilIn(Schema):
    upn: str
    former_upn: str = ""
    surname: str = ""
    forename: str = ""
    middle_names: str = ""
    preferred_surname: str = ""
    former_surname: str = ""
    dob: str = Field("", description="CCYY-MM-DD")
    sex: str = ""
    postcode: str = ""
    town: str = ""
    nc_year: str = ""
    entry_date: str = ""
    leaving_date: str = ""
    leaving_reason: str = ""
    destination: str = Field("", description="The next school's 7-digit number, or blank.")
    registration: Literal["single", "main", "subsidiary", ""] = "single"
    home_la: str = Field("", description="The pupil's LA of residence (3 digits), if known.")


class RollIn(Schema):
    """`roll`: the whole roll (`full: true`; a pupil left out has left) or a delta."""

    school: str = Field(description="7-digit establishment number.", examples=["8383321"])
    full: bool = False
    pupils: list[PupilIn]


class MarkIn(Schema):
    upn: str
    date: str = Field(description="CCYY-MM-DD")
    session: Literal["AM", "PM"]
    code: str = Field(description="The attendance code, e.g. / \\ L I N C1 Y4; - is no mark.")


class AttendanceIn(Schema):
    """`attendance`: session marks; a later mark for the same session replaces the earlier."""

    school: str
    marks: list[MarkIn]


class ExclusionIn(Schema):
    upn: str
    category: Literal["permanent", "suspension", "lunchtime"]
    start_date: str = Field(description="CCYY-MM-DD")
    sessions: int = 0
    reasons: list[str] = Field(default_factory=list, examples=[["PP"]])
    rescinded: bool = False


class ExclusionsIn(Schema):
    """`exclusions`: one per pupil, category and start date; a later one replaces it."""

    school: str
    exclusions: list[ExclusionIn]


class FindingOut(Schema):
    message: str
    code: str
    upn: str | None = None
    index: int | None = Field(None, description="Position in the feed (0-based), or the CSV "
                              "line, or the CTF pupil's position.")


class CountsOut(Schema):
    received: int
    changed: int
    quarantined: int
    errors: int
    warnings: int


class FeedSummaryOut(Schema):
    id: int
    school: str
    kind: str
    format: str
    received_at: datetime
    status: Literal["accepted", "refused"]
    sent_by: str
    counts: CountsOut


class FeedReportOut(FeedSummaryOut):
    """A feed's report: errors refused their records; warnings kept them."""

    errors: list[FindingOut]
    warnings: list[FindingOut]


class FeedsPage(Schema):
    items: list[FeedSummaryOut]
    count: int
    next: str | None


class FeedsQuery(Schema):
    school: str | None = Field(None, description="7-digit establishment number.")
    kind: Kind | None = None
    status: Literal["accepted", "refused"] | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)


class SendQuery(Schema):
    school: str | None = Field(None, description="The school, for CSV (and to override a "
                               "CTF's source).")
    full: bool = Field(False, description="CSV roll: the whole roll.")


SEND_DOC = {"requestBody": {
    "required": True,
    "description": f"A roll, attendance or exclusions feed, at most {DEFAULT_MAX_MB} MB "
                   "(S2S_FEED_MAX_BYTES); a larger body answers 413.",
    "content": {
        "application/json": {"schema": {"oneOf": [
            RollIn.model_json_schema(), AttendanceIn.model_json_schema(),
            ExclusionsIn.model_json_schema()]}},
        "text/csv": {"schema": {"type": "string", "description": (
            "A header row of the JSON field names, then one row per pupil, mark or exclusion "
            "(reasons separated by ;); the school in ?school=.")}},
        "application/xml": {"schema": {"type": "string", "description": (
            "A CTF: its pupils (roll) or their attendance mark strings (attendance).")}},
    },
}}


def _body(request: HttpRequest) -> bytes:
    """Read the body, refusing (413) one over the documented limit before reading it all."""
    limit = settings.S2S_FEED_MAX_BYTES
    too_large = ServiceError(_("The feed is larger than %(limit)d bytes; send it in parts.")
                             % {"limit": limit}, code="too_large")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise too_large
    content = request.read(limit + 1)
    if len(content) > limit:
        raise too_large
    return content


@router.get("", response={200: FeedsPage, **ERRORS}, summary="List feeds")
def feed_list(request: HttpRequest, filters: Query[FeedsQuery]):
    """List the feeds you may see (your school's, or your LA's schools'), newest first."""
    feeds = selectors.feed_list(user=request.auth, school=filters.school, kind=filters.kind,
                                status=filters.status)
    count = feeds.count()
    start = (filters.page - 1) * PAGE_SIZE
    return {"items": [selectors.feed_summary(f) for f in feeds[start:start + PAGE_SIZE]],
            "count": count, "next": next_page_url(request, filters.page, count, PAGE_SIZE)}


@router.get("/{int:feed_id}", response={200: FeedReportOut, **ERRORS}, summary="One feed's report")
def feed_detail(request: HttpRequest, feed_id: FeedId):
    """Return one feed's report: counts, errors and warnings (the view is audited)."""
    feed = services.feed_report_view(user=request.auth, feed_id=feed_id, request=request)
    return selectors.feed_report(feed)


# Declared after the numeric path, so /feeds/42 is a feed and /feeds/roll a kind.
@router.post("/{kind}", response={201: FeedReportOut, 400: FeedReportOut | ErrorOut,
                                  413: ErrorOut, 401: ErrorOut, 404: ErrorOut},
             openapi_extra=SEND_DOC, summary="Send a feed")
def feed_send(request: HttpRequest, kind: Path[Kind], params: Query[SendQuery]):
    """Send one school's roll, attendance marks or exclusions; 201 with the feed's report.

    Errors refuse one record each, never the feed; a body that is no feed at all is refused
    (400, with its report when the school is known).
    """
    feed = services.feed_receive(
        user=request.auth, kind=kind, content=_body(request),
        content_type=request.content_type or "application/json", school=params.school,
        full=params.full, request=request)
    status = 400 if feed.status == FeedStatus.REFUSED else 201
    return Status(status, selectors.feed_report(feed))
