"""Who may reach the agencies pages: agreements and Operation Encompass notifications."""

import io
import json
from datetime import date

from django.utils import timezone

from s2s.agencies.encompass import read_by_for
from s2s.agencies.models import EncompassNotification, ExchangeAgreement
from s2s.core.tests.matrix import Row
from s2s.directory.models import Agency, AgencyKind
from s2s.transfers.storage import stored_file_write

DBA = frozenset({"la_dba"})
AGREEMENT_READERS = frozenset({"la_dba", "la_dba_view", "agency"})
ENCOMPASS = frozenset({"agency", "school", "la_dba", "la_user"})


def _agreement(world):
    agreement = ExchangeAgreement.objects.create(
        agency=world.agency, direction="both", ends=[f"{world.home_la.number}LLLL"],
        purpose="School nursing", until=date(2099, 1, 1))
    return {"pk": agreement.pk}


def _notification(agency, school) -> dict:
    stored = stored_file_write(content=io.BytesIO(json.dumps({
        "surname": "Smith", "forename": "Ann", "upn": "", "summary": "Incident",
        "dob": "2016-03-27", "incident_on": "2026-01-01"}).encode()), name_hint="x")
    now = timezone.now()
    notification = EncompassNotification.objects.create(
        agency=agency, establishment=school, reference="POL/1", stored_file=stored,
        sent_at=now, read_by_at=read_by_for(school=school, sent_at=now))
    return {"pk": notification.pk}


def _ours(world):
    return _notification(world.agency, world.own_school)


def _theirs(world):
    police, _made = Agency.objects.get_or_create(
        reference="681POLC", defaults={"la": world.other_la, "name": "Police",
                                       "kind": AgencyKind.POLICE})
    return _notification(police, world.outsider_school)


ROWS = [
    Row("agencies:agreement-list", allowed=AGREEMENT_READERS),
    Row("agencies:agreement-create", allowed=DBA),
    Row("agencies:agreement-create", allowed=DBA, method="post", label="post"),
    Row("agencies:agreement-end", allowed=DBA, kwargs=_agreement, method="post",
        redirect="agencies:agreement-list"),
    Row("agencies:encompass-list", allowed=ENCOMPASS),
    Row("agencies:encompass-create", allowed=frozenset({"agency"})),
    Row("agencies:encompass-create", allowed=frozenset({"agency"}), method="post",
        label="post"),
    Row("agencies:encompass-detail", allowed=ENCOMPASS, kwargs=_ours,
        label="from the user's agency to a school of its LA"),
    Row("agencies:encompass-detail", allowed=frozenset(), kwargs=_theirs,
        label="another LA's agency to its school"),
]
