"""The attendance code dictionary, versioned by nation and date, and the mark-string reader.

Each code means one of five things for a session: present, an approved educational activity
(present off site), an authorised absence, an unauthorised absence, or not a possible session
(not counted). `-` is "no mark": never an absence.

Sources:
- England from 19 August 2024: the School Attendance (Pupil Registration) (England)
  Regulations 2024 and the DfE's "Working together to improve school attendance" (August
  2024), the national codes. J (interview) became J1 and an authorised absence; H and Y were
  withdrawn; C1, C2, K, Q and Y1-Y7 were added. X (non-compulsory school age, not required
  to attend), D (attending the other school of a dual registration), Q and Y1-Y7 (unable to
  attend for an unavoidable cause) and Z, # (administrative) are not possible sessions in the
  DfE's statistics, so they count as such here.
- England before 19 August 2024: the Education (Pupil Registration) (England) Regulations
  2006 and the DfE's "School attendance" guidance (2016 onwards).
- Wales: the Education (Pupil Registration) (Wales) Regulations 2010 and the Welsh
  Government's guidance on school attendance codes (2010; unrevised until its 2026 review).
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

NO_MARK = "-"
ENGLAND_2024 = date(2024, 8, 19)


class Meaning(StrEnum):
    PRESENT = "present"
    EDUCATIONAL_ACTIVITY = "educational_activity"
    AUTHORISED = "authorised"
    UNAUTHORISED = "unauthorised"
    NOT_POSSIBLE = "not_possible"
    NO_MARK = "no_mark"


MEANING_LABELS = {
    Meaning.PRESENT: _("Present"),
    Meaning.EDUCATIONAL_ACTIVITY: _("Approved educational activity"),
    Meaning.AUTHORISED: _("Authorised absence"),
    Meaning.UNAUTHORISED: _("Unauthorised absence"),
    Meaning.NOT_POSSIBLE: _("Not a possible session"),
    Meaning.NO_MARK: _("No mark"),
}

P, A, AU, UN, NP = (Meaning.PRESENT, Meaning.EDUCATIONAL_ACTIVITY, Meaning.AUTHORISED,
                    Meaning.UNAUTHORISED, Meaning.NOT_POSSIBLE)

# The codes every version shares, with the same meaning.
_COMMON = {
    "/": (P, _("Present (morning)")),
    "\\": (P, _("Present (afternoon)")),
    "L": (P, _("Late, before the register closed")),
    "V": (A, _("Educational visit or trip")),
    "P": (A, _("Approved sporting activity")),
    "W": (A, _("Work experience")),
    "B": (A, _("Other approved educational activity off site")),
    "C": (AU, _("Leave of absence for exceptional circumstances")),
    "E": (AU, _("Suspended or excluded, no alternative provision")),
    "I": (AU, _("Illness")),
    "M": (AU, _("Medical or dental appointment")),
    "R": (AU, _("Religious observance")),
    "S": (AU, _("Study leave")),
    "T": (AU, _("Traveller absence (parent travelling for work)")),
    "G": (UN, _("Holiday not agreed")),
    "N": (UN, _("No reason yet provided")),
    "O": (UN, _("Unauthorised absence, other or unknown reason")),
    "U": (UN, _("Arrived after the register closed")),
    "D": (NP, _("Dual registered: attending the other school")),
    "X": (NP, _("Not of compulsory school age, not required to attend")),
    "Z": (NP, _("Prospective pupil, not yet on the admission register")),
    "#": (NP, _("Planned whole or partial school closure")),
    NO_MARK: (Meaning.NO_MARK, _("No mark")),
}

_ENGLAND_BEFORE_2024 = {
    **_COMMON,
    "H": (AU, _("Agreed family holiday")),
    "J": (A, _("Interview")),
    "Y": (NP, _("Unable to attend: exceptional circumstances")),
}

_ENGLAND_FROM_2024 = {
    **_COMMON,
    "K": (A, _("Education provision arranged by the local authority")),
    "C1": (AU, _("Leave for a regulated performance or employment abroad")),
    "C2": (AU, _("Leave: part-time timetable")),
    "J1": (AU, _("Interview")),
    "Q": (NP, _("Unable to attend: lack of access arrangements")),
    "Y1": (NP, _("Unable to attend: transport normally provided not available")),
    "Y2": (NP, _("Unable to attend: widespread disruption to travel")),
    "Y3": (NP, _("Unable to attend: part of the school premises closed")),
    "Y4": (NP, _("Unable to attend: whole school site unexpectedly closed")),
    "Y5": (NP, _("Unable to attend: in criminal justice detention")),
    "Y6": (NP, _("Unable to attend: public health guidance or law")),
    "Y7": (NP, _("Unable to attend: any other unavoidable cause")),
}

_WALES = {
    **_COMMON,
    "F": (AU, _("Agreed extended family holiday")),
    "H": (AU, _("Agreed family holiday")),
    "J": (A, _("Interview")),
    "Y": (NP, _("Enforced closure")),
}


@dataclass(frozen=True, slots=True)
class CodeSet:
    """One version of the dictionary: a nation's codes valid from one day until another."""

    name: str
    nation: str
    start: date | None  # first day it applies; None: from the beginning
    end: date | None  # first day it no longer applies; None: still in force
    codes: dict

    def covers(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day < self.end)


VERSIONS = (
    CodeSet("england-2006", "england", None, ENGLAND_2024, _ENGLAND_BEFORE_2024),
    CodeSet("england-2024", "england", ENGLAND_2024, None, _ENGLAND_FROM_2024),
    CodeSet("wales-2010", "wales", None, None, _WALES),
)
ALL_CODES = frozenset(code for version in VERSIONS for code in version.codes)
LONGEST = max(len(code) for code in ALL_CODES)


def version_for(*, nation: str, day: date) -> CodeSet:
    """Return the dictionary in force in this nation on this day."""
    for version in VERSIONS:
        if version.nation == nation and version.covers(day):
            return version
    raise LookupError(nation)


@dataclass(frozen=True, slots=True)
class Lookup:
    """A code looked up: its meaning, or why it cannot be used ("unknown", "out_of_dates")."""

    meaning: Meaning | None
    problem: str = ""


def look_up(*, nation: str, day: date, code: str) -> Lookup:
    """Return what `code` means on `day` in `nation`, or why it is not a code there then."""
    found = version_for(nation=nation, day=day).codes.get(code)
    if found is not None:
        return Lookup(found[0])
    if any(code in v.codes for v in VERSIONS if v.nation == nation):
        return Lookup(None, "out_of_dates")
    return Lookup(None, "unknown")


def meaning_of(*, nation: str, day: date, code: str) -> Meaning | None:
    """Return the meaning of a valid code, None for one that is not valid then."""
    return look_up(nation=nation, day=day, code=code).meaning


def split_marks(text: str) -> list[str]:
    """Split a CTF attendance mark string into one code per session.

    Codes are one or two characters (C1, Y4); a two-character code is read first where one
    exists, so "C1C1" is two sessions of C1 and "C/" a C then a present mark.
    """
    marks, i = [], 0
    while i < len(text):
        for width in range(LONGEST, 0, -1):
            piece = text[i:i + width]
            if len(piece) == width and (piece in ALL_CODES or width == 1):
                marks.append(piece)
                i += width
                break
    return marks
