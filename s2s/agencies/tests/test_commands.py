"""`s2s create_agency` and `s2s agency_agreement`: the pages' rules, as the system."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from s2s.agencies.models import ExchangeAgreement
from s2s.audit.models import AuditEvent
from s2s.directory.models import Agency


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_agency_adds_an_agency_of_the_la_its_reference_names(home_la):
    out = _run("create_agency", "838socs", "--name", "Dorset children's services", "--kind",
               "social_services", "--email", "duty@dorset.example.gov.uk")

    agency = Agency.objects.get(reference="838SOCS")
    assert agency.la == home_la
    assert agency.kind == "social_services"
    assert out == ("Added agency 838SOCS Dorset children's services (Social services) of "
                   "LA 838.\n")
    assert AuditEvent.objects.get(action="directory.agency.create").actor_username == "system"


@pytest.mark.parametrize(("reference", "kind", "email", "words"), [
    ("838HLT", "health", "a@nhs.example.uk", "REF: An agency reference is the LA number and 4 "
     "capital letters or digits, for example 838HLTH; 838HLT is not."),
    ("8381234", "health", "a@nhs.example.uk", "REF: The last 4 characters of an agency "
     "reference need a letter"),
    ("838PLAS", "health", "a@nhs.example.uk", "cannot be LLLL, PLAS or ADMS"),
    ("999HLTH", "health", "a@nhs.example.uk", "REF: There is no local authority 999"),
    ("838HLTH", "health", "a@nhs.example.uk", "REF: Agency 838HLTH already exists."),
    ("838NEWS", "press", "a@nhs.example.uk", "--kind: The kind of agency must be one of"),
    ("838NEWS", "health", "someone@gmail.com", "--email: Use a work email address"),
    ("838NEWS", "health", "", "--email: Enter an email address."),
])
def test_create_agency_refuses_naming_what_is_wrong(agency, reference, kind, email, words):
    with pytest.raises(CommandError) as refused:
        _run("create_agency", reference, "--name", "X", "--kind", kind, "--email", email)
    assert words in str(refused.value)


def test_agency_agreement_makes_an_agreement_as_the_system(agency, sending_school):
    until = timezone.localdate() + timedelta(days=200)
    out = _run("agency_agreement", "838HLTH", "--direction", "both", "--with",
               "838LLLL,8383321", "--purpose", "School nursing lists", "--until",
               until.isoformat())

    made = ExchangeAgreement.objects.get()
    assert (made.direction, made.ends, made.until) == ("both", ["838LLLL", "8383321"], until)
    assert out == (f"Agreement {made.pk}: 838HLTH both ways with 838LLLL, 8383321 until "
                   f"{until.isoformat()}.\n")
    assert AuditEvent.objects.get(action="agency.agreement_made").actor_username == "system"


@pytest.mark.parametrize(("args", "words"), [
    (("838XXXX", "--direction", "in", "--with", "838LLLL", "--purpose", "p", "--until",
      "2099-01-01"), "REF: there is no agency 838XXXX."),
    (("838HLTH", "--direction", "in", "--with", "6812345", "--purpose", "p", "--until",
      "2099-01-01"), "--with: 6812345 is not the LA mailbox 838LLLL or an open school of LA 838"),
    (("838HLTH", "--direction", "in", "--with", "838LLLL", "--purpose", "p", "--until",
      "next year"), "--until: 'next year' is not a date like 2027-08-31."),
    (("838HLTH", "--direction", "in", "--with", "838LLLL", "--purpose", "p", "--until",
      "2020-01-01"), "--until: The end date must be today or later: 1 January 2020 has passed."),
])
def test_agency_agreement_refuses_naming_the_option(agency, args, words):
    with pytest.raises(CommandError) as refused:
        _run("agency_agreement", *args)
    assert str(refused.value) == words or words in str(refused.value)
    assert not ExchangeAgreement.objects.exists()
