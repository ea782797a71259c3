"""The census reader gives the school and its pupils on roll, and refuses what is not XML."""

import io

import pytest

from s2s.ctf.census import read_census
from s2s.ctf.errors import CTFError

CENSUS = b"""<?xml version="1.0" encoding="UTF-8"?>
<Message xmlns="urn:example:census"><Header><SchoolInformation><LEA>838</LEA>
<Estab>4512</Estab></SchoolInformation></Header><Pupils>
<PupilOnRoll><UPN>A846513319469</UPN><Surname>Jones</Surname><Forename>Catherine</Forename>
<MiddleNames>Ann</MiddleNames><DOB>2014-06-07</DOB><Sex>F</Sex>
<Address><PostCode>DT1 2BB</PostCode><Town>Dorchester</Town></Address></PupilOnRoll>
<PupilOnRoll><UPN>B846513319460</UPN><Surname>Siddiqi</Surname><Forename>Muhammad</Forename>
<FormerSurname>Khan</FormerSurname><DOB>2013-04-03</DOB><Gender>M</Gender></PupilOnRoll>
</Pupils></Message>"""


def test_a_census_gives_its_school_and_each_pupil_on_roll():
    census = read_census(io.BytesIO(CENSUS))
    assert census.school == "8384512"
    assert census.pupils == [
        {"upn": "A846513319469", "surname": "Jones", "forename": "Catherine",
         "middle_names": "Ann", "dob": "2014-06-07", "sex": "F", "postcode": "DT1 2BB",
         "town": "Dorchester"},
        {"upn": "B846513319460", "surname": "Siddiqi", "forename": "Muhammad",
         "former_surname": "Khan", "dob": "2013-04-03", "sex": "M"},
    ]


def test_a_census_that_is_not_well_formed_is_refused():
    with pytest.raises(CTFError, match="not well-formed"):
        read_census(io.BytesIO(b"<Message><Pupils><PupilOnRoll></Pupils>"))
