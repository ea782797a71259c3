"""The roll is filled from its three sources, each read once (issue 15, What is matched)."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from s2s.feeds.models import Feed, FeedFormat, FeedKind, FeedStatus, Pupil
from s2s.matching.models import RollRecord, RollSource
from s2s.matching.roll import roll_refresh
from s2s.transfers.models import DestinationKind, Mailbox, Transfer, TransferPupil
from s2s.transfers.storage import atomic_with_files, stored_file_write

pytestmark = pytest.mark.django_db

CENSUS = b"""<?xml version="1.0" encoding="UTF-8"?>
<Message><Header><SchoolInformation><LEA>838</LEA><Estab>4512</Estab></SchoolInformation>
</Header><Pupils>
<PupilOnRoll><ApplicationReference/><UPN>A846513319469</UPN><Surname>Jones</Surname>
<Forename>Catherine</Forename><DOB>2014-06-07</DOB><Sex>F</Sex>
<Address><PostCode>DT1 2BB</PostCode><Town>Dorchester</Town></Address></PupilOnRoll>
<PupilOnRoll><UPN>B846513319460</UPN><Surname>Siddiqi</Surname><Forename>Muhammad</Forename>
<FormerSurname>Khan</FormerSurname><DOB>2013-04-03</DOB><Gender>M</Gender></PupilOnRoll>
</Pupils></Message>"""


def _transfer(**fields) -> Transfer:
    values = {"name": "8383321_CTF_8384512_001.XML", "file_type": "CTF",
              "source_code": "8383321", "destination_code": "8384512",
              "destination_kind": DestinationKind.SCHOOL, "sha256": "0" * 64} | fields
    return Transfer.objects.create(**values)


def test_a_ctf_delivered_to_a_school_puts_its_pupils_on_that_school_roll(receiving_school):
    transfer = _transfer(destination_establishment=receiving_school)
    TransferPupil.objects.create(transfer=transfer, position=1, upn="A846513319469",
                                 surname="Jones", forename="Kate", dob=date(2014, 6, 7),
                                 sex="F", postcode="DT1 2BB")
    assert roll_refresh()[RollSource.CTF_DELIVERED] == 1
    row = RollRecord.objects.get()
    assert (row.source, row.establishment, row.forename, row.dob) == (
        RollSource.CTF_DELIVERED, receiving_school, "Kate", date(2014, 6, 7))
    assert row.seen_at == transfer.uploaded_at
    # Read once: a second refresh finds nothing new.
    assert roll_refresh()[RollSource.CTF_DELIVERED] == 0
    assert RollRecord.objects.count() == 1


def test_a_ctf_to_the_lost_pupil_database_is_not_a_roll(sending_school):
    transfer = _transfer(destination_code="XXXXXXX",
                         destination_kind=DestinationKind.LOST_DESTINATION_UNKNOWN)
    TransferPupil.objects.create(transfer=transfer, position=1, surname="Jones")
    assert roll_refresh()[RollSource.CTF_DELIVERED] == 0


def test_a_census_return_in_the_333plas_mailbox_puts_its_pupils_on_the_school_roll(
        home_la, receiving_school):
    with atomic_with_files():
        stored = stored_file_write(content=io.BytesIO(CENSUS), name_hint="census.xml")
        _transfer(name="8384512_PLAS_838PLAS_001.XML", file_type="PLAS",
                  destination_code="838PLAS", destination_kind=DestinationKind.LA_MAILBOX,
                  destination_la=home_la, destination_mailbox=Mailbox.PLAS,
                  stored_file=stored)
    assert roll_refresh()[RollSource.CENSUS] == 2
    rows = {r.upn: r for r in RollRecord.objects.filter(source=RollSource.CENSUS)}
    assert rows["A846513319469"].establishment == receiving_school
    assert rows["A846513319469"].postcode == "DT1 2BB"
    assert rows["B846513319460"].former_surname == "Khan"
    assert rows["B846513319460"].sex == "M"


def test_a_roll_feed_puts_its_pupils_on_roll_on_the_roll(sending_school):
    feed = Feed.objects.create(establishment=sending_school, kind=FeedKind.ROLL,
                               format=FeedFormat.JSON, status=FeedStatus.ACCEPTED)
    Pupil.objects.create(establishment=sending_school, upn="A846513319469", surname="Jones",
                         forename="Kate", dob=date(2014, 6, 7), feed=feed)
    Pupil.objects.create(establishment=sending_school, upn="B846513319460", surname="Gone",
                         forename="Left", on_roll=False, feed=feed)
    call_command("match", "roll")
    assert list(RollRecord.objects.values_list("source", "upn")) == [
        (RollSource.FEED, "A846513319469")]
