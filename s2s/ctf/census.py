"""The pupils of a school census (PLASC) return, for the matcher's roll (issue 15).

The census is not a CTF, but it is XML from the same MIS: each pupil on roll is a
`PupilOnRoll` element with the CTF's own field names (UPN, FormerUPN, Surname, Forename,
MiddleNames, PreferredSurname, FormerSurname, DOB, Sex or Gender, and an address with
PostCode and Town), and the school is the header's LEA and Estab (or its LAESTAB). Namespaces
are ignored. Read through the hostile-XML guard (`hostile.xml_events`): a DTD or an entity is
never loaded; a file that is not well-formed raises the guard's `CTFError`.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from lxml import etree

from s2s.ctf.hostile import parser_error, xml_events

PUPIL_TAGS = frozenset({"PupilOnRoll", "Pupil"})
_FIELDS = {
    "UPN": "upn", "FormerUPN": "former_upn", "Surname": "surname", "Forename": "forename",
    "MiddleNames": "middle_names", "PreferredSurname": "preferred_surname",
    "FormerSurname": "former_surname", "DOB": "dob", "Sex": "sex", "Gender": "sex",
    "PostCode": "postcode", "Postcode": "postcode", "Town": "town",
}


@dataclass
class Census:
    """The school a census return is for, and its pupils on roll as dicts of text."""

    school: str = ""
    pupils: list[dict] = field(default_factory=list)


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _pupil(element: etree._Element) -> dict:
    pupil: dict[str, str] = {}
    for child in element.iter():
        name = _FIELDS.get(_local(child.tag))
        if name and name not in pupil and child.text and child.text.strip():
            pupil[name] = child.text.strip()
    return pupil


def _elements(source: BinaryIO) -> Iterator[etree._Element]:
    parsing = xml_events(source)
    try:
        yield from (element for _event, element in parsing)
    except etree.XMLSyntaxError as exc:
        raise parser_error(exc, parsing.error_log) from None


def read_census(source: BinaryIO) -> Census:
    """Return the census return's school (LAESTAB) and its pupils on roll."""
    census = Census()
    header: dict[str, str] = {}
    for element in _elements(source):
        tag = _local(element.tag)
        if tag in PUPIL_TAGS:
            census.pupils.append(_pupil(element))
            element.clear()
        elif tag in ("LEA", "Estab", "LAESTAB") and element.text and tag not in header:
            header[tag] = element.text.strip()
    census.school = header.get("LAESTAB") or header.get("LEA", "") + header.get("Estab", "")
    if not census.school.isdigit() or len(census.school) != 7:
        census.school = ""
    return census

