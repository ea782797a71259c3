"""Seeded synthetic CTFs for demo data, tests and benchmarks, with optional realistic errors.

Names come from the weighted lists in `data/` (many communities; hyphenated and
double-barrelled surnames). Dates of birth fit the NC year, UPNs and ULNs are valid, and each
pupil has an address, contacts, attendance, assessments and a school history. With an error
rate, some pupils are written with one realistic mistake (a typo, a day/month swap, a changed
surname, a nickname, a missing UPN) and the truth is kept beside it for matching tests.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import BinaryIO

from s2s.ctf.identifiers import LA_NAMES, make_upn, uln_check_digit
from s2s.ctf.names import PlaceKind, parse_place
from s2s.ctf.records import (
    Address,
    Assessment,
    AttendanceYear,
    Contact,
    HeaderData,
    Phone,
    PupilData,
    SchoolRecord,
)
from s2s.ctf.writer import write_ctf

ERROR_KINDS = ("typo", "day_month_swap", "surname_change", "nickname", "missing_upn")
NC_YEARS = ("R",) + tuple(str(n) for n in range(1, 12))
ETHNICITIES = (("WBRI", 70), ("WOTH", 6), ("WIRI", 1), ("APKN", 4), ("AIND", 3), ("ABAN", 2),
               ("BAFR", 4), ("BCRB", 2), ("CHNE", 1), ("MWBC", 2), ("MWAS", 1), ("AOTH", 2),
               ("WROM", 1), ("OOTH", 1), ("REFU", 1))
LANGUAGES = (("ENG", 80), ("POL", 3), ("URD", 3), ("PNJ", 2), ("BEN", 2), ("SOM", 1),
             ("ARA", 2), ("RUM", 2), ("WEL", 3), ("POR", 1), ("GUJ", 1))
STREET_WORDS = ("Church", "Station", "Mill", "High", "Park", "Victoria", "Albert", "Manor",
                "Queen's", "King's", "Chapel", "School", "Meadow", "Orchard", "Bridge",
                "Castle", "Heol y Bryn", "Maes yr Haf", "Windsor", "Green", "Acacia", "Oak",
                "Beech", "Elm", "Willow", "Hawthorn", "Cedar", "Ashgrove", "Brook")
STREET_KINDS = ("Road", "Street", "Lane", "Close", "Avenue", "Way", "Drive", "Gardens",
                "Crescent", "Terrace", "Court", "Place")
HOUSE_NAMES = ("Rose Cottage", "The Old Forge", "Ty Gwyn", "Orchard House", "The Laurels",
               "Hillside", "Woodlands", "Meadow View", "The Bungalow", "Fairhaven")
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
LEAVING_REASONS = ("MO", "TR", "IM", "OR", "EM", "HE")


@dataclass(frozen=True, slots=True)
class InjectedError:
    """One mistake written into a pupil, with what was true."""

    kind: str
    field: str
    true_value: str | None
    written_value: str | None


@dataclass(slots=True)
class SyntheticPupil:
    """A generated pupil: the truth, what was written, and the mistakes between them."""

    truth: PupilData
    written: PupilData
    errors: list[InjectedError] = field(default_factory=list)


@cache
def _weighted(name: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    text = resources.files("s2s.ctf").joinpath("data", name).read_text(encoding="utf-8")
    totals: dict[str, int] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            value, weight = line.split("\t")
            totals[value] = totals.get(value, 0) + int(weight)
    return tuple(totals), tuple(totals.values())


@cache
def _table(name: str) -> tuple[tuple[str, ...], ...]:
    text = resources.files("s2s.ctf").joinpath("data", name).read_text(encoding="utf-8")
    return tuple(
        tuple(line.split("\t")) for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def academic_year_start(*, today: date) -> int:
    """Return the calendar year in which the current academic year began (1 September)."""
    return today.year if today.month >= 9 else today.year - 1


class PupilFactory:
    """Makes pupils for one source school, deterministically from a seed."""

    def __init__(self, *, seed: int | None, source: str, today: date, error_rate: float = 0.0):
        self.random = random.Random(seed)
        self.source = source
        self.la = source[:3]
        self.establishment = source[3:] if source[3:].isdigit() else "1000"
        self.today = today
        self.year = academic_year_start(today=today)
        self.error_rate = error_rate
        self.used_upns: set[str] = set()
        towns = [row for row in _table("places.txt") if row[2] == self.la]
        self.towns = towns or list(_table("places.txt"))

    def _pick(self, name: str) -> str:
        values, weights = _weighted(name)
        return self.random.choices(values, weights)[0]

    def _choice(self, options: tuple[tuple[str, int], ...]) -> str:
        return self.random.choices([o[0] for o in options], [o[1] for o in options])[0]

    def surname(self) -> str:
        """Return a surname; a few are hyphenated from two, as families often choose."""
        name = self._pick("surnames.txt")
        if self.random.random() < 0.03:
            other = self._pick("surnames.txt")
            if other != name and " " not in name + other:
                name = f"{name}-{other}"
        return name

    def _dob(self, nc_year: str) -> str:
        # Age on 31 August before the academic year is the NC year + 4 (reception is 4).
        age = 4 if nc_year == "R" else int(nc_year) + 4
        first = date(self.year - age - 1, 9, 1)
        return (first + timedelta(days=self.random.randrange(365))).isoformat()

    def _upn(self, dob: str) -> str:
        while True:
            la = self.la if self.random.random() < 0.8 else self.random.choice(list(LA_NAMES))
            upn = make_upn(
                la=la, establishment=f"{self.random.randrange(1000, 8000)}",
                year=int(dob[:4]) + 5, serial=self.random.randrange(1000),
            )
            if upn not in self.used_upns:
                self.used_upns.add(upn)
                return upn

    def _uln(self) -> str:
        while True:
            body = f"{self.random.randrange(100_000_000, 1_000_000_000)}"
            digit = uln_check_digit(body=body)
            if digit is not None:
                return f"{body}{digit}"

    def _postcode(self, area: str) -> str:
        letters = self.random.choices(POSTCODE_LETTERS, k=2)
        district, sector = self.random.randrange(1, 20), self.random.randrange(10)
        return f"{area}{district} {sector}{''.join(letters)}"

    def _address(self) -> Address:
        town, area, _la = self.random.choice(self.towns)
        if self.random.random() < 0.15:
            # SIMS pads a house name to the right of ten spaces; the padding must survive.
            paon = " " * 10 + self.random.choice(HOUSE_NAMES)
        else:
            paon = str(self.random.randrange(1, 240))
        street = f"{self.random.choice(STREET_WORDS)} {self.random.choice(STREET_KINDS)}"
        return Address(paon=paon, street=street, town=town, postcode=self._postcode(area))

    def _phone(self, kind: str) -> Phone:
        if kind == "M":
            return Phone("M", f"07{self.random.randrange(100_000_000, 999_999_999)}")
        area, number = self.random.randrange(200, 999), self.random.randrange(10**5, 10**6)
        return Phone("H", f"01{area}{number}")

    def _contacts(self, surname: str) -> list[Contact]:
        contacts = []
        for order, (relationship, title, sex) in enumerate(
            (("PAM", "Mrs", "female"), ("PAF", "Mr", "male")), start=1
        ):
            if order == 2 and self.random.random() < 0.3:
                break
            forename = self._pick(f"forenames_{sex}.txt")
            own = surname if self.random.random() < 0.8 else self.surname()
            email = f"{forename.lower()}.{own.lower().replace(' ', '')}{order}@example.com"
            contacts.append(Contact(
                order=order, title=title, surname=own, forename=forename,
                relationship=relationship, responsibility=True,
                phones=[self._phone("M"), self._phone("H")], email=email,
            ))
        return contacts

    def _attendance(self) -> list[AttendanceYear]:
        possible = self.random.randrange(300, 381)
        authorised = self.random.randrange(0, 20)
        unauthorised = self.random.randrange(0, 8)
        return [AttendanceYear(
            year=str(self.year - 1), la=self.la, establishment=self.establishment,
            sessions_possible=possible, sessions_authorised=authorised,
            sessions_attended=possible - authorised - unauthorised,
            sessions_unauthorised=unauthorised,
        )]

    def _assessments(self, nc_year: str) -> list[Assessment]:
        done = 0 if nc_year == "R" else int(nc_year)
        results = []
        if done >= 3:
            year = str(self.year - done + 2)
            for subject in ("ENG", "MAT", "SCI"):
                results.append(Assessment("KS1", year, subject, "TA", subject,
                                          self.random.choice(("WTS", "EXS", "EXS", "GDS"))))
        if done >= 7:
            year = str(self.year - done + 6)
            for subject in ("ENG", "MAT"):
                results.append(Assessment("KS2", year, subject, "TT", subject,
                                          str(self.random.randrange(85, 121))))
        return results

    def _schools(self, dob: str, leaver: bool) -> list[SchoolRecord]:
        entry = date(int(dob[:4]) + 5, 9, self.random.randrange(1, 8)).isoformat()
        current = SchoolRecord(self.la, self.establishment, None, entry)
        if leaver:
            current.leaving_date = (self.today - timedelta(days=self.random.randrange(1, 30))
                                    ).isoformat()
            current.leaving_reason = self.random.choice(LEAVING_REASONS)
        return [current]

    def pupil(self, *, leaver: bool = True) -> PupilData:
        """Return one realistic, valid pupil."""
        sex = self.random.choice("MF")
        forenames = "forenames_male.txt" if sex == "M" else "forenames_female.txt"
        nc_year = self.random.choice(NC_YEARS)
        dob = self._dob(nc_year)
        surname = self.surname()
        forename = self._pick(forenames)
        middle = self._pick(forenames) if self.random.random() < 0.6 else None
        older = nc_year != "R" and int(nc_year) >= 9
        return PupilData(
            upn=self._upn(dob), uln=self._uln() if older else None, surname=surname,
            forename=forename, dob=dob, sex=sex, preferred_surname=surname,
            preferred_forename=forename, middle_names=middle if middle != forename else None,
            nc_year=nc_year, ethnicity=self._choice(ETHNICITIES),
            language=self._choice(LANGUAGES), address=self._address(),
            contacts=self._contacts(surname), attendance=self._attendance(),
            assessments=self._assessments(nc_year), schools=self._schools(dob, leaver),
        )

    def synthetic(self, *, leaver: bool = True) -> SyntheticPupil:
        """Return a pupil and, at the error rate, a written copy with one realistic mistake."""
        truth = self.pupil(leaver=leaver)
        if self.random.random() >= self.error_rate:
            return SyntheticPupil(truth=truth, written=truth)
        written = replace(truth)
        error = self._inject(written)
        return SyntheticPupil(truth=truth, written=written, errors=[error])

    def _typo(self, text: str) -> str:
        """Return the text with one letter swapped, dropped or doubled: never unchanged."""
        if len(text) < 3:
            return text + text[-1]
        i = self.random.randrange(1, len(text) - 1)
        how = self.random.randrange(3)
        if how == 0 and text[i] != text[i + 1]:
            return text[:i] + text[i + 1] + text[i] + text[i + 2:]
        if how == 1:
            return text[:i] + text[i + 1:]
        return text[:i] + text[i] + text[i:]

    def _error_kind(self, pupil: PupilData) -> str:
        kind = self.random.choice(ERROR_KINDS)
        if kind == "nickname" and pupil.forename not in dict(_table("nicknames.txt")):
            return "typo"
        if kind == "day_month_swap" and pupil.dob[5:7] == pupil.dob[8:10]:
            return "typo"  # the 4th of April swaps to itself
        return kind

    def _inject(self, pupil: PupilData) -> InjectedError:
        kind = self._error_kind(pupil)
        if kind == "nickname":
            old = pupil.forename
            pupil.forename = self.random.choice(dict(_table("nicknames.txt"))[old].split(","))
            pupil.preferred_forename = pupil.forename
            return InjectedError(kind, "forename", old, pupil.forename)
        if kind == "typo":
            name = self.random.choice(("surname", "forename"))
            old = getattr(pupil, name)
            setattr(pupil, name, self._typo(old))
            return InjectedError(kind, name, old, getattr(pupil, name))
        if kind == "day_month_swap":
            old = pupil.dob
            pupil.dob = f"{old[:4]}-{old[8:10]}-{old[5:7]}"
            return InjectedError(kind, "dob", old, pupil.dob)
        if kind == "surname_change":
            old = pupil.surname
            while pupil.surname == old:
                pupil.surname = self.surname()
            pupil.preferred_surname = pupil.surname
            return InjectedError(kind, "surname", old, pupil.surname)
        old, pupil.upn = pupil.upn, None
        return InjectedError("missing_upn", "upn", old, None)


def synthetic_header(
    *, source: str, destination: str, today: date, leaver: bool = True
) -> HeaderData:
    """Return the header of a synthetic CTF from `source` to `destination`."""
    dest = parse_place(code=destination)
    la, establishment = destination[:3], destination[3:]
    if dest.kind is PlaceKind.LA_MAILBOX:
        establishment = "LLLL"
    src = parse_place(code=source, role="source")
    year = academic_year_start(today=today)
    return HeaderData(
        source_la=source[:3], source_establishment=source[3:] if src.kind is PlaceKind.SCHOOL
        else "LLLL", destination_la=la, destination_establishment=establishment,
        version=f"{year % 100}.0", date_time=f"{today.isoformat()}T09:00:00",
        document_qualifier="full" if leaver else "partial", supplier_id="s2s synthetic",
        source_name=f"School {source}", academic_year=str(year),
    )


def synthetic_pupils(
    *,
    source: str,
    count: int | None,
    seed: int | None = None,
    error_rate: float = 0.0,
    today: date | None = None,
) -> Iterator[SyntheticPupil]:
    """Yield `count` synthetic pupils (for ever when None), the same for the same seed."""
    factory = PupilFactory(seed=seed, source=source, today=today or date.today(),
                           error_rate=error_rate)
    made = 0
    while count is None or made < count:
        yield factory.synthetic()
        made += 1


@dataclass(frozen=True, slots=True)
class Generated:
    """A generated CTF: its header and every pupil's truth, written copy and mistakes."""

    header: HeaderData
    pupils: list[SyntheticPupil]


def generate_ctf(
    *,
    source: str,
    destination: str,
    pupils: int,
    out: BinaryIO,
    seed: int | None = None,
    error_rate: float = 0.0,
    today: date | None = None,
) -> Generated:
    """Write a synthetic CTF to `out` and return what it holds, truth included."""
    today = today or date.today()
    header = synthetic_header(source=source, destination=destination, today=today)
    made: list[SyntheticPupil] = []

    def written() -> Iterator[PupilData]:
        for pupil in synthetic_pupils(
            source=source, count=pupils, seed=seed, error_rate=error_rate, today=today
        ):
            made.append(pupil)
            yield pupil.written

    write_ctf(header=header, pupils=written(), out=out)
    return Generated(header=header, pupils=made)
