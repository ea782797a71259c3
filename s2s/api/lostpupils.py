"""Lost pupils: search the Lost Pupil Database and forward a CTF, for LA case-management systems.

The same services and policy as the pages (issue 5): a search is audited with its criteria;
only the lost pupil roles and the service search; only a lost pupil transfer officer forwards,
to a school of its own LA. Anyone else gets 404, as on the pages.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from s2s.accounts.policy import Action, get_for, has_capability
from s2s.api.errors import ERRORS
from s2s.api.paging import PAGE_SIZE, next_page_url
from s2s.lostpupils.models import LostPupilRecord
from s2s.lostpupils.search import BEGINS, SOUNDALIKE, Criteria
from s2s.lostpupils.services import records as services

router = Router(tags=["lost pupils"])

MAX_PAGE = 100_000
MAX_ID = 2**63 - 1
RecordId = Path[Annotated[int, Field(ge=1, le=MAX_ID)]]


class LostPupilsQuery(Schema):
    upn: str = Field("", max_length=13, description="Also matches the former UPN.")
    surname: str = Field("", max_length=100,
                         description="Legal, preferred or former surname, or either part of a "
                                     "double-barrelled name.")
    forename: str = Field("", max_length=100)
    dob: date | None = Field(None, description="Date of birth, CCYY-MM-DD.")
    sex: Literal["", "M", "F"] = ""
    town: str = Field("", max_length=100)
    postcode: str = Field("", max_length=10, description="All of it, or its start.")
    match: Literal["soundalike", "begins"] = Field(
        SOUNDALIKE, description="soundalike (the default): names that sound alike or have one "
                                "typo; begins: an exact prefix of the surname.")
    swap_dob: bool = Field(False, description="Also find the DOB with day and month swapped.")
    page: int = Field(1, ge=1, le=MAX_PAGE)


class LostPupilOut(Schema):
    """One record found, closest first."""

    id: int
    upn: str
    surname: str
    forename: str
    dob: date | None
    sex: str
    town: str
    la: str = Field(description="The number of the LA whose school uploaded it.")
    school: str | None = Field(description="The uploading school's establishment number.")
    uploaded_at: datetime
    score: int = Field(description="How close, 0 to 100.")
    reason: str = Field(description="Why it matched: \"Surname sounds alike, DOB exact\".")


class LostPupilsPage(Schema):
    items: list[LostPupilOut]
    count: int = Field(description="How many records match, on every page.")
    next: str | None = Field(description="The URL of the next page, if there is one.")


class ForwardIn(Schema):
    to: str = Field(description="The establishment number of a school in your LA: 8384512.")


class ForwardOut(Schema):
    """The CTF as sent to the school."""

    id: int = Field(description="The new file's id.")
    name: str
    destination: str


def _clean(text: str) -> str:
    # A NUL cannot be stored or compared in PostgreSQL text.
    return text.replace("\x00", "").strip()


def _criteria(query: LostPupilsQuery) -> Criteria:
    return Criteria(
        upn=_clean(query.upn), surname=_clean(query.surname), forename=_clean(query.forename),
        dob=query.dob, sex=query.sex, town=_clean(query.town), postcode=_clean(query.postcode),
        match=BEGINS if query.match == "begins" else SOUNDALIKE, swap_dob=query.swap_dob,
    )


def _item(hit) -> dict:
    record = hit.record
    return {
        "id": record.pk, "upn": record.upn, "surname": record.surname,
        "forename": record.forename, "dob": record.dob, "sex": record.sex,
        "town": record.town, "la": record.uploading_la.number,
        "school": record.uploading_school.code if record.uploading_school else None,
        "uploaded_at": record.uploaded_at, "score": hit.score, "reason": hit.reason,
    }


@router.get("", response={200: LostPupilsPage, **ERRORS}, summary="Search the LPD")
def lost_pupil_search(request: HttpRequest, filters: Query[LostPupilsQuery]):
    """Search the Lost Pupil Database of every LA; ranked closest first, with the reason."""
    if not has_capability(request.auth, Action.SEARCH_LPD):
        raise Http404
    page = services.lost_pupil_search(user=request.auth, criteria=_criteria(filters),
                                      page=filters.page, per_page=PAGE_SIZE, request=request)
    count = page.paginator.count
    items = [_item(hit) for hit in page.object_list] if page.number == filters.page else []
    return {"items": items, "count": count,
            "next": next_page_url(request, filters.page, count, PAGE_SIZE)}


@router.post("/{record_id}/forward", response={201: ForwardOut, **ERRORS},
             summary="Forward a lost pupil's CTF to a school")
def lost_pupil_forward(request: HttpRequest, record_id: RecordId, body: ForwardIn):
    """Send the record's CTF, re-addressed, to a school of your LA from your LA mailbox."""
    record = get_for(request.auth, LostPupilRecord.objects.select_related("transfer"),
                     Action.DOWNLOAD_LPD, pk=record_id)
    new = services.lost_pupil_forward(user=request.auth, record=record, to=body.to,
                                      request=request)
    return Status(201, {"id": new.pk, "name": new.name, "destination": new.delivered_code})
