"""One adapter per format: JSON, CSV and CTF bodies read into the same `FeedInput`.

Every adapter gives, for the same data, the same records: plain dicts of text keyed by the
JSON field names, each with its `index` (the position in the feed: the item's place in the
JSON list or the CTF, or the CSV line). Checking and storing them is the services' job, so a
record means the same whatever format carried it.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from s2s.core.errors import ServiceError
from s2s.ctf.errors import CTFError
from s2s.ctf.reader import CTFReader
from s2s.ctf.records import pupil_from_element
from s2s.feeds.codes import NO_MARK, split_marks
from s2s.feeds.models import FeedFormat, FeedKind

ROLL_FIELDS = (
    "upn", "former_upn", "surname", "forename", "middle_names", "preferred_surname",
    "former_surname", "dob", "sex", "postcode", "town", "nc_year", "entry_date",
    "leaving_date", "leaving_reason", "destination", "registration", "home_la",
)
MARK_FIELDS = ("upn", "date", "session", "code")
EXCLUSION_FIELDS = ("upn", "category", "start_date", "sessions", "reasons", "rescinded")
FIELDS = {FeedKind.ROLL: ROLL_FIELDS, FeedKind.ATTENDANCE: MARK_FIELDS,
          FeedKind.EXCLUSIONS: EXCLUSION_FIELDS}
# The list each kind's JSON body holds its records in.
LIST_KEY = {FeedKind.ROLL: "pupils", FeedKind.ATTENDANCE: "marks",
            FeedKind.EXCLUSIONS: "exclusions"}


class FeedUnreadable(ServiceError):
    """The body is not a feed at all: not JSON, CSV or CTF of the kind sent."""

    def __init__(self, message: str):
        super().__init__(message, code="feed_unreadable")


@dataclass
class FeedInput:
    """What a feed says, whatever its format: the school, and its records as text."""

    format: str
    school: str | None
    full: bool = False
    records: list[dict] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_text(v) for v in value)
    return str(value)


def _record(raw: dict, fields: tuple[str, ...], index: int) -> dict:
    get = raw.get
    record = {name: v if type(v) is str else _text(v)  # most values are text already
              for name in fields for v in (get(name),)}
    record["index"] = index
    return record


def read_json(*, kind: str, content: bytes) -> FeedInput:
    """Read a JSON feed: `{"school", ["full",] "pupils" | "marks" | "exclusions": [...]}`."""
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise FeedUnreadable(_("The feed is not valid JSON.")) from None
    key = LIST_KEY[kind]
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise FeedUnreadable(_("A %(kind)s feed is a JSON object with a list \"%(key)s\".")
                             % {"kind": kind, "key": key})
    fields = FIELDS[kind]
    records = body[key]
    # In place: each parsed item is freed as its record is made (a term is 180,000 items).
    for index, item in enumerate(records):
        records[index] = _record(item if isinstance(item, dict) else {}, fields, index)
    school = body.get("school")
    return FeedInput(FeedFormat.JSON, str(school) if school is not None else None,
                     full=body.get("full") is True, records=records)


def read_csv(*, kind: str, content: bytes, school: str | None, full: bool = False) -> FeedInput:
    """Read a CSV feed: a header row of the JSON field names, then one record a row."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FeedUnreadable(_("The CSV feed is not UTF-8 text.")) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in reader.fieldnames or []]
    except csv.Error:
        raise FeedUnreadable(_("The feed is not CSV.")) from None
    if "upn" not in header:
        raise FeedUnreadable(_("The CSV feed's first row must name its columns, upn among them."))
    reader.fieldnames = header
    fields = FIELDS[kind]
    records = []
    try:
        for row in reader:
            records.append(_record(row, fields, reader.line_num))
    except csv.Error as exc:
        raise FeedUnreadable(_("The CSV feed cannot be read: %(error)s") % {"error": exc}) from None
    return FeedInput(FeedFormat.CSV, school, full=full, records=records)


def _roll_record(element, position: int) -> dict:
    pupil = pupil_from_element(element=element)
    school = pupil.schools[-1] if pupil.schools else None
    address = pupil.address
    return _record({
        "upn": pupil.upn, "former_upn": pupil.former_upn, "surname": pupil.surname,
        "forename": pupil.forename, "middle_names": pupil.middle_names,
        "preferred_surname": pupil.preferred_surname, "former_surname": pupil.former_surname,
        "dob": pupil.dob, "sex": pupil.sex, "postcode": address.postcode if address else None,
        "town": address.town if address else None, "nc_year": pupil.nc_year,
        "entry_date": school.entry_date if school else None,
        "leaving_date": school.leaving_date if school else None,
        "leaving_reason": school.leaving_reason if school else None,
    }, ROLL_FIELDS, position)


def _mark_records(element, position: int) -> list[dict]:
    """Return one record per session of the pupil's mark strings (no record for `-`).

    A CTF's `Attendance/YearData` holds `AttendanceMarks`, one code per session from its
    start date (`StartDate`, or `AttendanceStartDate`): morning then afternoon of each
    calendar day in turn.
    """
    upn = element.findtext("UPN") or ""
    records = []
    for year in element.iterfind("Attendance/YearData"):
        start = (year.findtext("StartDate") or year.findtext("AttendanceStartDate") or "").strip()
        marks = (year.findtext("AttendanceMarks") or "").strip()
        if not marks:
            continue
        try:
            first = date.fromisoformat(start)
        except ValueError:
            records.append(_record({"upn": upn, "date": start, "session": "AM",
                                    "code": marks[:2]}, MARK_FIELDS, position))
            continue
        for n, code in enumerate(split_marks(marks)):
            if code == NO_MARK:
                continue
            day = first + timedelta(days=n // 2)
            records.append(_record({"upn": upn, "date": day.isoformat(),
                                    "session": "PM" if n % 2 else "AM", "code": code},
                                   MARK_FIELDS, position))
    return records


def read_ctf(*, kind: str, content: bytes) -> FeedInput:
    """Read the roll, or the attendance mark strings, of a CTF through the CTF library."""
    if kind == FeedKind.EXCLUSIONS:
        raise FeedUnreadable(_("Exclusions are sent as JSON or CSV, not as a CTF."))
    records: list[dict] = []
    try:
        with CTFReader(source=content) as reader:
            header = reader.header
            school = f"{header.source_la or ''}{header.source_establishment or ''}"
            for position, element in reader.pupil_elements():
                if kind == FeedKind.ROLL:
                    records.append(_roll_record(element, position))
                else:
                    records.extend(_mark_records(element, position))
    except CTFError as exc:
        raise FeedUnreadable(_("The CTF cannot be read: %(error)s")
                             % {"error": exc.words(_)}) from None
    return FeedInput(FeedFormat.CTF, school or None, full=False, records=records)


def read_feed(*, kind: str, content: bytes, content_type: str, school: str | None = None,
              full: bool = False) -> FeedInput:
    """Read a feed body by its content type: JSON (the default), CSV or a CTF (XML)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media == "text/csv":
        return read_csv(kind=kind, content=content, school=school, full=full)
    if media in ("application/xml", "text/xml"):
        feed = read_ctf(kind=kind, content=content)
        feed.school = school or feed.school
        return feed
    feed = read_json(kind=kind, content=content)
    feed.school = feed.school or school
    return feed
