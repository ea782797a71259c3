"""Children missing education: the signals computed from feeds over calendars (issue 14).

LA CME officers and LA users read their LA's schools' signals (and the home LA a permanent
exclusion's), a school (its user and MIS connector) its own pupils', the service
administrator all; anyone else gets 404. The same people read the returns schools owe their
LA; the LA's CME officer marks one received. Every read is audited.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Field, Path, Query, Router, Schema

from s2s.api.errors import ERRORS
from s2s.api.paging import PAGE_SIZE, next_page_url
from s2s.cme import returns, selectors, services
from s2s.cme.models import ReturnKind
from s2s.cme.signals import Kind
from s2s.ctf.words import Text

router = Router(tags=["cme"])

MAX_PAGE = 100_000
ReturnId = Path[Annotated[int, Field(ge=1, le=2**63 - 1)]]
KindName = Literal[tuple(Kind.values)]
Status = Literal["open", "closed", "withdrawn"]


class SignalOut(Schema):
    """One signal: a run that met its rule, for one pupil at one school."""

    id: int
    kind: KindName
    upn: str
    surname: str
    forename: str
    dob: date | None
    school: str = Field(description="The school's 7-digit establishment number.")
    la: str = Field(description="The school's LA number.")
    first_day: date = Field(description="The first school day of the run (or exclusion).")
    fired_on: date = Field(description="The school day the rule was met (exclusion_day6: "
                           "the 6th school day of the exclusion).")
    school_days: int = Field(description="The run's length so far, in school days.")
    status: Status = Field(description="open: the run goes on; closed: it ended; "
                           "withdrawn: a recoded mark or a changed exclusion undid it.")
    detail: dict


class SignalsPage(Schema):
    items: list[SignalOut]
    count: int
    next: str | None


class SignalsQuery(Schema):
    la: str | None = Field(None, description="3-digit LA number.", max_length=3)
    school: str | None = Field(None, description="7-digit establishment number.",
                               max_length=7)
    kind: KindName | None = None
    status: Status | None = None
    upn: str | None = Field(None, max_length=13)
    page: int = Field(1, ge=1, le=MAX_PAGE)


@router.get("/signals", response={200: SignalsPage, **ERRORS}, summary="List CME signals")
def signal_list(request: HttpRequest, filters: Query[SignalsQuery]):
    """List the CME signals you may see, latest fired first (the read is audited)."""
    signals = selectors.signal_list(user=request.auth, la=filters.la, school=filters.school,
                                    kind=filters.kind, status=filters.status, upn=filters.upn)
    return _audited_page(request, signals, filters, viewed=services.signals_viewed,
                         summary=selectors.signal_summary,
                         words=gettext_noop("%(shown)s of %(count)s signals"))


def _audited_page(request: HttpRequest, found, filters, *, viewed, summary, words: str) -> dict:
    """Return the asked page of `found` as `{items, count, next}`, its read audited by `viewed`.

    `words` is the audit's template for what was shown, taking `shown` and `count`.
    """
    count = found.count()
    start = (filters.page - 1) * PAGE_SIZE
    page = list(found[start:start + PAGE_SIZE])
    viewed(user=request.auth, shown=page, request=request,
           filters=filters.dict(exclude_none=True),
           summary=Text(words, shown=len(page), count=count))
    return {"items": [summary(item) for item in page], "count": count,
            "next": next_page_url(request, filters.page, count, PAGE_SIZE)}


ReturnKindName = Literal[tuple(ReturnKind.values)]


class ReturnOut(Schema):
    """A return a school owes its LA: a new pupil's, or a deletion's."""

    id: int
    kind: ReturnKindName
    upn: str
    surname: str
    forename: str
    dob: date | None
    school: str = Field(description="The school's 7-digit establishment number.")
    la: str = Field(description="The school's LA number.")
    event_date: date = Field(description="The pupil's entry date, or leaving date.")
    due_on: date = Field(description="A new pupil: the 5th school day after entry; a "
                         "deletion: the leaving date.")
    status: Literal["outstanding", "received"]
    overdue: bool = Field(description="Outstanding after its due day.")
    received_at: datetime | None


class ReturnsPage(Schema):
    items: list[ReturnOut]
    count: int
    next: str | None


class ReturnsQuery(Schema):
    la: str | None = Field(None, description="3-digit LA number.", max_length=3)
    school: str | None = Field(None, description="7-digit establishment number.",
                               max_length=7)
    kind: ReturnKindName | None = None
    status: Literal["outstanding", "received"] | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)


@router.get("/returns", response={200: ReturnsPage, **ERRORS}, summary="List CME returns")
def return_list(request: HttpRequest, filters: Query[ReturnsQuery]):
    """List the returns schools owe their LA that you may see, earliest due first (audited)."""
    found = returns.return_list(user=request.auth, la=filters.la, school=filters.school,
                                kind=filters.kind, status=filters.status)
    return _audited_page(request, found, filters, viewed=returns.returns_viewed,
                         summary=returns.return_summary,
                         words=gettext_noop("%(shown)s of %(count)s returns"))


@router.post("/returns/{return_id}/received", response={200: ReturnOut, **ERRORS},
             summary="Mark a CME return received")
def return_received(request: HttpRequest, return_id: ReturnId):
    """Mark a return your LA has received (an LA CME officer); it leaves the school's list."""
    item = returns.return_receive(user=request.auth, pk=return_id, request=request)
    return returns.return_summary(item)
