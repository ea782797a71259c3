"""Import the national establishment register's all-establishments CSV into the directory.

The register (Get Information about Schools in England; Wales's register publishes the same
columns) is the source of truth for what it holds: a re-import updates schools in place, so a
name a DBA changed comes back from the register. The email address and "active on the hub"
are not in the register and are never touched. A school is never deleted by an import unless
asked (`remove_missing`), and never when anything refers to it (users, files, successors).
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.audit.services import audit_record
from s2s.core.errors import ServiceError
from s2s.ctf.words import Text
from s2s.directory.models import Establishment, EstablishmentStatus, LocalAuthority, Nation
from s2s.directory.services import check_successor

REQUIRED_COLUMNS = [
    "URN", "LA (code)", "EstablishmentNumber", "EstablishmentName", "EstablishmentStatus (name)",
]
STATUS_OF_NAME = {
    "open": EstablishmentStatus.OPEN,
    "closed": EstablishmentStatus.CLOSED,
    "open, but proposed to close": EstablishmentStatus.OPEN_PROPOSED_TO_CLOSE,
    "proposed to open": EstablishmentStatus.PROPOSED_TO_OPEN,
}
WALES_LA_NUMBERS = range(660, 682)  # 660 Isle of Anglesey ... 681 Cardiff
# The fields the register owns, compared and written on every import.
REGISTER_FIELDS = [
    "urn", "name", "type", "phase", "town", "postcode", "phone", "status", "closed_on",
]
BATCH = 500


class ImportFailed(Exception):
    """The file cannot be imported at all (unreadable, or a column it needs is missing)."""


@dataclass
class Record:
    """One establishment as the register describes it."""

    line: int
    la_number: str
    la_name: str
    number: str
    values: dict

    @property
    def code(self) -> str:
        return f"{self.la_number}{self.number}"


@dataclass
class ImportReport:
    encoding: str = ""
    rows: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows with no establishment number: not schools that can send files
    las_created: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # missing from the file but still referred to
    successors: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "line 12: ..."
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict:
        return {
            "rows": self.rows, "added": len(self.added), "changed": len(self.changed),
            "closed": len(self.closed), "unchanged": self.unchanged, "skipped": self.skipped,
            "malformed": len(self.errors), "las_created": len(self.las_created),
            "successors": len(self.successors), "removed": len(self.removed),
            "kept": len(self.kept),
        }


class RowError(Exception):
    """A row that cannot be read; its message says which field is wrong."""


class SkipRow(Exception):
    """A row for an establishment that has no establishment number: nothing to import."""


def decode(data: bytes) -> tuple[str, str]:
    """Return the text and the encoding: UTF-8 (with or without BOM), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _rows(text: str, report: ImportReport) -> Iterator[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ImportFailed(
            _("This is not the register's all-establishments file: it has no column %(columns)s")
            % {"columns": ", ".join(repr(name) for name in missing)})
    reader.fieldnames = header
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            report.errors.append(_("line %(line)d: cannot be read as CSV (%(error)s)")
                                 % {"line": reader.line_num, "error": error})
            continue
        yield reader.line_num, row


def _field(row: dict, name: str, limit: int) -> str:
    return " ".join((row.get(name) or "").split())[:limit]


def _close_date(value: str) -> date | None:
    for pattern in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _phone(value: str) -> str:
    value = " ".join(value.split())[:30]
    # Spreadsheets drop the leading zero of a UK number stored as digits.
    if value.isdigit() and len(value) == 10 and not value.startswith("0"):
        return "0" + value
    return value


def _numbers(row: dict) -> tuple[str, str]:
    la_number = (row.get("LA (code)") or "").strip()
    number = (row.get("EstablishmentNumber") or "").strip()
    if not number or la_number == "000":
        raise SkipRow
    if len(la_number) != 3 or not la_number.isdigit():
        raise RowError(_("LA (code) '%(value)s' is not a 3-digit LA number")
                       % {"value": la_number})
    if not number.isdigit() or len(number) > 4:
        raise RowError(_("EstablishmentNumber '%(value)s' is not a school number of up to 4 "
                         "digits") % {"value": number})
    return la_number, number.zfill(4)


def parse_row(row: dict, line: int) -> Record:
    """Return the establishment a register row describes, or raise RowError saying what is wrong."""
    if None in row or any(value is None for value in row.values()):
        raise RowError(_("has a different number of fields from the header"))
    la_number, number = _numbers(row)
    urn = (row.get("URN") or "").strip()
    if not urn.isdigit():
        raise RowError(_("URN '%(value)s' is not a number") % {"value": urn})
    name = _field(row, "EstablishmentName", 200)
    if not name:
        raise RowError(_("EstablishmentName is empty"))
    status_name = (row.get("EstablishmentStatus (name)") or "").strip()
    status = STATUS_OF_NAME.get(status_name.lower())
    if status is None:
        raise RowError(_("EstablishmentStatus (name) '%(value)s' is not a status we know")
                       % {"value": status_name})
    closed_on = None
    if status == EstablishmentStatus.CLOSED:
        closed_on = _close_date(row.get("CloseDate") or "")
    return Record(
        line=line, la_number=la_number, number=number,
        la_name=_field(row, "LA (name)", 200),
        values={
            "urn": urn[:10], "name": name, "status": status, "closed_on": closed_on,
            "type": _field(row, "TypeOfEstablishment (name)", 120),
            "phase": _field(row, "PhaseOfEducation (name)", 80),
            "town": _field(row, "Town", 100),
            "postcode": _field(row, "Postcode", 10).upper(),
            "phone": _phone(row.get("TelephoneNum") or ""),
        },
    )


def _links_of_row(row: dict) -> Iterable[tuple[str, str]]:
    """Yield (school URN, its successor's URN) from a row's LinkURN and LinkType, if any."""
    urn, link_urn = (row.get("URN") or "").strip(), (row.get("LinkURN") or "").strip()
    link_type = (row.get("LinkType") or "").strip().lower()
    if not (urn.isdigit() and link_urn.isdigit()):
        return
    if link_type.startswith("successor"):
        yield urn, link_urn
    elif link_type.startswith("predecessor"):
        yield link_urn, urn


def _better(old: Record, new: Record) -> Record:
    """Of two rows with the same establishment number, keep the open school, else the later."""
    old_closed = old.values["status"] == EstablishmentStatus.CLOSED
    new_closed = new.values["status"] == EstablishmentStatus.CLOSED
    return old if (new_closed and not old_closed) else new


def read_records(
    text: str, report: ImportReport, progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> tuple[dict[str, Record], dict[str, str]]:
    """Parse the CSV: return records by 7-digit number and successor links by URN."""
    records: dict[str, Record] = {}
    links: dict[str, str] = {}
    for line, row in _rows(text, report):
        report.rows += 1
        if progress and report.rows % progress_every == 0:
            progress(report.rows)
        for school_urn, successor_urn in _links_of_row(row):
            links.setdefault(school_urn, successor_urn)
        try:
            record = parse_row(row, line)
        except SkipRow:
            report.skipped += 1
            continue
        except RowError as error:
            report.errors.append(_("line %(line)d: %(problem)s") % {"line": line,
                                                                    "problem": error})
            continue
        if record.code in records:
            earlier = records[record.code]
            report.warnings.append(
                _("line %(line)d: %(code)s is also on line %(earlier)d; keeping the open one (or "
                  "the later one)") % {"line": line, "code": record.code,
                                       "earlier": earlier.line})
            record = _better(earlier, record)
        records[record.code] = record
    return records, links


def read_links(text: str) -> dict[str, str]:
    """Parse a register links file (URN, LinkURN, LinkType): successor URN by school URN."""
    links: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text, newline="")):
        row = {(key or "").strip(): value for key, value in row.items()}
        for school_urn, successor_urn in _links_of_row(row):
            links.setdefault(school_urn, successor_urn)
    return links


def _nation(la_number: str) -> str:
    return Nation.WALES if int(la_number) in WALES_LA_NUMBERS else Nation.ENGLAND


def _ensure_las(records: Iterable[Record], report: ImportReport) -> dict[str, LocalAuthority]:
    las = {la.number: la for la in LocalAuthority.objects.all()}
    for record in records:
        if record.la_number not in las:
            la = LocalAuthority.objects.create(
                number=record.la_number, name=record.la_name or f"LA {record.la_number}",
                nation=_nation(record.la_number),
            )
            las[la.number] = la
            report.las_created.append(str(la))
    return las


def _write_establishments(
    records: dict[str, Record], las: dict[str, LocalAuthority], report: ImportReport,
) -> None:
    schools = Establishment.objects.only("id", "code", *REGISTER_FIELDS)
    existing = {school.code: school for school in schools}
    now = timezone.now()
    new, updated = [], []
    for code, record in records.items():
        school = existing.get(code)
        if school is None:
            la = las[record.la_number]
            new.append(Establishment(la=la, number=record.number, code=code, **record.values))
            report.added.append(f"{code} {record.values['name']}")
            continue
        changed = [name for name in REGISTER_FIELDS if getattr(school, name) != record.values[name]]
        if not changed:
            report.unchanged += 1
            continue
        was_open = school.is_open
        for name in changed:
            setattr(school, name, record.values[name])
        school.updated_at = now
        updated.append(school)
        if was_open and not school.is_open:
            report.closed.append(f"{code} {school.name}")
        else:
            report.changed.append(f"{code} {school.name}: {', '.join(changed)}")
    Establishment.objects.bulk_create(new, batch_size=BATCH)
    Establishment.objects.bulk_update(updated, [*REGISTER_FIELDS, "updated_at"], batch_size=BATCH)


def _is_referred_to(school: Establishment) -> bool:
    """Return whether anything (users, files, predecessors, ...) points at this school."""
    for relation in Establishment._meta.related_objects:
        related = relation.related_model._default_manager.filter(**{relation.field.name: school})
        if related.exists():
            return True
    return False


def _remove_missing(records: dict[str, Record], report: ImportReport) -> None:
    la_numbers = {record.la_number for record in records.values()}
    missing = Establishment.objects.filter(la__number__in=la_numbers).exclude(code__in=records)
    for school in missing.order_by("code"):
        if not _is_referred_to(school):
            report.removed.append(str(school))
            school.delete()
        elif school.is_open:
            school.status = EstablishmentStatus.CLOSED
            school.save(update_fields=["status", "updated_at"])
            report.kept.append(_("%(school)s (closed: not in the register, but has users or "
                                 "files)") % {"school": school})


def _write_successors(links: dict[str, str], report: ImportReport) -> None:
    urns = set(links) | set(links.values())
    by_urn = {
        school.urn: school
        for school in Establishment.objects.filter(urn__in=urns).select_related("successor")
    }
    for urn, successor_urn in links.items():
        school, successor = by_urn.get(urn), by_urn.get(successor_urn)
        if school is None or successor is None or school.successor_id == successor.pk:
            continue
        try:
            check_successor(school, successor)
        except ServiceError as error:
            report.warnings.append(_("successor of %(code)s not set: %(problem)s")
                                   % {"code": school.code, "problem": error.message})
            continue
        school.successor = successor
        school.save(update_fields=["successor", "updated_at"])
        report.successors.append(f"{school.code} → {successor.code}")


def import_establishments(
    path: Path | str, *, links_path: Path | str | None = None, remove_missing: bool = False,
    progress: Callable[[int], None] | None = None, progress_every: int = 1000,
) -> ImportReport:
    """Read the register's CSV (and optionally its links file) and bring the directory in line."""
    report = ImportReport()
    try:
        text, report.encoding = decode(Path(path).read_bytes())
        links_text = decode(Path(links_path).read_bytes())[0] if links_path else ""
    except OSError as error:
        raise ImportFailed(_("Cannot read the file: %(error)s") % {"error": error}) from error
    records, links = read_records(text, report, progress, progress_every)
    if links_text:
        links.update({k: v for k, v in read_links(links_text).items() if k not in links})
    with transaction.atomic():
        las = _ensure_las(records.values(), report)
        _write_establishments(records, las, report)
        if remove_missing:
            _remove_missing(records, report)
        _write_successors(links, report)
        audit_record(
            action="directory.import", actor_username="s2s import_establishments",
            summary=Text(gettext_noop("Imported the establishment register from %(file)s"),
                         file=Path(path).name),
            detail=report.counts(),
        )
    return report
