"""Lost pupil records straight from synthetic pupils, for the search tests and the benchmark.

Rows are written directly (bulk inserts in batches), not through uploads: a search reads only
the index rows, so a million of them can be made in minutes. Each record still has a Transfer
row (one-to-one, as intake makes it), with no stored file.
"""

from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from s2s.ctf.records import PupilData
from s2s.lostpupils.keys import record_keys, upn_key
from s2s.lostpupils.models import LostPupilKind, LostPupilName, LostPupilRecord
from s2s.lostpupils.services.intake import name_rows
from s2s.transfers.models import DestinationKind, Transfer


def record_values(pupil: PupilData) -> dict:
    """Return a record's pupil fields and search keys for a synthetic pupil."""
    dob = date.fromisoformat(pupil.dob) if pupil.dob else None
    address = pupil.address
    town = address.town if address else ""
    postcode = address.postcode if address else ""
    values = {
        "upn": upn_key(pupil.upn), "former_upn": upn_key(pupil.former_upn),
        "surname": pupil.surname, "forename": pupil.forename,
        "middle_names": pupil.middle_names or "",
        "preferred_surname": pupil.preferred_surname or "",
        "former_surname": pupil.former_surname or "", "dob": dob,
        "sex": (pupil.sex or "")[:1], "town": town or "", "postcode": postcode or "",
    }
    values.update(record_keys(forename=pupil.forename, dob=dob, town=town or "",
                              postcode=postcode or "", surname=pupil.surname,
                              preferred=values["preferred_surname"],
                              former=values["former_surname"]))
    return values


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _transfer(school, n: int, when: datetime) -> Transfer:
    return Transfer(
        name=f"{school.code}_CTF_XXXXXXX_{n % 1000:03d}.XML", file_type="CTF",
        source_code=school.code, source_establishment=school, destination_code="XXXXXXX",
        destination_kind=DestinationKind.LOST_DESTINATION_UNKNOWN, uploaded_at=when,
        sha256=f"{n:064x}", pupil_count=1,
    )


def load_records(*, pupils: Iterable[PupilData], school, batch_size: int = 2000,
                 uploaded_at: datetime | None = None) -> list[int]:
    """Store each pupil as an open LPD record uploaded by `school`; return the record ids."""
    when = uploaded_at or timezone.now()
    ids: list[int] = []
    for number, batch in enumerate(_batches(pupils, batch_size)):
        with transaction.atomic():
            transfers = Transfer.objects.bulk_create(
                [_transfer(school, number * batch_size + i, when) for i in range(len(batch))])
            records = LostPupilRecord.objects.bulk_create([
                LostPupilRecord(transfer=transfer, kind=LostPupilKind.MISSING,
                                uploading_la_id=school.la_id, uploading_school=school,
                                uploaded_at=when, **record_values(pupil))
                for transfer, pupil in zip(transfers, batch, strict=True)
            ])
            LostPupilName.objects.bulk_create(
                [row for record in records for row in name_rows(record)])
        ids.extend(record.pk for record in records)
    return ids
