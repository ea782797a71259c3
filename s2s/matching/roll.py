"""The roll: every pupil the hub has seen on a school's roll, from its three sources.

`roll_refresh()` copies what arrived since it last ran (each source's watermark is the
newest transfer or feed its rows came from):
- CTFs delivered to a school: the pupils the transfers app indexed from each CTF addressed to
  an establishment (`TransferPupil`), kept here after the file itself is purged;
- census returns in an LA's 333PLAS mailbox: read from the stored file through the CTF
  library's census reader (`ctf/census.py`), for the school the return names;
- MIS roll feeds: the feeds' pupils on roll (`feeds.Pupil`), as their latest feed gave them.

A pupil seen again from the same source and school updates its row (`seen_at` moves on).
"""

import logging
from collections.abc import Iterable, Iterator
from datetime import date

from django.db.models import Max

from s2s.ctf.census import read_census
from s2s.ctf.errors import CTFError
from s2s.directory.models import Establishment
from s2s.feeds.models import Pupil
from s2s.matching.models import RollRecord, RollSource
from s2s.transfers.crypto import StoredFileError
from s2s.transfers.models import DestinationKind, Mailbox, Transfer, TransferPupil
from s2s.transfers.services.upload import NOT_CTF_FORMAT
from s2s.transfers.storage import stored_file_open

logger = logging.getLogger(__name__)

BATCH = 2000
PUPIL_FIELDS = ("upn", "former_upn", "surname", "forename", "middle_names",
                "preferred_surname", "former_surname", "sex", "postcode", "town")
_UNIQUE = ["source", "establishment", "upn", "dob", "surname", "forename"]


def _cut(name: str, value) -> str:
    return (value or "")[:RollRecord._meta.get_field(name).max_length]


def _save(rows: Iterable[RollRecord]) -> int:
    saved, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            saved += _write(batch)
            batch = []
    return saved + (_write(batch) if batch else 0)


def _write(batch: list[RollRecord]) -> int:
    # One row per pupil, source and school, even if a file names the pupil twice.
    unique = {tuple(getattr(r, f if f != "establishment" else "establishment_id")
                    for f in _UNIQUE): r for r in batch}
    RollRecord.objects.bulk_create(
        list(unique.values()), update_conflicts=True, unique_fields=_UNIQUE,
        update_fields=["seen_at", "transfer", "feed", "former_upn", "middle_names",
                       "preferred_surname", "former_surname", "sex", "postcode", "town"])
    return len(unique)


def _watermark(source: str, field: str) -> int:
    return RollRecord.objects.filter(source=source).aggregate(top=Max(field))["top"] or 0


def _delivered() -> Iterator[RollRecord]:
    since = _watermark(RollSource.CTF_DELIVERED, "transfer_id")
    pupils = (TransferPupil.objects
              .filter(transfer_id__gt=since, transfer__destination_kind=DestinationKind.SCHOOL,
                      transfer__destination_establishment__isnull=False)
              .exclude(transfer__file_type__in=NOT_CTF_FORMAT)
              .select_related("transfer").order_by("transfer_id", "position"))
    for pupil in pupils.iterator(chunk_size=BATCH):
        transfer = pupil.transfer
        yield RollRecord(
            source=RollSource.CTF_DELIVERED,
            establishment_id=transfer.destination_establishment_id, transfer=transfer,
            seen_at=transfer.uploaded_at, dob=pupil.dob,
            **{name: _cut(name, getattr(pupil, name)) for name in PUPIL_FIELDS})


def _census_rows(transfer: Transfer, schools: dict[str, int]) -> list[RollRecord]:
    try:
        with stored_file_open(transfer.stored_file) as chunks:
            census = read_census(_Chunks(chunks))
    except (CTFError, StoredFileError) as exc:
        # The code only: a parser's message may quote the file, which holds pupil data.
        logger.warning("Census transfer %s not read for the roll: %s", transfer.pk,
                       getattr(exc, "code", type(exc).__name__))
        return []
    school = schools.get(census.school) or transfer.source_establishment_id
    if school is None:
        return []
    rows = []
    for pupil in census.pupils:
        try:
            dob = date.fromisoformat(pupil.get("dob", "")[:10]) if pupil.get("dob") else None
        except ValueError:
            dob = None
        rows.append(RollRecord(
            source=RollSource.CENSUS, establishment_id=school, transfer=transfer,
            seen_at=transfer.uploaded_at, dob=dob,
            **{name: _cut(name, pupil.get(name)) for name in PUPIL_FIELDS}))
    return rows


class _Chunks:
    """A file-like object over the stored file's verified chunks, for the XML parser."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def _census() -> Iterator[RollRecord]:
    since = _watermark(RollSource.CENSUS, "transfer_id")
    transfers = (Transfer.objects
                 .filter(id__gt=since, file_type="PLAS", destination_mailbox=Mailbox.PLAS,
                         stored_file__isnull=False)
                 .select_related("stored_file").order_by("id"))
    schools = None
    for transfer in transfers:
        if schools is None:
            schools = dict(Establishment.objects.values_list("code", "id"))
        yield from _census_rows(transfer, schools)


def _feeds() -> Iterator[RollRecord]:
    since = _watermark(RollSource.FEED, "feed_id")
    pupils = (Pupil.objects.filter(feed_id__gt=since, on_roll=True)
              .select_related("feed").order_by("feed_id", "id"))
    for pupil in pupils.iterator(chunk_size=BATCH):
        yield RollRecord(
            source=RollSource.FEED, establishment_id=pupil.establishment_id,
            feed_id=pupil.feed_id, seen_at=pupil.feed.received_at, dob=pupil.dob,
            **{name: _cut(name, getattr(pupil, name)) for name in PUPIL_FIELDS})


def roll_refresh() -> dict[str, int]:
    """Copy to the roll the pupils that arrived since the last refresh, by source."""
    return {RollSource.CTF_DELIVERED: _save(_delivered()),
            RollSource.CENSUS: _save(_census()),
            RollSource.FEED: _save(_feeds())}
