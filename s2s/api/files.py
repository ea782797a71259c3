"""Files: upload, list, read, download, collect and reject, for MIS connectors and schools.

Each endpoint reads like a page's view: parse (schema) → selector (404 outside scope) →
service → respond. The services are the pages' own, so the API refuses what the pages refuse,
with the same words.
"""

import base64
from datetime import datetime
from typing import Annotated, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from s2s.accounts.policy import Action, has_capability
from s2s.api.errors import ERRORS, ErrorOut
from s2s.api.paging import PAGE_SIZE, next_page_url
from s2s.core.downloads import download_response
from s2s.transfers import selectors, services
from s2s.transfers.findings import findings_worded
from s2s.transfers.models import Transfer, TransferStatus

router = Router(tags=["files"])

# Far beyond any real box; it keeps a generated page number from asking the database for
# an offset it cannot hold.
MAX_PAGE = 100_000
MAX_ID = 2**63 - 1
FileId = Path[Annotated[int, Field(ge=1, le=MAX_ID)]]


class FindingOut(Schema):
    """One validation warning of a CTF: shown to the sender at upload, the receiver at download."""

    message: str
    code: str
    pupil: int | None = None
    field: str | None = None
    line: int | None = None


class UploadOut(Schema):
    """An accepted upload."""

    id: int
    name: str
    source: str = Field(description="Who sent it: an establishment number, an LA mailbox or "
                        "an agency reference.")
    destination: str = Field(description="Where it was delivered (a closed school's successor "
                             "when the name addressed the closed school).")
    status: TransferStatus
    pupils: int = Field(description="How many pupils the file holds.")
    warnings: list[FindingOut]
    notes: list[str] = Field(description="What the sender should know: delivered to a "
                             "successor, sent to the Lost Pupil Database, flagged as a repeat.")
    uploaded_at: datetime


class FileOut(Schema):
    """One file in a list."""

    id: int
    name: str
    type: str = Field(description="The type code from the name: CTF, ZIP, PLAS, ...")
    source: str
    destination: str
    status: TransferStatus
    pupils: int
    size: int
    uploaded_at: datetime


class FileDetailOut(FileOut):
    """One file, with what happened to it and the warnings the receiver should see."""

    addressed_to: str = Field(description="The destination the file name gave.")
    sha256: str = Field(description="SHA-256 of the content, hex.")
    warnings: list[FindingOut]
    collected_at: datetime | None
    rejected_at: datetime | None
    reject_reason: str


class FilesPage(Schema):
    """One page of a box, awaiting files first in the inbox, newest first in the outbox."""

    items: list[FileOut]
    count: int = Field(description="How many files match, on every page.")
    next: str | None = Field(description="The URL of the next page, if there is one.")


class FilesQuery(Schema):
    box: Literal["inbox", "outbox"] = Field(
        "inbox", description="inbox: files sent to you; outbox: files you sent.")
    status: TransferStatus | None = Field(
        None, description="Only files in this state; every state when absent.")
    page: int = Field(1, ge=1, le=MAX_PAGE)


class RejectIn(Schema):
    reason: str = Field(description="Why, for the sender: the wrong school, say.")


def _summary(transfer: Transfer) -> dict:
    return {
        "id": transfer.pk, "name": transfer.name, "type": transfer.file_type,
        "source": transfer.source_code, "destination": transfer.delivered_code,
        "status": transfer.status, "pupils": transfer.pupil_count, "size": transfer.size,
        "uploaded_at": transfer.uploaded_at,
    }


def _detail(transfer: Transfer) -> dict:
    return {
        **_summary(transfer), "addressed_to": transfer.destination_code,
        "sha256": transfer.sha256, "warnings": findings_worded(transfer.warnings),
        "collected_at": transfer.collected_at, "rejected_at": transfer.rejected_at,
        "reject_reason": transfer.reject_reason,
    }


def _file_user(request: HttpRequest):
    """Return the caller if its role handles files at all; anyone else gets 404, as on pages."""
    user = request.auth
    if not (has_capability(user, Action.TRANSFER_FILES)
            or has_capability(user, Action.GENERIC_FILES)):
        raise Http404
    return user


def _box(user, box: str, status: str | None) -> QuerySet[Transfer]:
    statuses = (status,) if status else tuple(TransferStatus.values)
    if box == "outbox":
        return selectors.transfer_outbox(user=user).filter(status__in=statuses)
    # The inbox selector gives the CTFs or the generic zips; a connector wants one list.
    return (selectors.transfer_inbox(user=user, statuses=statuses)
            | selectors.transfer_inbox(user=user, generic=True, statuses=statuses))



@router.post("", response={201: UploadOut, 413: ErrorOut, **ERRORS}, summary="Upload a file")
def file_upload(request: HttpRequest, file: File[UploadedFile]):
    """Send one file; its name is the s2s file name (1112222_CTF_3334444_NNN.XML, ...)."""
    result = services.transfer_upload(user=_file_user(request), name=file.name, content=file,
                                      request=request)
    transfer = result.transfer
    return Status(201, {
        "id": transfer.pk, "name": transfer.name, "source": transfer.source_code,
        "destination": transfer.delivered_code, "status": transfer.status,
        "pupils": transfer.pupil_count, "warnings": findings_worded(result.warnings),
        "notes": result.notes,
        "uploaded_at": transfer.uploaded_at,
    })


@router.get("", response={200: FilesPage, **ERRORS}, summary="List a box")
def file_list(request: HttpRequest, filters: Query[FilesQuery]):
    """List the files sent to you (inbox) or by you (outbox), a page at a time."""
    files = _box(_file_user(request), filters.box, filters.status)
    count = files.count()
    start = (filters.page - 1) * PAGE_SIZE
    return {
        "items": [_summary(t) for t in files[start:start + PAGE_SIZE]],
        "count": count, "next": next_page_url(request, filters.page, count, PAGE_SIZE),
    }


@router.get("/{file_id}", response={200: FileDetailOut, **ERRORS}, summary="One file")
def file_detail(request: HttpRequest, file_id: FileId):
    """Show one file you sent or received: its state and its validation warnings."""
    return _detail(selectors.transfer_get(user=request.auth, pk=file_id))


CONTENT_DOC = {"responses": {200: {
    "description": "The exact bytes uploaded. `ETag` and `Repr-Digest` carry their SHA-256.",
    "content": {kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in ("application/xml", "application/zip")},
}}}


@router.get("/{file_id}/content", response={**ERRORS}, openapi_extra=CONTENT_DOC,
            summary="Download a file")
def file_content(request: HttpRequest, file_id: FileId):
    """Download a file sent to you, streamed and checked against its SHA-256 on the way."""
    transfer = selectors.transfer_get(user=request.auth, pk=file_id, action=Action.RECEIVE_FILES)
    name, stream = services.transfer_open_for_download(user=request.auth, transfer=transfer,
                                                       request=request)
    kind = "application/zip" if transfer.is_generic else "application/xml"
    response = download_response(stream, filename=name, content_type=kind)
    # A length lets the client tell a download cut short (a failed check) from a whole one.
    response["Content-Length"] = str(transfer.size)
    response["ETag"] = f'"{transfer.sha256}"'
    digest = base64.b64encode(bytes.fromhex(transfer.sha256)).decode()
    response["Repr-Digest"] = f"sha-256=:{digest}:"  # RFC 9530
    return response


@router.post("/{file_id}/collected", response={200: FileDetailOut, **ERRORS},
             summary="Mark a file collected")
def file_collected(request: HttpRequest, file_id: FileId):
    """Confirm a file sent to you was downloaded correctly; the sender is told."""
    transfer = selectors.transfer_get(user=request.auth, pk=file_id, action=Action.RECEIVE_FILES)
    return _detail(services.transfer_collect(user=request.auth, transfer=transfer,
                                             request=request))


@router.post("/{file_id}/reject", response={200: FileDetailOut, **ERRORS},
             summary="Reject a file")
def file_reject(request: HttpRequest, body: RejectIn,
                file_id: FileId):
    """Refuse a file sent to you, with the reason the sender is told."""
    transfer = selectors.transfer_get(user=request.auth, pk=file_id, action=Action.RECEIVE_FILES)
    return _detail(services.transfer_reject(user=request.auth, transfer=transfer,
                                            reason=body.reason, request=request))
