"""Upload: one file checked, addressed, stored encrypted and recorded, or refused whole."""

import hashlib
import json
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO

from django.db import connection
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.accounts.policy import Action, has_capability
from s2s.agencies.agreements import exchange_allowed
from s2s.agencies.jobs import job_check
from s2s.audit.services import audit_record_with
from s2s.core import taskqueue
from s2s.core.errors import ServiceError
from s2s.core.metrics import count_upload
from s2s.core.prepared import PreparedRead
from s2s.ctf.errors import CTFError
from s2s.ctf.hostile import check_safe_xml
from s2s.ctf.names import FileName, parse_name
from s2s.ctf.reader import PupilIndex
from s2s.ctf.validate import Finding, Report, validate_ctf
from s2s.ctf.words import Text
from s2s.lostpupils.services.intake import lost_pupil_intake
from s2s.transfers.addressing import (
    NOT_LOOKED,
    Destination,
    Sender,
    destination_for,
    sender_for,
)
from s2s.transfers.models import Transfer, TransferPupil, TransferStatus
from s2s.transfers.services.notify import transfer_notify_queue
from s2s.transfers.storage import atomic_with_files, stored_file_new
from s2s.transfers.zipchecks import zip_archive_check, zip_size_check, zip_size_limit

CHUNK = 64 * 1024
# Up to this much of an upload stays in memory while it is checked; more goes to a temp file.
SPOOL_MEMORY = 1 << 20
# Statutory returns that are not in the CTF format (census, exclusions, finance): the hub
# checks they are safe, well-formed XML and carries them; it indexes no pupils from them.
NOT_CTF_FORMAT = frozenset({"PLAS", "EXC", "CFR"})
MAX_REFUSAL_ERRORS = 3


@dataclass(frozen=True, slots=True)
class UploadResult:
    """An accepted upload: the transfer, its validation warnings, and what the sender is told."""

    transfer: Transfer
    warnings: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Checked:
    pupils: list[PupilIndex] = field(default_factory=list)
    pupil_count: int = 0
    warnings: list[Finding] = field(default_factory=list)
    version: str = ""
    document_qualifier: str = ""
    data_qualifier: str = ""


def _refuse(message: str, code: str) -> ServiceError:
    return ServiceError(message, code=code, field="file")


def _parse(name: str) -> FileName:
    try:
        return parse_name(name=name)
    except CTFError as error:
        raise _refuse(_("The file name is not one s2s can deliver: %(problem)s")
                      % {"problem": error.words(_)}, "file_name") from None


def _check_type_allowed(user, parsed: FileName) -> None:
    if parsed.extension == "ZIP" and not has_capability(user, Action.GENERIC_FILES):
        raise _refuse(_("Your role cannot send generic zip files."), "type_not_allowed")
    if parsed.extension != "ZIP" and not has_capability(user, Action.TRANSFER_FILES):
        raise _refuse(_("Your role cannot send %(type)s files.")
                      % {"type": _(parsed.file_type.title.template)}, "type_not_allowed")


def _spool(content: IO[bytes], limit: int | None) -> tuple[IO[bytes], int, str]:
    """Copy the upload once into a spool, with its size and SHA-256; stop past `limit`."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)
    digest = hashlib.sha256()
    size = 0
    while chunk := content.read(CHUNK):
        spool.write(chunk)
        digest.update(chunk)
        size += len(chunk)
        if limit is not None and size > limit:
            break  # the size check refuses it; no need to read the rest
    spool.seek(0)
    return spool, size, digest.hexdigest()


def _check_ctf(spool: IO[bytes], name: str) -> _Checked:
    report: Report = validate_ctf(source=spool, file_name=name, today=date.today())
    if report.errors:
        problems = "; ".join(e.as_text(_) for e in report.errors[:MAX_REFUSAL_ERRORS])
        raise _refuse(_("The file was refused: %(problems)s") % {"problems": problems},
                      report.errors[0].code)
    header = report.header
    return _Checked(
        pupils=report.pupils, pupil_count=report.pupil_count, warnings=report.warnings,
        version=header.version or "", document_qualifier=header.document_qualifier or "",
        data_qualifier=header.data_qualifier or "",
    )


def _check_plain_xml(spool: IO[bytes], parsed: FileName) -> _Checked:
    """Refuse a statutory return that is not safe, well-formed UTF-8 XML (the CTF guard's rules).

    Whatever the file type: no DTD (from the parser's own report), no entity, nothing loaded,
    UTF-8 only (issue 20).
    """
    try:
        check_safe_xml(source=spool, document=_("a file of the type “%(type)s”")
                       % {"type": _(parsed.file_type.title.template)})
    except CTFError as error:
        raise _refuse(_("The file was refused: %(problem)s") % {"problem": error.words(_)},
                      error.code) from None
    return _Checked()


def _check_content(spool: IO[bytes], size: int, parsed: FileName, sender: Sender,
                   destination: Destination, name: str) -> _Checked:
    if parsed.extension == "ZIP":
        zip_size_check(size=size, from_la=sender.is_la)
        zip_archive_check(content=spool, size=size)
        spool.seek(0)
        job = job_check(free_text=parsed.free_text, content=spool, source_code=sender.code,
                        source_agency=sender.agency,
                        destination_code=destination.delivered_code,
                        destination_agency=destination.agency)
        # A named job's pupils are indexed like a CTF's, so its downloads audit their UPNs.
        return _Checked(pupils=job.pupils, pupil_count=len(job.pupils)) if job else _Checked()
    if parsed.file_type.code in NOT_CTF_FORMAT:
        return _check_plain_xml(spool, parsed)
    return _check_ctf(spool, name)


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y H:i")


@dataclass(frozen=True, slots=True)
class _Earlier:
    """An identical file uploaded before to the same destination: what the sender is told."""

    pk: int
    name: str
    uploaded_at: datetime
    status: str

    @property
    def status_label(self) -> str:
        return TransferStatus(self.status).label


_EARLIER_FIELDS = ("pk", "name", "uploaded_at", "status")


def _duplicate_query(kind, establishment_id, la_id, mailbox, agency_id, sha256, *, key):
    """Return the newest identical file held for one destination (its shape: `key`)."""
    nulls = key  # which of the destination's places are None: `IS NULL` in the SQL
    places = {"establishment": establishment_id, "la": la_id, "agency": agency_id}
    return (
        Transfer.objects.identical_held(
            sha256=sha256, kind=kind, mailbox=mailbox,
            **{name: None if name in nulls else value for name, value in places.items()})
        .values_list(*_EARLIER_FIELDS)[:1]
    )


# Every upload asks one of them; compiled once per shape (core/prepared.py).
_DUPLICATE = PreparedRead(_duplicate_query)
_EARLIER = PreparedRead(
    lambda pk: Transfer.objects.filter(pk=pk).order_by().values_list(*_EARLIER_FIELDS)[:1])


def _duplicate_of(destination: Destination, sha256: str) -> _Earlier | None:
    """Return an identical file still held for the same destination; refuse one awaiting.

    An identical file that is still awaiting download is refused (issue 4: not stored twice);
    one already collected or rejected is accepted again and flagged, since the destination
    may well need it again (a lost import, a rejection sorted out by phone).
    """
    if destination.identical_id is NOT_LOOKED:
        lookup = destination.lookup()
        places = {"establishment": lookup["destination_establishment"],
                  "la": lookup["destination_la"], "agency": lookup["destination_agency"]}
        nulls = frozenset(name for name, place in places.items() if place is None)
        # A place that is None is left out of the SQL (IS NULL): any int stands in for it.
        ids = [place.pk if place is not None else 0 for place in places.values()]
        row = _DUPLICATE.first(lookup["destination_kind"], ids[0], ids[1],
                               lookup["destination_mailbox"], ids[2], sha256, key=nulls)
    elif destination.identical_id is None:  # the school's read found none (addressing.py)
        row = None
    else:
        row = _EARLIER.first(destination.identical_id)
    earlier = _Earlier(*row) if row is not None else None
    if earlier is not None and earlier.status == TransferStatus.AWAITING:
        raise _refuse(
            _("This file is identical to %(name)s, uploaded on %(when)s to the same "
              "destination and still awaiting download: it has not been sent again.")
            % {"name": earlier.name, "when": _when(earlier.uploaded_at)}, "duplicate",
        )
    return earlier


def _notes(destination: Destination, duplicate: _Earlier | None) -> list[str]:
    notes = []
    if destination.redirected_from is not None:
        closed, school = destination.redirected_from, destination.establishment
        notes.append(
            _("%(closed)s %(closed_name)s is closed: the file was delivered to its successor, "
              "%(code)s %(name)s.") % {"closed": closed.code, "closed_name": closed.name,
                                      "code": school.code, "name": school.name}
        )
    if destination.kind not in ("school", "la_mailbox", "agency"):
        notes.append(_("The file was sent to the Lost Pupil Database."))
    if duplicate is not None:
        notes.append(
            _("Flagged: this file is identical to %(name)s, uploaded on %(when)s and %(status)s.")
            % {"name": duplicate.name, "when": _when(duplicate.uploaded_at),
               "status": str(duplicate.status_label).lower()}
        )
    return notes


def _parsed_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


_PUPIL_TEXT = ("upn", "former_upn", "uln", "surname", "forename", "middle_names",
               "preferred_surname", "preferred_forename", "former_surname", "sex", "postcode",
               "town", "nc_year", "leaving_reason")
# Rows a batch holds where the database limits a statement's parameters (SQLite).
_PUPIL_BATCH = 500


def _pupil_rows(pupils: list[PupilIndex]) -> list[tuple]:
    """Return each pupil's column values but the transfer's, cut to their fields' lengths."""
    lengths = [TransferPupil._meta.get_field(name).max_length for name in _PUPIL_TEXT]
    adapt = connection.ops.adapt_datefield_value
    return [
        (pupil.position, adapt(_parsed_date(pupil.dob)), adapt(_parsed_date(pupil.leaving_date)),
         *((getattr(pupil, name) or "")[:length] for name, length in zip(_PUPIL_TEXT, lengths,
                                                                          strict=True)))
        for pupil in pupils
    ]


_PUPIL_COLUMNS = ("position", "dob", "leaving_date", *_PUPIL_TEXT)


def _pupils_then(transfer: Transfer, rows: list[tuple]) -> tuple | None:
    """Return the pupils' INSERT to run in the transfer's statement (PostgreSQL), if any.

    The pupils are plain values the reader checked, so the ORM's per-object work
    (bulk_create builds a model and prepares every field of every pupil) buys nothing here:
    it cost about as much CPU as the rest of the upload's writes together. They go as one
    JSON document, read as the table's own row type: SQL that is the same for every upload
    (a VALUES list of 20 pupils is 360 placeholders, which psycopg split again on every
    upload: 2 ms of CPU; issue 18).
    """
    if not rows or connection.vendor != "postgresql":
        return None
    table, names, transfer_id = _pupil_sql_names()
    document = json.dumps([dict(zip(_PUPIL_COLUMNS, row, strict=True)) for row in rows],
                          default=date.isoformat)
    return (transfer,
            f"INSERT INTO {table} ({transfer_id}, {names}) SELECT new_row.id, {names} "
            f"FROM new_row, json_populate_recordset(NULL::{table}, %s::json)", [document])


def _pupil_sql_names() -> tuple[str, str, str]:
    quote = connection.ops.quote_name
    return (quote(TransferPupil._meta.db_table),
            ", ".join(quote(column) for column in _PUPIL_COLUMNS), quote("transfer_id"))


def _pupils_insert(transfer: Transfer, rows: list[tuple]) -> None:
    """Insert the pupils' rows off PostgreSQL: a statement per 500, within its parameter limit."""
    table, names, transfer_id = _pupil_sql_names()
    one = "(" + ", ".join(["%s"] * (len(_PUPIL_COLUMNS) + 1)) + ")"
    limit = connection.features.max_query_params
    batch = min(_PUPIL_BATCH, limit // (len(_PUPIL_COLUMNS) + 1)) if limit else _PUPIL_BATCH
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start:start + batch]
            cursor.execute(
                f"INSERT INTO {table} ({transfer_id}, {names}) VALUES "
                + ", ".join([one] * len(chunk)),
                [value for row in chunk for value in (transfer.pk, *row)],
            )


def _written_alone(transfer: Transfer) -> bool:
    """Whether the upload's rows are all it writes, so one statement commits them by itself.

    On PostgreSQL with the tasks on Redis (the notice is pushed after the commit) for a file
    that goes to a school, LA mailbox or agency: the Lost Pupil Database's intake, a generic
    zip's "no notice" mark and the database queue's task row are writes of their own, which
    must commit with the rows.
    """
    return (connection.vendor == "postgresql" and taskqueue.uses_redis()
            and not transfer.is_lost_pupil and not transfer.is_generic)


def _record(*, user, name: str, parsed: FileName, sender: Sender, destination: Destination,
            spool: IO[bytes], size: int, sha256: str, checked: _Checked,
            duplicate: _Earlier | None, request) -> Transfer:
    """Store the file and write its row, pupils and audit record: all of them or none.

    On PostgreSQL the stored file's row, the transfer's, its pupils' and the audit record
    are one statement (`audit_record_with`): each was a round trip of its own, and where
    nothing else is written it commits by itself, without BEGIN and COMMIT (issue 18).
    """
    transfer = Transfer(
        name=name, file_type=parsed.file_type.code, source_code=sender.code,
        source_establishment=sender.establishment, source_la=sender.la,
        source_mailbox=sender.mailbox, source_agency=sender.agency,
        destination_code=destination.code,
        **destination.lookup(), redirected_from=destination.redirected_from,
        uploaded_by=user, size=size, sha256=sha256,
        pupil_count=checked.pupil_count, ctf_version=checked.version[:8],
        document_qualifier=checked.document_qualifier[:16],
        data_qualifier=checked.data_qualifier[:32],
        warnings=[finding.as_dict() for finding in checked.warnings],
        duplicate_of_id=duplicate.pk if duplicate is not None else None,
    )
    pupils = _pupil_rows(checked.pupils)
    alone = _written_alone(transfer)
    with atomic_with_files(single_statement=alone):
        transfer.stored_file = stored = stored_file_new(content=spool, name_hint=name,
                                                        sha256=sha256)
        then = _pupils_then(transfer, pupils)
        # The audit record is linked into the hash chain by its follower after the commit
        # (audit/chain.py).
        audit_record_with(
            [(stored, {}), (transfer, {"stored_file_id": stored})], then=then,
            action="transfer_upload", actor=user, obj=transfer, request=request,
            summary=Text(gettext_noop("%(name)s to %(code)s"), name=transfer.name,
                         code=destination.delivered_code),
            detail={"name": transfer.name, "to": destination.delivered_code,
                    "upns": [p.upn for p in checked.pupils if p.upn]},
        )
        if not alone:
            if pupils and then is None:
                _pupils_insert(transfer, pupils)
            if transfer.is_lost_pupil:
                lost_pupil_intake(transfer=transfer)
            transfer_notify_queue(transfer=transfer)
    if alone:
        transfer_notify_queue(transfer=transfer)  # pushed now: the rows have committed
    # Its emails, and for a CTF delivered to a school its pupils' arrival there (a CME case's
    # child), are the worker's, after the commit (services/notify.py).
    count_upload()
    return transfer


def transfer_upload(*, user, name: str, content: IO[bytes], request=None) -> UploadResult:
    """Accept one uploaded file for delivery, or refuse it with a reason a person can act on.

    The name says who from, to whom and what (seed 003, appendix 2); the source must be the
    uploader's own place. A CTF is validated (errors refuse, warnings are kept and shown);
    a generic zip is size-limited and checked; a closed school's file goes to its successor.
    A file to or from an agency goes only where an exchange agreement in force allows, and a
    named job's zip must hold its valid CSV (`s2s.agencies`).
    The upload is read once into a spool, checked, then encrypted: it lands whole, with its
    row, pupils and audit record, or leaves nothing.
    """
    name = re.split(r"[\\/]", name)[-1]  # a browser may send a path
    parsed = _parse(name)
    _check_type_allowed(user, parsed)
    sender = sender_for(user=user, name=parsed)
    limit = zip_size_limit(from_la=sender.is_la) if parsed.extension == "ZIP" else None
    spool, size, sha256 = _spool(content, limit)
    with spool:
        # Read with the content's hash: a school's read brings the duplicate check's answer.
        destination = destination_for(name=parsed, sha256=sha256)
        exchange_allowed(source_code=sender.code, source_agency=sender.agency,
                         destination_code=destination.delivered_code,
                         destination_agency=destination.agency)
        checked = _check_content(spool, size, parsed, sender, destination, name)
        duplicate = _duplicate_of(destination, sha256)
        spool.seek(0)
        transfer = _record(user=user, name=name, parsed=parsed, sender=sender,
                           destination=destination, spool=spool, size=size, sha256=sha256,
                           checked=checked, duplicate=duplicate, request=request)
    return UploadResult(
        transfer=transfer, warnings=transfer.warnings, notes=_notes(destination, duplicate)
    )
