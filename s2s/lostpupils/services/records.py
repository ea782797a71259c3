"""What an LA does with a record: search, view, attested download, forward, remove.

Seed 003, 4.1-4.2 and 1.3. Each service asks the policy, writes its audit record and queues
its emails in one transaction. The search and view are audited because they show pupil data.
"""

import io
from collections.abc import Iterator

from django.core.paginator import Page
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.accounts.policy import Action, get_for, has_capability, transfer_box
from s2s.audit.services import audit_record
from s2s.core.errors import ServiceError
from s2s.core.text import text_required
from s2s.ctf.words import Text
from s2s.directory.models import Establishment
from s2s.lostpupils import emails
from s2s.lostpupils.models import LostPupilRecord, RecordStatus
from s2s.lostpupils.search import Criteria, criteria_refusal, search_records
from s2s.transfers.deleted import LPD_REMOVED, delete_reason
from s2s.transfers.models import Transfer
from s2s.transfers.services.forward import (
    forwarded_name,
    readdressed,
    school_code,
    stored_content,
)
from s2s.transfers.services.upload import transfer_upload
from s2s.transfers.storage import atomic_with_files, stored_file_open

MAX_REASON = 1000


def _refuse(message: str, code: str, field: str | None = None) -> ServiceError:
    return ServiceError(message, code=code, field=field)


def _locked(user, record: LostPupilRecord, action: str) -> LostPupilRecord:
    """Return the record again, locked, if the user may do this to it (else Http404)."""
    queryset = LostPupilRecord.objects.select_for_update(of=("self",)).select_related(
        "transfer", "transfer__stored_file", "uploading_la", "uploading_school")
    return get_for(user, queryset, action, pk=record.pk)


def _facts(record: LostPupilRecord) -> dict:
    return {"record": record.pk, "file": record.transfer.name, "upn": record.upn}


def lost_pupil_search(*, user, criteria: Criteria, sort: str = "score", page=1,
                      per_page: int | None = None, request=None) -> Page:
    """Return a page of ranked records for these criteria; audit the search and its criteria.

    The LPD is national: every LA's records are searched (issue 5).
    """
    if not has_capability(user, Action.SEARCH_LPD):
        raise _refuse(_("Your role cannot search the Lost Pupil Database."), "not_allowed")
    refusal = criteria_refusal(criteria)
    if refusal is not None:
        raise refusal
    options = {"per_page": per_page} if per_page else {}
    page_found = search_records(criteria, sort=sort, page=page, **options)
    audit_record(action="lpd_search", actor=user, request=request,
                 summary=Text(gettext_noop("%(count)s found"), count=page_found.paginator.count),
                 detail={"criteria": criteria.as_audit(), "found": page_found.paginator.count,
                         "shown": [hit.id for hit in page_found.object_list]})
    return page_found


def lost_pupil_view(*, user, record: LostPupilRecord, request=None) -> None:
    """Audit that this user saw this record's details (seed 003, 4.1: the chosen file)."""
    audit_record(action="lpd_view", actor=user, obj=record, request=request,
                 summary=record.transfer.name, detail=_facts(record))


def lost_pupil_open_for_download(*, user, record: LostPupilRecord, attested: bool,
                                 request=None) -> tuple[str, Iterator[bytes]]:
    """Return the file's name and verified content, once the user has attested; audit it.

    Seed 003, 4.1: the user confirms "reasonable steps to ensure that the pupil ... is on roll
    at a school in your LEA"; without that tick there is no download.
    """
    with transaction.atomic():
        record = _locked(user, record, Action.DOWNLOAD_LPD)
        if not attested:
            raise _refuse(_("Confirm that you have taken reasonable steps to ensure this pupil "
                            "is on roll at a school in your LA"), "not_attested", "attest")
        stored = record.transfer.stored_file
        if stored is None:
            raise _refuse(_("The file is no longer held."), "gone")
        reader = stored_file_open(stored)
        audit_record(action="lpd_download", actor=user, obj=record, request=request,
                     summary=record.transfer.name, detail={**_facts(record), "attested": True})
    return record.transfer.name, reader


def _mark_found(record: LostPupilRecord, user, now, forwarded_to: str = "") -> None:
    """Mark the record downloaded by the user's LA; tell the uploading LA, once."""
    first_time = record.status == RecordStatus.OPEN
    record.status = RecordStatus.DOWNLOADED
    record.downloaded_by, record.downloaded_at, record.downloaded_la_id = user, now, user.la_id
    record.forwarded_to = forwarded_to or record.forwarded_to
    record.save(update_fields=["status", "downloaded_by", "downloaded_at", "downloaded_la",
                               "forwarded_to"])
    if first_time:
        emails.send_resolved(record=record)


def lost_pupil_confirm_download(*, user, record: LostPupilRecord, request=None
                                ) -> LostPupilRecord:
    """Record that the file downloaded correctly: the record is downloaded (who, when, LA).

    The uploading LA is told that the case is resolved (seed 003, 7.5: "pupils now
    downloaded" resolve children missing education cases).
    """
    with transaction.atomic():
        record = _locked(user, record, Action.DOWNLOAD_LPD)
        _mark_found(record, user, timezone.now())
        audit_record(action="lpd_downloaded", actor=user, obj=record, request=request,
                     summary=record.transfer.name, detail=_facts(record))
    return record


def lost_pupil_found(*, user, record: LostPupilRecord, school: Establishment, request=None
                     ) -> LostPupilRecord:
    """Mark the record found by the user's LA: the child is on the roll of `school`.

    The matcher's accepted pair (issue 15): the record is marked downloaded by the user's LA
    (who, when) as a download would, so nobody else searches for the child, and the uploading
    LA is told the case is resolved; the school where the child was found is in the audit
    trail. The file stays held, for a transfer officer to forward to the school.
    """
    with transaction.atomic():
        record = _locked(user, record, Action.SEARCH_LPD)
        _mark_found(record, user, timezone.now())
        audit_record(action="lpd_found", actor=user, obj=record, request=request,
                     summary=Text(gettext_noop("%(name)s found at %(code)s"),
                                  name=record.transfer.name, code=school.code),
                     detail={**_facts(record), "school": school.code})
    return record


def _own_school(user, to: str) -> Establishment:
    school = Establishment.objects.filter(code=to).first()
    if school is None or school.la_id != user.la_id:
        raise _refuse(_("Enter the establishment number of a school in your LA, for example "
                        "%(example)s.") % {"example": f"{user.la.number}4512"}, "not_own_school",
                      "to")
    return school


def lost_pupil_forward(*, user, record: LostPupilRecord, to: str, request=None) -> Transfer:
    """Send the record's CTF to a school of the user's LA in one step; return the new file.

    Seed 003, 4.2, without the download and re-upload: the CTF is re-addressed (its header's
    destination only) and delivered from the LA's mailbox as `333LLLL_CTF<school>_NNN.XML`
    through `transfer_upload`, so the school is told as for any CTF. The record is marked
    downloaded by the LA, and the uploading LA told the case is resolved.
    """
    to = school_code(to)
    _own_school(user, to)
    box = transfer_box(user)
    if box is None:
        raise _refuse(_("Your account has no mailbox to forward files from."), "no_mailbox")
    with atomic_with_files():
        record = _locked(user, record, Action.DOWNLOAD_LPD)
        if record.transfer.stored_file_id is None:
            raise _refuse(_("The file is no longer held."), "gone", "file")
        content = readdressed(content=stored_content(record.transfer), destination=to)
        name = forwarded_name(box=box, destination=to, original=record.transfer.name)
        new = transfer_upload(user=user, name=name, content=io.BytesIO(content),
                              request=request).transfer
        _mark_found(record, user, timezone.now(), forwarded_to=to)
        audit_record(action="lpd_forward", actor=user, obj=record, request=request,
                     summary=Text(gettext_noop("%(old)s forwarded to %(to)s as %(new)s"),
                                  old=record.transfer.name, to=str(to), new=new.name),
                     detail={**_facts(record), "to": to, "name": new.name,
                             "transfer": new.pk})
    return new


def lost_pupil_remove(*, user, record: LostPupilRecord, reason: str, request=None
                      ) -> LostPupilRecord:
    """Remove a record the user's LA's schools uploaded, once the destination is known.

    Seed 003, 1.3. The file and the pupil's details go; the record stays as `removed`, with
    the reason, and the audit trail keeps the UPN.
    """
    from s2s.lostpupils.services.purge import erase

    reason = text_required(
        reason, field="reason", code="reason", limit=MAX_REASON, label=_("reason"),
        blank=_("Enter why the record is removed, for example where the pupil went"))
    with transaction.atomic():
        record = _locked(user, record, Action.REMOVE_LPD)
        facts = _facts(record)
        now = timezone.now()
        record.status, record.removed_by, record.removed_at = RecordStatus.REMOVED, user, now
        record.remove_reason = reason
        record.save(update_fields=["status", "removed_by", "removed_at", "remove_reason"])
        erase(record, now=now, reason=delete_reason(LPD_REMOVED, reason=reason), user=user)
        audit_record(action="lpd_remove", actor=user, obj=record, request=request,
                     summary=Text(gettext_noop("%(file)s, reason given: %(reason)s"),
                                  file=facts["file"], reason=reason),
                     detail={**facts, "reason": reason})
    return record


def lost_pupil_list_viewed(*, user, records, request=None) -> None:
    """Audit that this user saw a list of its schools' records (their UPNs are shown)."""
    audit_record(action="lpd_la_records_view", actor=user, request=request,
                 summary=Text(gettext_noop("%(count)s records"), count=len(records)),
                 detail={"records": [r.pk for r in records],
                         "upns": [r.upn for r in records if r.upn]})
