"""Storing each kind of feed: sets computed in Python against one query of what is held.

Each function takes the feed's records (text, from any adapter), checks them (errors refuse a
record, warnings keep it), compares them with what the school already has, and writes only
what changed, in bulk. It returns (changed, quarantined).
"""

from collections.abc import Callable
from datetime import date

from django.utils import timezone

from s2s.core.arrivals import pupils_arrived
from s2s.ctf.words import _
from s2s.feeds import checks
from s2s.feeds.checks import Findings, parse_date
from s2s.feeds.codes import look_up
from s2s.feeds.markstore import marks_existing, marks_insert, marks_update
from s2s.feeds.models import Exclusion, Feed, MarkVersion, Pupil, QuarantinedMark

SESSIONS = {"AM": 0, "PM": 1}
SESSION_NAMES = ("AM", "PM")
ROLL_COLUMNS = (
    "former_upn", "surname", "forename", "middle_names", "preferred_surname",
    "former_surname", "dob", "sex", "postcode", "town", "nc_year", "entry_date",
    "leaving_date", "leaving_reason", "destination", "registration", "home_la",
)
_LIMITS = {f.name: f.max_length for f in Pupil._meta.fields if getattr(f, "max_length", None)}


def _pupil_row(record: dict, findings: Findings, today: date) -> dict | None:
    """Return a pupil's stored fields from its record, or None when an error refuses it."""
    upn = record["upn"].strip().upper()
    if not upn:
        findings.error(_("The pupil has no UPN; the record was not taken."), "upn_missing",
                       record)
        return None
    entry_ok, entry = checks.optional_date(record, "entry_date", findings)
    leaving_ok, leaving = checks.optional_date(record, "leaving_date", findings)
    if not (entry_ok and leaving_ok):
        return None
    checks.check_upn(record, findings)
    checks.check_upn(record, findings, "former_upn")
    checks.check_names(record, findings)
    checks.check_postcode(record, findings)
    row = {name: record[name] for name in ROLL_COLUMNS}
    row.update(upn=upn, dob=checks.check_dob(record, findings, today), entry_date=entry,
               leaving_date=leaving, destination=checks.check_destination(record, findings),
               registration=checks.registration(record, findings),
               home_la=checks.check_home_la(record, findings),
               sex=record["sex"].strip()[:1].upper(), postcode=record["postcode"].strip())
    return {k: v[:_LIMITS[k]] if isinstance(v, str) and k in _LIMITS else v
            for k, v in row.items()}


def ingest_roll(*, feed: Feed, records: list[dict], findings: Findings, **_context) -> tuple:
    """Store a roll; a full roll marks the pupils it leaves out as gone (nothing deleted)."""
    today = timezone.localdate(feed.received_at)
    held = {p["upn"]: p for p in Pupil.objects.filter(establishment=feed.establishment)
            .values("upn", "on_roll", *ROLL_COLUMNS)}
    rows: dict[str, dict] = {}
    for record in records:
        row = _pupil_row(record, findings, today)
        if row is None:
            continue
        if row["upn"] in rows:
            findings.warn(_("UPN %(upn)s is in the feed more than once; the last was taken.")
                          % {"upn": row["upn"]}, "upn_duplicate", record)
        rows[row["upn"]] = row
    changed = [row for upn, row in rows.items() if _differs(held.get(upn), row)]
    Pupil.objects.bulk_create(
        [Pupil(establishment=feed.establishment, feed=feed, on_roll=True, missing_since=None,
               **row) for row in changed],
        batch_size=2000, update_conflicts=True, unique_fields=["establishment", "upn"],
        update_fields=[*ROLL_COLUMNS, "on_roll", "missing_since", "feed"],
    )
    # A pupil new to the roll, or back on it, has arrived (a CME case's child turning up).
    pupils_arrived(establishment=feed.establishment, via="feed", upns=[
        upn for upn in rows if held.get(upn) is None or not held[upn]["on_roll"]])
    gone = 0
    if feed.full:
        gone = (Pupil.objects.filter(establishment=feed.establishment, on_roll=True)
                .exclude(upn__in=list(rows)).update(on_roll=False, missing_since=feed.received_at,
                                                    feed=feed))
    return len(changed) + gone, 0


def _differs(held: dict | None, row: dict) -> bool:
    if held is None or not held["on_roll"]:
        return True
    return any(held[name] != row[name] for name in ROLL_COLUMNS)


def _pupils(feed: Feed) -> dict[str, tuple[int, date | None]]:
    return {upn: (pk, leaving) for upn, pk, leaving in Pupil.objects.filter(
        establishment=feed.establishment).values_list("upn", "pk", "leaving_date")}


def _unknown_pupil(record: dict, findings: Findings) -> None:
    findings.error(_("UPN %(upn)s is not on the school's roll: send the roll first; the record "
                     "was not taken.") % {"upn": record["upn"] or "-"}, "unknown_pupil", record)


class _MarkReader:
    """Check marks one by one, caching what repeats (dates, codes) across a term's marks."""

    def __init__(self, feed: Feed, findings: Findings, nation: str):
        self.feed, self.findings, self.nation = feed, findings, nation
        self.pupils = _pupils(feed)
        self.days: dict[str, date | None] = {}
        self.codes: dict[tuple, object] = {}
        self.marks: dict[tuple, str] = {}
        self.quarantine: list[QuarantinedMark] = []
        self.records: dict[tuple, dict] = {}

    def day(self, text: str) -> date | None:
        if text not in self.days:
            self.days[text] = parse_date(text)
        return self.days[text]

    def read(self, record: dict) -> None:
        findings = self.findings
        pupil = self.pupils.get(record["upn"].strip().upper())
        if pupil is None:
            return _unknown_pupil(record, findings)
        day = self.day(record["date"])
        if day is None:
            return findings.error(_("Date '%(date)s' is not a date (CCYY-MM-DD); the mark was "
                                    "not taken.") % {"date": record["date"]}, "date_invalid",
                                  record)
        session = SESSIONS.get(record["session"].strip().upper())
        if session is None:
            return findings.error(_("Session '%(session)s' is not AM or PM; the mark was not "
                                    "taken.") % {"session": record["session"]},
                                  "session_invalid", record)
        code = record["code"].strip() or "-"
        lookup = self.codes.get((day, code))
        if lookup is None:
            lookup = self.codes[(day, code)] = look_up(nation=self.nation, day=day, code=code)
        key = (pupil[0], day, session)
        if lookup.meaning is None:
            return self._quarantine(record, key, code, lookup.problem)
        if pupil[1] is not None and day > pupil[1]:
            findings.warn(_("The mark on %(date)s is after the pupil's leaving date %(left)s.")
                          % {"date": day.isoformat(), "left": pupil[1].isoformat()},
                          "mark_after_leaving", record)
        self.marks[key] = code
        self.records[key] = record

    def _quarantine(self, record: dict, key: tuple, code: str, problem: str) -> None:
        if problem == "out_of_dates":
            message = _("Code '%(code)s' was not a valid attendance code on %(date)s; the mark "
                        "is held as no mark until it is corrected.")
        else:
            message = _("Code '%(code)s' is not an attendance code; the mark is held as no "
                        "mark until it is corrected.")
        self.findings.error(message % {"code": code, "date": key[1].isoformat()},
                            f"code_{problem}", record)
        self.quarantine.append(QuarantinedMark(
            feed=self.feed, establishment_id=self.feed.establishment_id, pupil_id=key[0],
            date=key[1], session=key[2], code=code[:8], problem=problem))


def _warn_non_school_days(reader: _MarkReader, school_days: Callable | None) -> None:
    """Warn on marks for sessions the school's calendar does not open (when it has one)."""
    if school_days is None or not reader.marks:
        return
    days = {key[1] for key in reader.marks}
    calendar = school_days(establishment=reader.feed.establishment, start=min(days),
                           end=max(days))
    closed = {}
    for day in days:
        if calendar.known(day):
            open_sessions = calendar.sessions(day)
            closed[day] = {s for s, name in enumerate(SESSION_NAMES) if name not in open_sessions}
    for key, record in reader.records.items():
        if key[2] in closed.get(key[1], ()):
            reader.findings.warn(
                _("%(date)s %(session)s is not a school session in the school's calendar.")
                % {"date": key[1].isoformat(), "session": SESSION_NAMES[key[2]]},
                "not_school_day", record)


def ingest_attendance(*, feed: Feed, records: list[dict], findings: Findings, nation: str,
                      school_days: Callable | None = None, **_context) -> tuple:
    """Store marks: new and changed ones in bulk, the replaced versions kept in the history."""
    reader = _MarkReader(feed, findings, nation)
    for record in records:
        reader.read(record)
    _warn_non_school_days(reader, school_days)
    marks = reader.marks
    keys = set(marks) | {(q.pupil_id, q.date, q.session) for q in reader.quarantine}
    if not keys:
        return 0, 0
    days = {key[1] for key in keys}
    held = marks_existing(establishment_id=feed.establishment_id, start=min(days),
                          end=max(days))
    changed = [key for key, code in marks.items() if held.get(key, (None,))[0] != code]
    MarkVersion.objects.bulk_create(
        [MarkVersion(pupil_id=key[0], date=key[1], session=key[2], code=held[key][0],
                     feed_id=held[key][1], replaced_by=feed) for key in changed if key in held],
        batch_size=5000)
    school, pk = feed.establishment_id, feed.pk
    marks_insert(rows=((school, *key, marks[key], pk) for key in changed if key not in held))
    marks_update(rows=[(school, *key, marks[key], pk) for key in changed if key in held])
    QuarantinedMark.objects.bulk_create(reader.quarantine, batch_size=5000)
    _resolve_quarantine(feed, marks, min(days), max(days))
    return len(changed), len(reader.quarantine)


def _resolve_quarantine(feed: Feed, marks: dict, start: date, end: date) -> None:
    """Close the held marks of sessions this feed has now given a valid code."""
    open_marks = QuarantinedMark.objects.filter(
        establishment_id=feed.establishment_id, resolved_by__isnull=True, date__gte=start,
        date__lte=end).values_list("pk", "pupil_id", "date", "session")
    resolved = [pk for pk, *key in open_marks if tuple(key) in marks]
    if resolved:
        QuarantinedMark.objects.filter(pk__in=resolved).update(resolved_by=feed)


def _exclusion_row(record: dict, findings: Findings) -> dict | None:
    category = record["category"].strip().lower()
    if category not in checks.CATEGORIES:
        findings.error(_("Category '%(category)s' is not permanent, suspension or lunchtime; "
                         "the record was not taken.") % {"category": record["category"]},
                       "category_invalid", record)
        return None
    start = parse_date(record["start_date"])
    if start is None:
        findings.error(_("Start date '%(date)s' is not a date (CCYY-MM-DD); the record was not "
                         "taken.") % {"date": record["start_date"]}, "date_invalid", record)
        return None
    sessions = record["sessions"].strip() or "0"
    rescinded = checks.boolean(record["rescinded"])
    if not sessions.isdigit() or rescinded is None:
        findings.error(_("Sessions must be a whole number and rescinded true or false; the "
                         "record was not taken."), "exclusion_invalid", record)
        return None
    reasons = [r.strip().upper() for r in record["reasons"].replace(",", ";").split(";")
               if r.strip()]
    return {"category": category, "start_date": start, "sessions": int(sessions),
            "reasons": reasons, "rescinded": rescinded}


def ingest_exclusions(*, feed: Feed, records: list[dict], findings: Findings,
                      **_context) -> tuple:
    """Store exclusions, one per pupil, category and start date; a later feed replaces it."""
    pupils = _pupils(feed)
    rows = {}
    for record in records:
        pupil = pupils.get(record["upn"].strip().upper())
        if pupil is None:
            _unknown_pupil(record, findings)
            continue
        row = _exclusion_row(record, findings)
        if row is not None:
            rows[(pupil[0], row["category"], row["start_date"])] = row
    held = {(e["pupil_id"], e["category"], e["start_date"]): e for e in Exclusion.objects.filter(
        establishment=feed.establishment).values(
        "pupil_id", "category", "start_date", "sessions", "reasons", "rescinded")}
    changed = [(key, row) for key, row in rows.items()
               if key not in held or any(held[key][k] != row[k]
                                         for k in ("sessions", "reasons", "rescinded"))]
    Exclusion.objects.bulk_create(
        [Exclusion(establishment_id=feed.establishment_id, pupil_id=key[0], feed=feed, **row)
         for key, row in changed],
        batch_size=2000, update_conflicts=True, unique_fields=["pupil", "category", "start_date"],
        update_fields=["sessions", "reasons", "rescinded", "feed"],
    )
    return len(changed), 0
