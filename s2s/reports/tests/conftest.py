"""A known data set of transfers, made straight with the ORM (no stored file is needed)."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from s2s.directory.models import Establishment, EstablishmentStatus, LocalAuthority, Nation
from s2s.transfers.models import DestinationKind, Transfer, TransferStatus

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    """Return a London time from "2025-09-01 09:15"."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def _source(source) -> dict:
    if isinstance(source, Establishment):
        return {"source_code": source.code, "source_establishment": source}
    la, mailbox = source
    return {"source_code": f"{la.number}{mailbox}", "source_la": la, "source_mailbox": mailbox}


def _destination(destination) -> dict:
    if isinstance(destination, Establishment):
        return {"destination_code": destination.code, "destination_establishment": destination,
                "destination_kind": DestinationKind.SCHOOL}
    if destination == "XXXXXXX":
        return {"destination_code": destination,
                "destination_kind": DestinationKind.LOST_DESTINATION_UNKNOWN}
    if destination == "MMMMMMM":
        return {"destination_code": destination,
                "destination_kind": DestinationKind.LOST_LEFT_MAINTAINED_SECTOR}
    la, mailbox = destination
    return {"destination_code": f"{la.number}{mailbox}", "destination_la": la,
            "destination_mailbox": mailbox, "destination_kind": DestinationKind.LA_MAILBOX}


def make_transfer(source, destination, *, uploaded: datetime, status=TransferStatus.AWAITING,
                  pupils: int = 1, file_type: str = "CTF", downloaded: datetime | None = None,
                  **fields) -> Transfer:
    """Make one Transfer row from a school or (LA, mailbox) to a school, mailbox or the LPD.

    The sender's serial (NNN) is the row's place in this test's data, so a name never depends
    on which tests ran before.
    """
    n = Transfer.objects.count() + 1
    src, dst = _source(source), {**_destination(destination), **fields}
    name = dst.pop("name", f"{src['source_code']}_{file_type}_{dst['destination_code']}_"
                              f"{n % 1000:03d}.XML")
    if status == TransferStatus.COLLECTED:
        downloaded = downloaded or uploaded + timedelta(hours=1)
        dst.setdefault("collected_at", downloaded)
    if status == TransferStatus.REJECTED:
        dst.setdefault("rejected_at", uploaded + timedelta(hours=2))
    return Transfer.objects.create(
        name=name, file_type=file_type, uploaded_at=uploaded, status=status,
        pupil_count=pupils, first_downloaded_at=downloaded, last_downloaded_at=downloaded,
        size=100, sha256=f"{n:064d}", **src, **dst,
    )


@pytest.fixture
def third_la(db):
    return LocalAuthority.objects.create(number="835", name="Bournemouth", nation=Nation.ENGLAND)


@pytest.fixture
def third_school(third_la):
    return Establishment.objects.create(la=third_la, number="2001", name="Poole High")


@pytest.fixture
def closed_school(home_la, receiving_school):
    return Establishment.objects.create(
        la=home_la, number="0001", name="Old Grammar", status=EstablishmentStatus.CLOSED,
        successor=receiving_school, closed_on=at("2025-07-31 00:00").date())


@pytest.fixture
def data(home_la, other_la, third_la, sending_school, receiving_school, outsider_school,
         third_school, closed_school):
    """The known data set; the tests' expected numbers are counted from this by hand.

    838 (England): 8383321 Stickland's, 8384512 Thomas Hardye, 8380001 closed (successor 4512)
    681 (Wales): 6812345 Llanwern;  835 (England): 8352001 Poole High.
    """
    s, r, o, t = sending_school, receiving_school, outsider_school, third_school
    C, A, R = TransferStatus.COLLECTED, TransferStatus.AWAITING, TransferStatus.REJECTED
    rows = [
        make_transfer(s, r, uploaded=at("2025-09-01 09:15"), status=C, pupils=3),
        make_transfer(s, r, uploaded=at("2025-09-01 10:05"), status=A, pupils=1),
        make_transfer(s, o, uploaded=at("2025-09-03 14:00"), status=R, pupils=2),
        make_transfer(o, s, uploaded=at("2025-09-08 08:30"), status=A, pupils=4),
        make_transfer(o, r, uploaded=at("2025-09-08 08:45"), status=C, pupils=1),
        make_transfer(r, (home_la, "LLLL"), uploaded=at("2025-09-10 11:00"), status=A, pupils=5),
        make_transfer(s, "XXXXXXX", uploaded=at("2025-09-10 12:00"), status=A, pupils=1),
        make_transfer(s, (home_la, "PLAS"), uploaded=at("2025-09-15 16:00"), status=C,
                      pupils=200, file_type="PLAS", downloaded=at("2025-09-16 10:00")),
        make_transfer(s, r, uploaded=at("2025-09-15 16:30"), status=A, pupils=0,
                      file_type="ZIP", name="8383321_8384512_notes.ZIP"),
        make_transfer(o, (other_la, "LLLL"), uploaded=at("2025-09-02 09:00"), status=A,
                      pupils=7),
        make_transfer(t, o, uploaded=at("2025-09-04 09:00"), status=C, pupils=2),
        make_transfer(s, t, uploaded=at("2025-08-20 09:00"), status=C, pupils=1),
        make_transfer(o, r, uploaded=at("2025-09-20 09:00"), status=A, pupils=2,
                      redirected_from=closed_school, destination_code="8380001"),
    ]
    return SimpleNamespace(transfers=rows, home_la=home_la, other_la=other_la,
                           third_la=third_la, s=s, r=r, o=o, t=t, closed=closed_school)
