"""Named jobs: the agreed files agencies and LAs exchange, each with its fields (issue 16).

A generic zip to or from an agency whose free text names a job (`838LLLL_838HLTH_
SCHOOLNURSING.ZIP`) must go the job's way and hold one CSV file with exactly the job's
columns, every row valid; any other free text is a plain generic zip. The police's domestic
abuse notification (Operation Encompass) is a form, not a file: `encompass.py`.
"""

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.errors import ServiceError
from s2s.ctf.identifiers import upn_check
from s2s.ctf.reader import PupilIndex
from s2s.directory.models import Agency, AgencyKind

MAX_PROBLEMS = 3
YEAR_GROUPS = frozenset({"N1", "N2", "R", *(str(n) for n in range(1, 15))})
FLAGS = frozenset({"Y", "N"})


class Problem(Exception):  # noqa: N818 - a row's problem, caught and worded by the checker
    """One field of one row is wrong."""


def _required(value: str) -> str:
    if not value:
        raise Problem(_("is empty"))
    return value


def _flag(value: str) -> str:
    if value.upper() not in FLAGS:
        raise Problem(_("must be Y or N, not “%(value)s”") % {"value": value})
    return value


def _year_group(value: str) -> str:
    if value.upper() not in YEAR_GROUPS:
        raise Problem(_("must be a year group: N1, N2, R or 1 to 14, not “%(value)s”")
                      % {"value": value})
    return value


def _upn(value: str) -> str:
    check = upn_check(upn=value)
    if not check.ok:
        raise Problem(check.problem)
    return value


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Problem(_("must be a date like 2022-09-01, not “%(value)s”")
                      % {"value": value}) from None


def _dob(value: str) -> str:
    if _date(value) >= timezone.localdate():
        raise Problem(_("must be in the past"))
    return value


def _aged_2_to_4(value: str) -> str:
    """Return the DOB of a child aged 2, 3 or 4 today (health -> LA: children aged 2-4)."""
    born, today = _date(value), timezone.localdate()
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if not 2 <= age <= 4:
        raise Problem(_("gives a child aged %(age)s: this list is of children aged 2 to 4")
                      % {"age": age})
    return value


def _establishment(value: str) -> str:
    if len(value) != 7 or not value.isdigit():
        raise Problem(_("must be a 7-digit establishment number, not “%(value)s”")
                      % {"value": value})
    return value


def _nhs_number(value: str) -> str:
    """Return a 10-digit NHS number whose check digit is right (modulus 11)."""
    digits = value.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        raise Problem(_("must be a 10-digit NHS number"))
    remainder = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = 11 - remainder if remainder else 0
    if check == 10 or check != int(digits[9]):
        raise Problem(_("has the wrong check digit"))
    return value


@dataclass(frozen=True)
class Job:
    """One named job: its free-text code, who sends it, who receives it, its columns."""

    code: str
    title: str
    # "la" for the LA mailbox, or the kinds of agency at that end.
    sender: frozenset[str]
    receiver: frozenset[str]
    columns: dict[str, Callable[[str], object]]


_PUPIL_LIST = {
    "establishment": _establishment, "year_group": _year_group, "upn": _upn,
    "surname": _required, "forename": _required, "dob": _dob, "consent": _flag,
    "opt_out": _flag,
}
LA = frozenset({"la"})
JOBS: dict[str, Job] = {job.code: job for job in (
    Job("SCHOOLNURSING", gettext_lazy("School nursing: pupils by school and year group"),
        LA, frozenset({AgencyKind.HEALTH}), _PUPIL_LIST),
    Job("DENTAL", gettext_lazy("Dental health: pupils by school and year group"),
        LA, frozenset({AgencyKind.DENTAL, AgencyKind.HEALTH}), _PUPIL_LIST),
    Job("CHILDHEALTH", gettext_lazy("Child health: children aged 2 to 4"),
        frozenset({AgencyKind.HEALTH}), LA,
        {"nhs_number": _nhs_number, "surname": _required, "forename": _required,
         "dob": _aged_2_to_4, "postcode": _required}),
)}


def _refuse(message: str, code: str) -> ServiceError:
    return ServiceError(message, code=code, field="file")


def _end(agency: Agency | None, code: str) -> str:
    """Return what a place is to a job: an agency's kind, "la" (its LLLL mailbox) or "school"."""
    if agency is not None:
        return agency.kind
    return "la" if code.endswith("LLLL") else "school"


def _check_ends(job: Job, source: str, destination: str) -> None:
    if source not in job.sender or destination not in job.receiver:
        raise _refuse(
            _("A %(job)s file goes from %(sender)s to %(receiver)s.")
            % {"job": job.code, "sender": _ends_words(job.sender),
               "receiver": _ends_words(job.receiver)}, "job_direction")


def _ends_words(ends: frozenset[str]) -> str:
    if ends == LA:
        return _("an LA mailbox (LLLL)")
    kinds = ", ".join(str(AgencyKind(kind).label).lower() for kind in sorted(ends))
    return _("an agency (%(kinds)s)") % {"kinds": kinds}


def _csv_member(content: IO[bytes]) -> bytes:
    with zipfile.ZipFile(content) as archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        if len(members) != 1 or not members[0].filename.lower().endswith(".csv"):
            raise _refuse(_("This job's zip must hold exactly one CSV file."), "job_content")
        return archive.read(members[0])


def _rows(raw: bytes) -> list[dict[str, str]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(_("The CSV file must be UTF-8 text."), "job_content") from None
    return list(csv.reader(io.StringIO(text)))


def _row_problems(job: Job, rows: list[list[str]]) -> list[str]:
    problems = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(job.columns):
            problems.append(_("line %(line)s has %(got)s fields, not %(want)s")
                            % {"line": line, "got": len(row), "want": len(job.columns)})
        else:
            for (column, check), cell in zip(job.columns.items(), row, strict=True):
                try:
                    check(cell.strip())
                except Problem as problem:
                    problems.append(_("line %(line)s, %(column)s %(problem)s")
                                    % {"line": line, "column": column, "problem": problem})
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


@dataclass(frozen=True)
class JobFile:
    """A checked job file: its job, and its pupils as the hub indexes a CTF's."""

    job: Job
    pupils: list[PupilIndex]


def _pupils(rows: list[list[str]]) -> list[PupilIndex]:
    """Return each data row's pupil, indexed like a CTF's, so every download audits its UPNs."""
    header, pupils = rows[0], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {name.strip().lower(): cell.strip() for name, cell in zip(header, row,
                                                                          strict=True)}
        pupils.append(PupilIndex(
            position=len(pupils) + 1, line=line, upn=cells.get("upn") or None,
            former_upn=None, uln=None, uci=None, surname=cells["surname"],
            forename=cells["forename"], middle_names=None, preferred_surname=None,
            preferred_forename=None, former_surname=None, dob=cells["dob"], sex=None,
            postcode=cells.get("postcode") or None, town=None,
            nc_year=cells.get("year_group") or None, leaving_date=None, leaving_reason=None))
    return pupils


def job_check(*, free_text: str | None, content: IO[bytes], source_code: str,
              source_agency: Agency | None, destination_code: str,
              destination_agency: Agency | None) -> JobFile | None:
    """Return the named job a zip to or from an agency is, checked; None for a plain zip.

    Refused with the first problems found: the wrong way for the job, not one CSV file, the
    wrong columns, or rows whose fields are not valid.
    """
    if source_agency is None and destination_agency is None:
        return None
    job = JOBS.get((free_text or "").upper())
    if job is None:
        return None
    _check_ends(job, _end(source_agency, source_code),
                _end(destination_agency, destination_code))
    rows = _rows(_csv_member(content))
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if header != list(job.columns):
        raise _refuse(_("The CSV file's first line must be the columns %(columns)s.")
                      % {"columns": ",".join(job.columns)}, "job_columns")
    if len(rows) < 2:
        raise _refuse(_("The CSV file has no rows after its columns."), "job_empty")
    problems = _row_problems(job, rows)
    if problems:
        raise _refuse(_("The %(job)s file was refused: %(problems)s.")
                      % {"job": job.code, "problems": "; ".join(problems)}, "job_rows")
    return JobFile(job=job, pupils=_pupils(rows))
