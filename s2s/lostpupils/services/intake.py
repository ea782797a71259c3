"""Intake: a file sent to XXXXXXX or MMMMMMM becomes a record of the Lost Pupil Database.

Called by `transfer_upload` inside its transaction, so the file, its pupil index and its LPD
record land together or not at all. Imports no transfer service: upload imports this module.
"""

from django.db.models import Q

from s2s.lostpupils import emails
from s2s.lostpupils.keys import record_keys, upn_key, variants_of
from s2s.lostpupils.models import HELD, LostPupilKind, LostPupilName, LostPupilRecord
from s2s.transfers.models import DestinationKind, Transfer, TransferPupil

_KIND = {
    DestinationKind.LOST_DESTINATION_UNKNOWN: LostPupilKind.MISSING,
    DestinationKind.LOST_LEFT_MAINTAINED_SECTOR: LostPupilKind.LEFT_SECTOR,
}
_COPIED = ("surname", "forename", "middle_names", "preferred_surname", "former_surname",
           "dob", "sex", "town", "postcode")


def pupil_fields(pupil: TransferPupil) -> dict:
    """Return a record's pupil fields and search keys from the file's pupil index."""
    values = {name: getattr(pupil, name) for name in _COPIED}
    values.update(upn=upn_key(pupil.upn), former_upn=upn_key(pupil.former_upn))
    values["sex"] = (values["sex"] or "").upper()[:1]
    values.update(record_keys(forename=pupil.forename, dob=pupil.dob, town=pupil.town,
                              postcode=pupil.postcode, surname=pupil.surname,
                              preferred=pupil.preferred_surname, former=pupil.former_surname))
    return values


def name_rows(record: LostPupilRecord) -> list[LostPupilName]:
    """Return the record's surname variants (its `name_keys`) as rows to store."""
    return [LostPupilName(record=record, kind=kind, name=name, key=key)
            for kind, name, key in variants_of(record.name_keys)]


def first_record_of(record: LostPupilRecord) -> LostPupilRecord | None:
    """Return the earliest held record of the same pupil: same UPN, or same name and DOB."""
    same = Q(pk__in=[])
    upns = {u for u in (record.upn, record.former_upn) if u}
    if upns:
        same |= Q(upn__in=upns) | Q(former_upn__in=upns)
    if record.surname_norm and record.forename_norm and record.dob:
        same |= Q(surname_norm=record.surname_norm, forename_norm=record.forename_norm,
                  dob=record.dob)
    first = (LostPupilRecord.objects.filter(same, status__in=HELD).exclude(pk=record.pk)
             .order_by("uploaded_at", "pk").first())
    while first is not None and first.same_pupil_as_id:
        first = first.same_pupil_as
    return first


def lost_pupil_intake(*, transfer: Transfer) -> LostPupilRecord:
    """Index the one pupil of a file sent to the LPD; link and flag a second file.

    A file for a pupil already in the LPD (same UPN or former UPN, or the same surname,
    forename and DOB) is kept and linked to the first record (`same_pupil_as`), and the
    uploading LA is told (issue 5, "Intake"). transfer_upload has already refused a file with
    more or fewer than one pupil (seed 003, 1.3).
    """
    pupil = transfer.pupils.order_by("position").first() or TransferPupil(position=1)
    school = transfer.source_establishment
    record = LostPupilRecord.objects.create(
        transfer=transfer, kind=_KIND[transfer.destination_kind],
        uploading_la_id=school.la_id if school else transfer.source_la_id,
        uploading_school=school, uploaded_at=transfer.uploaded_at, **pupil_fields(pupil),
    )
    LostPupilName.objects.bulk_create(name_rows(record))
    first = first_record_of(record)
    if first is not None:
        record.same_pupil_as = first
        record.save(update_fields=["same_pupil_as"])
        emails.send_second_file(record=record)
    return record
