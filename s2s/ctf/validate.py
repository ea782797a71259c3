"""The validation report: errors that refuse a file, warnings that keep every pupil.

Errors (DESIGN.md, CTF format; issue 3): not XML, hostile XML, wrong root, header fields the
hub needs missing or unusable, no pupils, a header disagreeing with the file name, and more
than one pupil in a lost-pupil file. Everything else is a warning shown to sender and
receiver, with the pupil's position, the element and the line.
"""

import dataclasses
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from operator import attrgetter

from lxml import etree

from s2s.ctf.errors import CTFError, HeaderError, LostPupilCountError, NameMismatchError
from s2s.ctf.identifiers import Check, uci_check, uln_check, uln_valid, upn_check, upn_valid
from s2s.ctf.names import FileName, PlaceKind, parse_name
from s2s.ctf.rawscan import iso_date
from s2s.ctf.reader import (
    DEFAULT_LIMITS,
    PUPIL_PATHS,
    CTFReader,
    Header,
    Limits,
    PupilIndex,
    Source,
    index_and_fields,
    line_of,
)
from s2s.ctf.words import Text, Translate, _, render

# Outward code, then inward code; BFPO addresses are allowed too.
POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}|BFPO ?[0-9]{1,4}")
# Expected age on 31 August before the academic year, by NC year.
NC_YEAR_AGE = {"N1": 2, "N2": 3, "R": 4} | {str(n): n + 4 for n in range(1, 15)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One error or warning: what is wrong, and where.

    `code` is stable for programs; `message` is the English words, `template` and `params`
    the same words to render in another language (`words`). A finding stored before
    templates were kept has none, and reads in English.
    """

    message: str
    code: str
    pupil: int | None = None
    field: str | None = None
    line: int | None = None
    template: str = ""
    params: dict = dataclasses.field(default_factory=dict)  # `field` is a finding's element

    @classmethod
    def of(cls, message: str, code: str, **where: object) -> "Finding":
        """Return a finding of `message`, a Text or plain English words."""
        text = message if isinstance(message, Text) else Text(message)
        data = text.as_json()
        return cls(str(text), code, template=data["template"], params=data["params"], **where)

    def as_dict(self) -> dict:
        return asdict(self)

    def words(self, translate: Translate | None = None) -> str:
        """Return what is wrong in the language `translate` looks it up in (English if None)."""
        if not self.template or translate is None:
            return self.message
        return Text.from_json({"template": self.template, "params": self.params}).render(
            translate)

    def as_text(self, translate: Translate | None = None) -> str:
        """Return the finding as one line for people."""
        where = []
        if self.pupil is not None:
            where.append(_("pupil %(position)s", position=self.pupil))
        if self.line is not None:
            where.append(_("line %(line)s", line=self.line))
        if self.field:
            where.append(f"<{self.field}>")
        message = self.words(translate)
        where_words = ", ".join(render(part, translate) for part in where)
        return f"{where_words}: {message}" if where else message


@dataclass(slots=True)
class Report:
    """The outcome of validating one file."""

    file: str
    name: FileName | None = None
    header: Header | None = None
    pupils: list[PupilIndex] = field(default_factory=list)
    pupil_count: int = 0
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.errors

    def error(self, message: str, code: str, **where: object) -> None:
        self.errors.append(Finding.of(message, code, **where))

    def warn(self, message: str, code: str, **where: object) -> None:
        self.warnings.append(Finding.of(message, code, **where))

    def as_dict(self) -> dict:
        """Return the report as the JSON object of `ctf validate --json`."""
        return {
            "file": self.file,
            "accepted": self.accepted,
            "name": _name_dict(self.name),
            "header": self.header.as_dict() if self.header else None,
            "pupils": [pupil.as_dict() for pupil in self.pupils],
            "errors": [finding.as_dict() for finding in self.errors],
            "warnings": [finding.as_dict() for finding in self.warnings],
        }

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)

    def as_text(self, translate: Translate | None = None) -> str:
        """Return the report for people: a verdict line, then each error and warning.

        In English unless `translate` looks the words up in another language.
        """
        verdict = _("accepted") if self.accepted else _("REFUSED")
        lines = [render(_(
            "%(file)s: %(verdict)s, %(pupils)s pupil(s), %(errors)s error(s), "
            "%(warnings)s warning(s)", file=self.file, verdict=verdict,
            pupils=self.pupil_count, errors=len(self.errors), warnings=len(self.warnings),
        ), translate)]
        lines += ["  " + render(_("error: %(finding)s", finding=finding.as_text(translate)),
                               translate) for finding in self.errors]
        lines += ["  " + render(_("warning: %(finding)s", finding=finding.as_text(translate)),
                               translate) for finding in self.warnings]
        return "\n".join(lines)


def _name_dict(name: FileName | None) -> dict | None:
    if name is None:
        return None
    return {
        "name": str(name), "source": name.source.code, "source_kind": str(name.source.kind),
        "destination": name.destination.code, "destination_kind": str(name.destination.kind),
        "file_type": name.file_type.code, "sequence": name.sequence,
        "free_text": name.free_text, "extension": name.extension,
    }


def current_ctf_year(*, today: date) -> int:
    """Return NN of the current CTF version NN.0: the academic year's first year, 2 digits."""
    return (today.year if today.month >= 9 else today.year - 1) % 100


# --- the header -----------------------------------------------------------------------------

REQUIRED_HEADER = (
    ("version", "CTFversion"), ("source_la", "SourceSchool/LEA"),
    ("source_establishment", "SourceSchool/Estab"), ("destination_la", "DestSchool/LEA"),
    ("destination_establishment", "DestSchool/Estab"),
)
EXPECTED_HEADER = (
    ("document_name", "DocumentName"), ("date_time", "DateTime"),
    ("document_qualifier", "DocumentQualifier"), ("supplier_id", "SupplierID"),
)
HEADER_FORMS = (
    ("source_la", "SourceSchool/LEA", r"[0-9]{3}", _("3 digits")),
    ("source_establishment", "SourceSchool/Estab", r"[0-9]{4}|LLLL", _("4 digits or LLLL")),
    ("destination_la", "DestSchool/LEA", r"[0-9]{3}|XXX|MMM", _("3 digits, XXX or MMM")),
    ("destination_establishment", "DestSchool/Estab", r"[0-9]{4}|XXXX|MMMM|LLLL|PLAS|ADMS",
     _("4 digits, XXXX, MMMM, LLLL, PLAS or ADMS")),
)


def _check_header_fields(header: Header, report: Report) -> None:
    for name, path in REQUIRED_HEADER:
        if getattr(header, name) is None:
            report.error(_("the header has no %(path)s; the hub needs it to deliver the file",
                           path=path),
                         HeaderError.code, field=path, line=header.line)
    for name, path, pattern, form in HEADER_FORMS:
        value = getattr(header, name)
        if value is not None and not re.fullmatch(pattern, value):
            report.error(_("the header's %(path)s '%(value)s' is not %(form)s", path=path,
                           value=value, form=form), HeaderError.code,
                         field=path, line=header.lines.get(name))
    for name, path in EXPECTED_HEADER:
        if getattr(header, name) is None:
            report.warn(_("the header has no %(path)s; some MIS imports need it", path=path),
                        "header_field",
                        field=path, line=header.line)
    qualifier = (header.document_qualifier or "").lower()
    if header.document_qualifier and qualifier not in ("full", "partial"):
        report.warn(_("DocumentQualifier '%(value)s' is not full or partial",
                      value=header.document_qualifier),
                    "document_qualifier", field="DocumentQualifier",
                    line=header.lines.get("document_qualifier"))


def _check_version(header: Header, report: Report, today: date) -> None:
    if header.version is None:
        return
    current = current_ctf_year(today=today)
    accepted = [f"{n}.0" for n in range(current - 2, current + 1)]
    match = re.fullmatch(r"([0-9]{1,2})\.0", header.version)
    if match is None or int(match.group(1)) not in range(current - 2, current + 1):
        report.warn(
            _("CTF version %(version)s is not one of %(accepted)s: the receiving MIS may not "
              "import it", version=header.version, accepted=", ".join(accepted)), "version",
            field="CTFversion", line=header.lines.get("version"),
        )


def _destination_agrees(name: FileName, header: Header) -> bool:
    place = name.destination
    if place.kind is PlaceKind.SCHOOL:
        return header.destination == place.code
    if place.kind is PlaceKind.LA_MAILBOX:
        return header.destination_la == place.la and header.destination_establishment in (
            "LLLL", place.establishment
        )
    return header.destination == place.code


def _check_name(name: FileName, header: Header, report: Report) -> None:
    """Compare the header with the file name (DESIGN.md, File names)."""
    # An LA sends and forwards files that other schools wrote, so only a school's own
    # name must match the header's source.
    if name.source.kind is PlaceKind.SCHOOL and header.source != name.source.code:
        report.error(
            _("the file name's source is %(name)s but the header's SourceSchool is %(header)s",
              name=name.source.code, header=header.source),
            NameMismatchError.code, field="SourceSchool",
            line=header.lines.get("source_la"),
        )
    if not _destination_agrees(name, header):
        report.error(
            _("the file name's destination is %(name)s but the header's DestSchool is "
              "%(header)s", name=name.destination.code, header=header.destination),
            NameMismatchError.code, field="DestSchool",
            line=header.lines.get("destination_la"),
        )


# --- each pupil -----------------------------------------------------------------------------


NAME_FIELDS = (
    ("surname", "Surname"), ("forename", "Forename"), ("middle_names", "MiddleNames"),
    ("preferred_surname", "PreferredSurname"), ("preferred_forename", "PreferredForename"),
    ("former_surname", "FormerSurname"),
)
IDENTIFIER_CHECKS: tuple[tuple[str, str, Callable[[str], Check]], ...] = (
    ("upn", "UPN", lambda v: upn_check(upn=v)),
    ("former_upn", "FormerUPN", lambda v: upn_check(upn=v)),
    ("uln", "UniqueLearnerNumber", lambda v: uln_check(uln=v)),
    ("uci", "UCI", lambda v: uci_check(uci=v)),
)

Fields = dict[str, etree._Element]


class PupilChecks:
    """The warnings for each pupil (issue 3, Validation report); they never refuse a file."""

    def __init__(self, report: Report, reference: date):
        self.report = report
        self.reference = reference
        self.seen_upns: dict[str, int] = {}
        self._checks = (self.identifiers, self.duplicate, self.dob, self.names, self.postcode)
        # (date of birth, NC year) pairs that gave no warning (bounded: a hostile file may
        # hold many).
        self._good_births: set[tuple[str, str | None]] = set()

    def warn(self, message: str, code: str, position: int, element: etree._Element | None,
             path: str) -> None:
        line = line_of(element) if element is not None else None
        self.report.warn(message, code, pupil=position, field=path, line=line)

    def run(self, position: int, pupil: etree._Element, entry: PupilIndex,
            fields: Fields, *, leaves: bool = True, padded: bool = True) -> None:
        """Run every check on one pupil, the fast way when it has nothing to warn of.

        `leaves` False says the pupil surely has no empty leaf and no bad leaf date (the
        reader's raw scan, `rawscan`), so the leaf checks are skipped. `padded` False says no
        field's text had white space to strip (`reader.index_and_fields`), so the entry's
        values are the elements' texts.
        """
        if not self._clean(position, pupil, entry, fields, leaves, padded):
            for check in self._checks:
                check(position, pupil, entry, fields)
            if leaves:
                self.leaves(position, pupil)

    def _clean(self, position: int, pupil: etree._Element, entry: PupilIndex,
               fields: Fields, leaves: bool = True, padded: bool = True) -> bool:
        """Return True only when no check would warn of this pupil.

        Most pupils are right: this asks the same questions as the checks, cheaply and without
        building a message, and sends any doubt to the checks themselves. Like them, it records
        the pupil's UPN for the duplicate check. A pupil with a padded field (white space
        around its text: a warning for a name or a postcode) is left to the checks.
        """
        postcode = entry.postcode
        return (
            not padded
            and self._identifiers_clean(position, entry)
            and ((entry.dob, entry.nc_year) in self._good_births or self._birth_clean(entry))
            and entry.surname is not None and entry.forename is not None
            and _names_clean(entry)
            and postcode is not None and POSTCODE.fullmatch(postcode) is not None
            and (not leaves or _leaves_look_right(pupil))
        )

    def _identifiers_clean(self, position: int, entry: PupilIndex) -> bool:
        upn = entry.upn
        return (
            upn is not None and upn_valid(upn)
            and self.seen_upns.setdefault(upn, position) == position
            and (entry.former_upn is None or upn_valid(entry.former_upn))
            and (entry.uln is None or uln_valid(entry.uln))
            and (entry.uci is None or uci_check(uci=entry.uci).ok)
        )

    def _birth_clean(self, entry: PupilIndex) -> bool:
        """Return whether the date of birth checks would pass, remembering it if so."""
        if entry.dob is None:
            return False
        born = _date(entry.dob)
        if born is None or born > self.reference:
            return False
        on = date(self.reference.year if self.reference.month >= 9 else
                  self.reference.year - 1, 8, 31)
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        expected = NC_YEAR_AGE.get((entry.nc_year or "").upper())
        if not 2 <= age <= 19 or (expected is not None and abs(age - expected) > 1):
            return False
        if len(self._good_births) >= _REAL_DATES_HELD:
            self._good_births.clear()
        self._good_births.add((entry.dob, entry.nc_year))
        return True

    def identifiers(self, position: int, pupil: etree._Element, entry: PupilIndex,
                    fields: Fields) -> None:
        """Check UPN, FormerUPN, ULN and UCI (DESIGN.md, CTF format: UPN, ULN, UCI)."""
        if entry.upn is None:
            self.warn(_("the pupil has no UPN"), "upn_missing", position, pupil, "UPN")
        for name, label, check in IDENTIFIER_CHECKS:
            value = getattr(entry, name)
            if value is None:
                continue
            result = check(value)
            if not result.ok:
                message = (_("FormerUPN: %(problem)s", problem=result.problem)
                           if label == "FormerUPN" else result.problem)
                self.warn(message, label.lower() + "_check", position, fields[name],
                          PUPIL_PATHS[name])

    def duplicate(self, position: int, pupil: etree._Element, entry: PupilIndex,
                  fields: Fields) -> None:
        """Warn on a UPN that an earlier pupil in the file has too."""
        if entry.upn is None:
            return
        first = self.seen_upns.setdefault(entry.upn, position)
        if first != position:
            self.warn(_("UPN %(upn)s is also pupil %(first)s's", upn=entry.upn, first=first),
                      "upn_duplicate", position, fields["upn"], "UPN")

    def dob(self, position: int, pupil: etree._Element, entry: PupilIndex,
            fields: Fields) -> None:
        """Check the date of birth and the age for the NC year (issue 3: ages 2-19)."""
        if entry.dob is None:
            self.warn(_("the pupil has no date of birth"), "dob_missing", position, pupil, "DOB")
            return
        born = _date(entry.dob)
        if born is None:
            self.warn(_("date of birth '%(dob)s' is not a real date (CCYY-MM-DD)", dob=entry.dob),
                      "date_impossible", position, fields["dob"], "DOB")
        elif born > self.reference:
            self.warn(_("date of birth %(dob)s is in the future", dob=entry.dob), "date_impossible",
                      position, fields["dob"], "DOB")
        else:
            self._age(position, entry, fields, born)

    def _age(self, position: int, entry: PupilIndex, fields: Fields, born: date) -> None:
        year = self.reference.year if self.reference.month >= 9 else self.reference.year - 1
        on = date(year, 8, 31)
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        expected = NC_YEAR_AGE.get((entry.nc_year or "").upper())
        if not 2 <= age <= 19:
            self.warn(_("the pupil was %(age)s on %(on)s, outside the school ages 2-19", age=age,
                        on=on.isoformat()),
                      "age_range", position, fields["dob"], "DOB")
        elif expected is not None and abs(age - expected) > 1:
            self.warn(
                _("NC year %(year)s fits age %(expected)s on %(on)s, but the date of birth "
                  "%(dob)s gives %(age)s", year=entry.nc_year, expected=expected,
                  on=on.isoformat(), dob=entry.dob, age=age), "age_nc_year", position,
                fields.get("nc_year"), PUPIL_PATHS["nc_year"],
            )

    def names(self, position: int, pupil: etree._Element, entry: PupilIndex,
              fields: Fields) -> None:
        """Warn on spaces that break matching and on names written in capitals."""
        for name, label in NAME_FIELDS:
            element = fields.get(name)
            if element is None:
                if name in ("surname", "forename"):
                    self.warn(_("the pupil has no %(element)s", element=label), "name_missing",
                              position, pupil,
                              PUPIL_PATHS[name])
                continue
            text = element.text
            if text != text.strip() or "  " in text:
                self.warn(_("%(element)s '%(name)s' has leading, trailing or double spaces",
                            element=label, name=text),
                          "name_spaces", position, element, PUPIL_PATHS[name])
            if text.isupper() and sum(c.isalpha() for c in text) > 1:
                self.warn(_("%(element)s '%(name)s' is in capitals; write it as the family does",
                            element=label, name=text),
                          "name_capitals", position, element, PUPIL_PATHS[name])

    def postcode(self, position: int, pupil: etree._Element, entry: PupilIndex,
                 fields: Fields) -> None:
        """Warn on a missing or malformed pupil postcode."""
        if entry.postcode is None:
            self.warn(_("the pupil's address has no postcode"), "postcode_missing", position,
                      pupil, "Address/PostCode")
        elif not POSTCODE.fullmatch(fields["postcode"].text):
            self.warn(_("postcode '%(postcode)s' is not a UK postcode (e.g. DT2 0NS)",
                        postcode=fields["postcode"].text),
                      "postcode_malformed", position, fields["postcode"], "Address/PostCode")

    def leaves(self, position: int, pupil: etree._Element) -> None:
        """Warn on empty elements, which some MIS imports fail on, and on impossible dates.

        Only a pupil whose serialisation shows it may hold either is walked element by element
        (DESIGN.md, CTF format).
        """
        if _leaves_look_right(pupil):
            return
        empty, dates = [], []
        for leaf in pupil.iterdescendants():
            if len(leaf):
                continue
            text = leaf.text
            if text is None or text.isspace():
                empty.append(leaf)
            elif leaf.tag.endswith("Date"):
                dates.append(leaf)
        for element in empty:
            self.warn(_("<%(element)s> is empty; leave it out instead, as some MIS imports "
                        "fail on empty elements", element=element.tag), "empty_element",
                      position, element,
                      _path(element, pupil))
        for element in dates:
            text = element.text.strip()
            if element.tag != "DOB" and _date(text) is None:
                self.warn(_("<%(element)s> '%(text)s' is not a real date (CCYY-MM-DD)",
                            element=element.tag, text=text),
                          "date_impossible", position, element, _path(element, pupil))


_NAME_VALUES = attrgetter(*(name for name, _label in NAME_FIELDS))


def _names_clean(entry: PupilIndex) -> bool:
    # PupilChecks.names without a message, for a pupil without padded fields (each name's
    # text is its value): no spaces doubled, no capitals.
    for text in _NAME_VALUES(entry):
        if text is not None and (
                "  " in text or (text.isupper() and sum(c.isalpha() for c in text) > 1)):
            return False
    return True


# In a pupil's serialisation (libxml2 writes "<" and ">" in text and attributes as &lt; and
# &gt;, and a carriage return in text as &#13;): an empty leaf is written "<X/>", or as a start
# tag, white space and an end tag; a leaf named *Date that holds text is "...Date>" (or
# "...Date attributes>"), the text, then "</".
# The scan for a blank leaf is wary: after a start tag and ASCII white space, a character
# reference or any character past ASCII (the wide spaces among them) is looked at closely too.
_SELF_CLOSED = re.compile("/>")
_START_THEN_BLANK = re.compile(r"<[^/>][^>]*+>[\t-\r\x1c-\x20]*+(?:</|&|[^\x00-\x7f])")
_DATE_TEXT = re.compile(r"Date(?:\s[^>]*)?>([^<]*)</")
# Date texts seen to be real dates, so each is parsed once (bounded: a file may hold many).
_REAL_DATES: set[str] = set()
_REAL_DATES_HELD = 1 << 14


def _leaves_look_right(pupil: etree._Element) -> bool:
    """Return True when a pupil surely has no empty leaf and no leaf *Date that is no date.

    One serialisation and three scans in C, where walking every element in Python cost more
    than parsing them; False only sends the pupil to the walk that finds the elements.
    """
    text = etree.tostring(pupil, encoding=str, with_tail=False)
    if _SELF_CLOSED.search(text) or _START_THEN_BLANK.search(text):
        return False
    for match in _DATE_TEXT.finditer(text):
        value = match.group(1)
        if value in _REAL_DATES or text[text.rfind("<", 0, match.start()) + 1] == "/":
            continue
        if _date(value.strip()) is None:
            return False
        if len(_REAL_DATES) >= _REAL_DATES_HELD:
            _REAL_DATES.clear()
        _REAL_DATES.add(value)
    return True


_date = iso_date


def _path(element: etree._Element, pupil: etree._Element) -> str:
    parts = []
    while element is not None and element is not pupil:
        parts.append(element.tag)
        element = element.getparent()
    return "/".join(reversed(parts))


def _reference_date(header: Header, today: date) -> date:
    stamp = _date((header.date_time or "")[:10])
    return stamp if stamp is not None and stamp <= today else today


# --- the whole file -------------------------------------------------------------------------


def _parse_file_name(file_name: str | None, report: Report) -> None:
    if file_name is None:
        return
    try:
        report.name = parse_name(name=file_name)
    except CTFError as error:
        report.error(_("file name: %(problem)s", problem=error.message), error.code,
                     field=error.field)


def _read(reader: CTFReader, report: Report, today: date, keep_pupils: bool) -> None:
    header = report.header = reader.header
    _check_header_fields(header, report)
    _check_version(header, report, today)
    if report.name is not None:
        _check_name(report.name, header, report)
    checks = PupilChecks(report, _reference_date(header, today))
    for position, element in reader.pupil_elements():
        entry, fields, padded = index_and_fields(pupil=element, position=position)
        checks.run(position, element, entry, fields, leaves=reader.leaves_suspect,
                   padded=padded)
        if keep_pupils:
            report.pupils.append(entry)
    report.pupil_count = reader.pupil_count
    if report.name is not None and report.name.is_lost_pupil and report.pupil_count > 1:
        report.error(
            _("a file for the Lost Pupil Database holds exactly one pupil; this one holds "
              "%(count)s", count=report.pupil_count), LostPupilCountError.code, field="Pupil",
        )


def validate_ctf(
    *,
    source: Source,
    file_name: str | None = None,
    today: date | None = None,
    keep_pupils: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    label: str | None = None,
) -> Report:
    """Validate a CTF and index its pupils; give `file_name` to check the name too.

    Never raises for a bad file: the refusal is in `report.errors`. `today` decides which
    CTF versions are current (the academic year's and the two before).
    """
    today = today or date.today()
    report = Report(file=label or file_name or str(getattr(source, "name", "<bytes>")))
    _parse_file_name(file_name, report)
    try:
        with CTFReader(source=source, limits=limits) as reader:
            _read(reader, report, today, keep_pupils)
    except CTFError as error:
        report.pupil_count = max(report.pupil_count, len(report.pupils))
        report.error(error.message, error.code, field=error.field, line=error.line)
    return report
