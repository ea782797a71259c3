"""The checks of each record: errors refuse the record, warnings keep it (issue 13).

Identifier, postcode and name rules are the CTF library's (`s2s/ctf`), so a feed and a CTF
warn about the same things in the same words.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext

from s2s.ctf.identifiers import is_la_code, upn_check
from s2s.ctf.validate import NC_YEAR_AGE, POSTCODE
from s2s.ctf.words import Text, _
from s2s.feeds.models import ExclusionCategory, Registration

# Errors and warnings kept on a feed's report, each; the counts cover them all.
MAX_FINDINGS = 1000
NAME_FIELDS = ("surname", "forename", "middle_names", "preferred_surname", "former_surname")
CATEGORIES = frozenset(ExclusionCategory.values)
REGISTRATIONS = frozenset(Registration.values)
TRUE, FALSE = frozenset({"true", "1", "yes", "y"}), frozenset({"false", "0", "no", "n", ""})


@dataclass
class Findings:
    """The errors and warnings of one feed, each `{"message", "code", "upn", "index"}`.

    The messages are the CTF library's `Text`s (`ctf/words.py`): stored in English with their
    template and values (`words`), and worded in the reader's language by `findings_worded`.
    """

    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0

    def error(self, message: str, code: str, record: dict | None = None) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_FINDINGS:
            self.errors.append(_finding(message, code, record))

    def warn(self, message: str, code: str, record: dict | None = None) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_FINDINGS:
            self.warnings.append(_finding(message, code, record))


def _finding(message: str, code: str, record: dict | None) -> dict:
    record = record or {}
    finding = {"message": str(message), "code": code, "upn": record.get("upn") or None,
               "index": record.get("index")}
    if isinstance(message, Text):
        # Kept in English with its template and values, worded for each reader later.
        finding["words"] = message.as_json()
    return finding


def findings_worded(findings: list[dict]) -> list[dict]:
    """Return a feed's findings with each message in the active language (codes unchanged)."""
    return [{**finding, "message": Text.from_json(finding["words"]).render(gettext)}
            if "words" in finding else finding for finding in findings]


def parse_date(text: str) -> date | None:
    """Return the CCYY-MM-DD date in `text`, or None when it is not a real date."""
    text = text.strip()
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def check_upn(record: dict, findings: Findings, name: str = "upn") -> None:
    """Warn on a UPN whose length, LA code or check letter is wrong (DESIGN.md, UPN)."""
    value = record[name]
    if value:
        result = upn_check(upn=value)
        if not result.ok:
            findings.warn(result.problem, "upn_check" if name == "upn" else "former_upn_check",
                          record)


def _age_on_31_august(born: date, today: date) -> tuple[int, date]:
    year = today.year if today.month >= 9 else today.year - 1
    on = date(year, 8, 31)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day)), on


def check_dob(record: dict, findings: Findings, today: date) -> date | None:
    """Return the DOB; warn when it is not a date, or out of range for the NC year."""
    text = record["dob"]
    if not text:
        findings.warn(_("The pupil has no date of birth."), "dob_missing", record)
        return None
    born = parse_date(text)
    if born is None or born > today:
        findings.warn(_("Date of birth %(dob)s is not a possible date (CCYY-MM-DD).")
                      % {"dob": text}, "dob_impossible", record)
        return None
    age, on = _age_on_31_august(born, today)
    expected = NC_YEAR_AGE.get(record["nc_year"].strip().upper())
    if not 2 <= age <= 19:
        findings.warn(_("The pupil was %(age)s on %(on)s, outside the school ages 2-19.")
                      % {"age": age, "on": on.isoformat()}, "dob_range", record)
    elif expected is not None and abs(age - expected) > 1:
        findings.warn(_("NC year %(year)s fits age %(expected)s on %(on)s, but the date of "
                        "birth %(dob)s gives %(age)s.")
                      % {"year": record["nc_year"], "expected": expected, "on": on.isoformat(),
                         "dob": text, "age": age}, "dob_nc_year", record)
    return born


def check_postcode(record: dict, findings: Findings) -> None:
    """Warn on a missing or malformed postcode (the CTF library's pattern)."""
    postcode = record["postcode"]
    if not postcode.strip():
        findings.warn(_("The pupil has no postcode."), "postcode_missing", record)
    elif not POSTCODE.fullmatch(postcode):
        findings.warn(_("Postcode '%(postcode)s' is not a UK postcode (e.g. DT2 0NS).")
                      % {"postcode": postcode}, "postcode_malformed", record)


def check_names(record: dict, findings: Findings) -> None:
    """Warn on names with leading, trailing or double spaces, which break matching."""
    for name in NAME_FIELDS:
        text = record[name]
        if text and (text != text.strip() or "  " in text):
            findings.warn(_("%(field)s '%(text)s' has leading, trailing or double spaces.")
                          % {"field": name, "text": text}, "name_spaces", record)


def check_destination(record: dict, findings: Findings) -> str:
    """Return the destination school's number; warn when it is malformed or its LA unknown."""
    destination = record["destination"].strip()
    if not destination:
        return ""
    if len(destination) != 7 or not destination.isdigit():
        findings.warn(_("Destination '%(code)s' is not a 7-digit establishment number.")
                      % {"code": destination}, "destination_malformed", record)
        return ""
    if not is_la_code(code=destination[:3]):
        findings.warn(_("Destination %(code)s starts with %(la)s, which is not an LA number "
                        "in England or Wales.") % {"code": destination, "la": destination[:3]},
                      "la_unknown", record)
    return destination


def check_home_la(record: dict, findings: Findings) -> str:
    """Return the pupil's LA of residence; warn and drop it when it is not an LA number."""
    home = record["home_la"].strip()
    if home and not (len(home) == 3 and home.isdigit() and is_la_code(code=home)):
        findings.warn(_("Home LA '%(la)s' is not an LA number in England or Wales; it was not "
                        "taken.") % {"la": home}, "home_la_unknown", record)
        return ""
    return home


def optional_date(record: dict, name: str, findings: Findings) -> tuple[bool, date | None]:
    """Return (ok, date) for an optional date field; a present non-date is an error."""
    text = record[name].strip()
    if not text:
        return True, None
    day = parse_date(text)
    if day is None:
        findings.error(_("%(field)s '%(text)s' is not a date (CCYY-MM-DD); the record was "
                         "not taken.") % {"field": name, "text": text}, "date_invalid", record)
        return False, None
    return True, day


def registration(record: dict, findings: Findings) -> str:
    """Return single, main or subsidiary; warn and take single for anything else."""
    value = record["registration"].strip().lower() or Registration.SINGLE
    if value not in REGISTRATIONS:
        findings.warn(_("Registration '%(value)s' is not single, main or subsidiary; single was "
                        "taken.") % {"value": record["registration"]}, "registration_unknown",
                      record)
        return Registration.SINGLE
    return value


def boolean(text: str) -> bool | None:
    """Return the boolean `text` spells, or None when it spells none."""
    value = text.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    return None
