"""The search keys intake stores (keys.py), and the migration that copied them to old records."""

from importlib import import_module
from types import SimpleNamespace

from django.apps import apps
from django.db import connection

from s2s.ctf.records import Address, PupilData
from s2s.lostpupils.keys import record_keys, surname_variants, variants_of, variants_text
from s2s.lostpupils.models import LostPupilRecord
from s2s.lostpupils.synthetic import load_records
from s2s.lostpupils.tests.conftest import send_lost


def test_surname_variants_are_stored_as_text_and_read_back_in_their_order():
    variants = surname_variants(surname="Ap Rhys Pryce", former="O'Brien")
    assert variants == [("legal", "APRHYSPRYCE", "APRSPRS"), ("former", "OBRIEN", "ABRN"),
                        ("part", "RHYS", "RS"), ("part", "PRYCE", "PRS"),
                        ("fused", "PRHYS", "PRS")]  # Welsh ap Rhys as Price (issue 17)
    text = variants_text(variants)
    assert text == ("legal:APRHYSPRYCE:APRSPRS former:OBRIEN:ABRN part:RHYS:RS part:PRYCE:PRS "
                    "fused:PRHYS:PRS")
    assert variants_of(text) == variants


def test_a_pupil_without_a_surname_has_no_variants():
    assert variants_text(surname_variants(surname="")) == ""
    assert variants_of("") == []


def test_the_record_keys_include_the_surname_variants():
    keys = record_keys(forename="Olivia", dob=None, town="", postcode="", surname="Smyth",
                       preferred="Smith")
    assert keys["name_keys"] == "legal:SMYTH:SMT preferred:SMITH:SMT"


def test_the_migration_copies_each_records_name_rows_in_order(sending_school_user):
    first = send_lost(sending_school_user, "8383321", surname="Smyth-Jones",
                      preferred_surname="", former_surname="Thomson").lost_pupil
    second = send_lost(sending_school_user, "8383321", surname="Ali",
                       preferred_surname="").lost_pupil
    expected = dict(LostPupilRecord.objects.values_list("pk", "name_keys"))
    LostPupilRecord.objects.update(name_keys="")
    migration = import_module("s2s.lostpupils.migrations.0003_record_name_keys")
    migration.fill_name_keys(apps, SimpleNamespace(connection=connection))
    assert dict(LostPupilRecord.objects.values_list("pk", "name_keys")) == expected
    assert expected[first.pk] == ("legal:SMYTHJONES:SMTJNS former:THOMSON:TMSN "
                                  "part:SMYTH:SMT part:JONES:JNS")
    assert expected[second.pk] == "legal:ALI:AL"



def test_the_longest_names_fit_the_dob_index(sending_school):
    """PostgreSQL refuses an index entry over about 2,700 bytes; the DOB index holds the names."""
    letters = "BDFKLMNPRST"  # each its own sound, so a key is as long as its name
    words = [a + b.lower() for a in letters for b in letters if a != b]
    texts = [" ".join(words[n * 33:(n + 1) * 33])[:100] for n in range(3)]  # 33 parts each
    pupil = PupilData(
        upn="A" * 13, former_upn="B" * 13, surname=texts[0], forename="Z" * 100,
        preferred_surname=texts[1], former_surname=texts[2], dob="2012-01-02", sex="F",
        address=Address(paon="1", street="High Street", town="Y" * 100, postcode="X" * 10))
    [record_id] = load_records(pupils=[pupil], school=sending_school)
    record = LostPupilRecord.objects.get(pk=record_id)
    assert len(record.name_keys) > 1000
    assert record.names.count() == 3 + 99
