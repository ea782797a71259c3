"""Fixtures for the CTF library's tests: a fixed today, the real samples, small CTFs."""

import io
from datetime import date
from pathlib import Path

import pytest

from s2s.ctf.synthetic import generate_ctf

TODAY = date(2026, 11, 27)
SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "samples" / "ctf"


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def samples():
    if not (SAMPLES / "y7_2_students.xml").is_file():
        pytest.skip(f"the real sample CTFs are not at {SAMPLES} (../shared is absent)")
    return SAMPLES


@pytest.fixture
def small_ctf():
    """Return a generated, valid CTF of 5 pupils from 8383321 to 8384512, and what it holds."""
    buffer = io.BytesIO()
    generated = generate_ctf(
        source="8383321", destination="8384512", pupils=5, out=buffer, seed=7, today=TODAY
    )
    return buffer.getvalue(), generated


HEADER = """<Header>
<DocumentName>Common Transfer File</DocumentName>
<CTFversion>{version}</CTFversion>
<DateTime>2026-11-20T10:00:00</DateTime>
<DocumentQualifier>{qualifier}</DocumentQualifier>
<SupplierID>Test</SupplierID>
<SourceSchool><LEA>838</LEA><Estab>3321</Estab></SourceSchool>
<DestSchool><LEA>{dest_la}</LEA><Estab>{dest_estab}</Estab></DestSchool>
</Header>"""

PUPIL = """<Pupil>
<UPN>{upn}</UPN>
<Surname>{surname}</Surname>
<Forename>{forename}</Forename>
<DOB>{dob}</DOB>
<{sex_tag}>F</{sex_tag}>
<BasicDetails><NCyearActual>{nc_year}</NCyearActual></BasicDetails>
<Address><BS7666Address><PAON>3</PAON><Town>Dorchester</Town></BS7666Address><PostCode>{postcode}</PostCode></Address>
{extra}</Pupil>"""


def make_ctf(*, pupils=None, version="26.0", qualifier="full", dest_la="838",
             dest_estab="4512", **pupil) -> bytes:
    """Return a small hand-written CTF; `pupil` overrides the one default pupil's fields."""
    if pupils is None:
        fields = {"upn": "H801200001001", "surname": "Jones", "forename": "Seren",
                  "dob": "2015-03-04", "sex_tag": "Sex", "nc_year": "6",
                  "postcode": "DT2 0NS", "extra": ""} | pupil
        pupils = [PUPIL.format(**fields)]
    header = HEADER.format(version=version, qualifier=qualifier, dest_la=dest_la,
                           dest_estab=dest_estab)
    body = "\n".join(pupils)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<CTfile>\n{header}\n<CTFpupilData>\n'
            f"{body}\n</CTFpupilData>\n</CTfile>\n").encode()
