"""A month of life for the demo: files in every state, lost pupils, messages and report counts.

Everything goes through the services people use (upload, download, collect, reject, withdraw,
forward, lost-pupil intake, download and forward, messages), so the demo obeys the real rules
and shows what they do. The files are the CTF library's synthetic ones. The same seed gives
the same month, spread over the 30 days before the moment it is loaded.
"""

import io
import random
import zipfile
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.db.models import F, Max
from django.utils import timezone

from s2s.accounts.models import User
from s2s.accounts.policy import transfer_box
from s2s.accounts.roles import Role
from s2s.core.models import EmailStatus, OutboundEmail
from s2s.ctf.names import format_name
from s2s.ctf.records import PupilData
from s2s.ctf.synthetic import PupilFactory, synthetic_header
from s2s.ctf.writer import write_ctf
from s2s.directory.models import Establishment, EstablishmentStatus
from s2s.lostpupils.models import LostPupilRecord
from s2s.lostpupils.services.records import (
    lost_pupil_confirm_download,
    lost_pupil_forward,
    lost_pupil_open_for_download,
    lost_pupil_remove,
)
from s2s.messaging.models import Message, Recipient
from s2s.messaging.recipients import LaTarget, Recipients
from s2s.messaging.services import message_read, message_send
from s2s.reports.rollup import report_counts_refresh
from s2s.transfers.models import StoredFile, Transfer
from s2s.transfers.services import (
    transfer_collect,
    transfer_delete,
    transfer_open_for_download,
    transfer_reject,
    transfer_upload,
)
from s2s.transfers.services.forward import transfer_forward
from s2s.transfers.services.notify import SWEEP_AFTER, transfers_notify_pending

SEED = "s2s-demo-month"
DAYS = 30
# Collected and rejected files keep their content for S2S_RETAIN_COLLECTED_DAYS (28): the
# month's outcomes stay younger than that, so the first nightly purge leaves the month as made.
LATEST_OUTCOME_AGE = timedelta(days=26)
REJECT_REASONS = [
    "This pupil never joined us: the family moved out of the area.",
    "Wrong school: the pupil joined our neighbouring school.",
    "This file is for a different pupil with the same name.",
]


def backdate(model, pk: int, **moments: datetime) -> None:
    """Set the time stamps a service wrote as "now" to when the demo says it happened.

    Services stamp the real time; a month of life needs its uploads, downloads, rejections and
    messages spread over the last 30 days, so ages, reminders and reports look as they would.
    Only time stamps are changed, never a state, so every rule the service applied still holds.
    """
    model.objects.filter(pk=pk).update(**moments)


@dataclass
class Month:
    """The month being made: its clock, its seeded choices, and what it has made so far."""

    now: datetime
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    sequences: Counter = field(default_factory=Counter)
    users: dict[str, User] = field(default_factory=dict)

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """Return a UK time on the day `days_ago` days before today (never in the future)."""
        day = timezone.localdate(self.now) - timedelta(days=days_ago)
        moment = timezone.make_aware(datetime.combine(day, time(hour, minute)))
        return min(moment, self.now - timedelta(minutes=10))

    def after(self, moment: datetime, days: int, hours: int = 2) -> datetime:
        """Return a time `days` and `hours` after `moment`, in the past and not too old."""
        later = moment + timedelta(days=days, hours=hours)
        if later < self.now - LATEST_OUTCOME_AGE:
            later = self.at(LATEST_OUTCOME_AGE.days - 1, timezone.localtime(later).hour)
        return min(later, self.now - timedelta(minutes=5))

    def user(self, username: str) -> User:
        if username not in self.users:
            self.users[username] = User.objects.select_related("la", "establishment").get(
                username=username)
        return self.users[username]


# --- files ------------------------------------------------------------------------------------

def _pupils(month: Month, *, source: str, day: date, count: int) -> list[PupilData]:
    factory = PupilFactory(seed=month.rng.randrange(1 << 30), source=source, today=day)
    return [factory.pupil() for _ in range(count)]


def _ctf(*, source: str, destination: str, day: date, pupils: list[PupilData]) -> bytes:
    header = synthetic_header(source=source, destination=destination, today=day)
    school = Establishment.objects.filter(code=source).values_list("name", flat=True).first()
    header = replace(header, source_name=school or header.source_name)
    out = io.BytesIO()
    write_ctf(header=header, pupils=pupils, out=out)
    return out.getvalue()


def _zip(text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", text)
    return out.getvalue()


def _census(source: str, day: date) -> bytes:
    """Return a small school census return: well-formed XML with no pupils in it."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Message><Header><CollectionDetails>'
            f"<Collection>School Census</Collection><Term>AUT</Term>"
            f"<ReferenceDate>{day.isoformat()}</ReferenceDate></CollectionDetails>"
            f"<Source><LEA>{source[:3]}</LEA><Estab>{source[3:]}</Estab></Source></Header>"
            f"<School><NumberOnRoll>212</NumberOnRoll></School></Message>\n").encode()


def send(month: Month, sender: str, to: str, when: datetime, *, pupils: int = 1,
         given: list[PupilData] | None = None, file_type: str = "CTF",
         free_text: str = "") -> Transfer:
    """Upload a synthetic file from `sender` (a username) to `to` through transfer_upload."""
    user = month.user(sender)
    box = transfer_box(user)
    day = timezone.localdate(when)
    if file_type == "ZIP":
        name = format_name(source=box, destination=to, file_type="ZIP", free_text=free_text)
        content = _zip(f"{free_text} from {box}, {day:%d %B %Y}.\n")
    else:
        month.sequences[box] += 1
        name = format_name(source=box, destination=to, file_type=file_type,
                           sequence=month.sequences[box])
        content = (_census(box, day) if file_type == "PLAS" else _ctf(
            source=box, destination=to, day=day,
            pupils=given or _pupils(month, source=box, day=day, count=pupils)))
    transfer = transfer_upload(user=user, name=name, content=io.BytesIO(content)).transfer
    backdate(Transfer, transfer.pk, uploaded_at=when)
    backdate(StoredFile, transfer.stored_file_id, created_at=when)
    if transfer.is_lost_pupil:
        backdate(LostPupilRecord, transfer.lost_pupil.pk, uploaded_at=when)
    transfer.uploaded_at = when
    return transfer


def receiver(transfer: Transfer) -> str:
    """Return the username of the demo user who receives this file at its destination."""
    if transfer.destination_establishment_id:
        return transfer.destination_establishment.code
    suffix = {"LLLL": "user", "PLAS": "census", "ADMS": "admissions"}
    return f"{transfer.destination_la.number}{suffix[transfer.destination_mailbox]}"


def download(month: Month, transfer: Transfer, when: datetime) -> None:
    """Download the file as its destination does (read whole: the content is verified)."""
    _name, reader = transfer_open_for_download(user=month.user(receiver(transfer)),
                                               transfer=transfer)
    with reader:
        for _chunk in reader:
            pass
    backdate(Transfer, transfer.pk, first_downloaded_at=when, last_downloaded_at=when)


def collect(month: Month, transfer: Transfer, when: datetime) -> None:
    """Download the file, then confirm it downloaded correctly."""
    download(month, transfer, when)
    transfer_collect(user=month.user(receiver(transfer)), transfer=transfer)
    backdate(Transfer, transfer.pk, collected_at=when + timedelta(minutes=3))


def reject(month: Month, transfer: Transfer, when: datetime, reason: str = "") -> None:
    transfer_reject(user=month.user(receiver(transfer)), transfer=transfer,
                    reason=reason or month.rng.choice(REJECT_REASONS))
    backdate(Transfer, transfer.pk, rejected_at=when)


def withdraw(month: Month, sender: str, transfer: Transfer, when: datetime) -> None:
    transfer_delete(user=month.user(sender), transfer=transfer,
                    reason="Sent to the wrong school: sent again to the right one.")
    backdate(Transfer, transfer.pk, deleted_at=when)


def forward(month: Month, la_user: str, transfer: Transfer, to: str, when: datetime) -> Transfer:
    """Forward a file waiting at one of the LA's schools on to another school (LA monitoring)."""
    new = transfer_forward(user=month.user(la_user), transfer=transfer, to=to)
    backdate(Transfer, transfer.pk, deleted_at=when)
    backdate(Transfer, new.pk, uploaded_at=when)
    new.uploaded_at = when
    return new


# --- the everyday flow ------------------------------------------------------------------------

def _school_codes(la: str) -> list[str]:
    """Return the open schools of an LA that have a demo user, by number."""
    return list(Establishment.objects.filter(la__number=la).exclude(
        status=EstablishmentStatus.CLOSED).order_by("number").values_list("code", flat=True))


def _closed_school(la: str) -> str:
    """Return the number of a closed school of the LA that has a successor."""
    return Establishment.objects.filter(
        la__number=la, status=EstablishmentStatus.CLOSED, successor__isnull=False,
    ).order_by("number").values_list("code", flat=True)[0]


def _destination(month: Month, source: str, schools: dict[str, list[str]]) -> str:
    home = source[:3]
    others = [la for la in schools if la != home]
    la = home if month.rng.random() < 0.7 else month.rng.choice(others)
    return month.rng.choice([code for code in schools[la] if code != source])


def _outcome(month: Month, transfer: Transfer, days_ago: int) -> None:
    """Do what the destination would have done by now with a file this old."""
    roll = month.rng.random()
    when = month.after(transfer.uploaded_at, month.rng.randint(0, 3), month.rng.randint(1, 5))
    if days_ago > 7:
        collected, rejected, downloaded = 0.8, 0.9, 0.9
    elif days_ago > 2:
        collected, rejected, downloaded = 0.45, 0.5, 0.7
    else:
        collected, rejected, downloaded = 0.0, 0.0, 0.3
    if roll < collected:
        collect(month, transfer, when)
    elif roll < rejected:
        reject(month, transfer, when)
    elif roll < downloaded:
        download(month, transfer, when)


def everyday_files(month: Month) -> None:
    """Send CTFs between schools on each weekday of the month, within and between LAs."""
    schools = {la: _school_codes(la) for la in ("838", "839", "680", "681")}
    senders = [code for codes in schools.values() for code in codes]
    for days_ago in range(DAYS, 0, -1):
        if month.at(days_ago, 12).weekday() >= 5:
            continue
        for _ in range(month.rng.randint(1, 3)):
            source = month.rng.choice(senders)
            when = month.at(days_ago, month.rng.randint(8, 16), month.rng.randint(0, 59))
            count = month.rng.choice((1, 1, 1, 2, 3, 28))  # now and then a whole class
            transfer = send(month, source, _destination(month, source, schools), when,
                            pupils=count)
            _outcome(month, transfer, days_ago)


def example_files(month: Month) -> None:
    """Send the files the README's schools and accounts find when they sign in.

    8383321 and 8384512 (Dorset) and 6812345 (Cardiff) get files in every state, to and from
    a closed school's successor, their LA's mailboxes, and forwarded by their LA.
    """
    at = month.at
    dorset, cardiff = _school_codes("838"), _school_codes("681")
    closed_dorset, closed_cardiff = _closed_school("838"), _closed_school("681")
    collect(month, send(month, "8383321", "8384512", at(12, 9, 40), pupils=2), at(11, 10))
    send(month, "8383321", "8384512", at(3, 14, 5))  # waiting
    reject(month, send(month, "8383321", "8384512", at(4, 11, 20)), at(3, 9, 15),
           REJECT_REASONS[0])
    reject(month, send(month, "6812345", cardiff[1], at(3, 10)), at(2, 11))
    download(month, send(month, "8384512", "8383321", at(5, 10, 30)), at(4, 8, 50))
    send(month, "8384512", "8383321", at(2, 15, 10))
    collect(month, send(month, "838user", "8383321", at(6, 13)), at(6, 15))
    send(month, "8383321", "838LLLL", at(4, 11, 45))  # a pupil going to the LA, school unknown
    # Addressed to a closed infant school: delivered to the primary school that replaced it.
    collect(month, send(month, "8383321", closed_dorset, at(8, 9, 5)), at(7, 9, 30))
    send(month, "6812345", closed_cardiff, at(4, 10, 20))
    wrong = send(month, "8384512", _school_codes("839")[0], at(15, 9))
    withdraw(month, "8384512", wrong, at(15, 9, 20))
    collect(month, send(month, "8383321", "838PLAS", at(17, 10), file_type="PLAS"), at(16, 9))
    send(month, "6812345", "681PLAS", at(2, 9, 30), file_type="PLAS")
    collect(month, send(month, "8383321", "8384512", at(6, 12), file_type="ZIP",
                        free_text="SENREPORTS"), at(5, 9))
    send(month, "838user", "8383321", at(1, 16), file_type="ZIP", free_text="TERMDATES")
    collect(month, send(month, "6812345", "8384512", at(13, 11), pupils=3), at(12, 14))
    collect(month, send(month, "6812345", "681LLLL", at(14, 10)), at(13, 11))
    send(month, "8384512", "6812345", at(7, 13, 30))
    # A pupil moved on before the file was collected: the LA forwards it (LA monitoring).
    waiting = send(month, _school_codes("839")[1], dorset[0], at(10, 14))
    forward(month, "838user", waiting, "8384512", at(8, 10))
    waiting = send(month, _school_codes("680")[0], cardiff[0], at(7, 11))
    forward(month, "681user", waiting, "6812345", at(6, 9, 30))


# --- the Lost Pupil Database ------------------------------------------------------------------

# Names that show the sound-alike search: search for one of a pair and the other is found too
# (Smith/Smyth, Thomson/Thompson, Mohammed/Muhammad, Hughes and a one-letter slip, Kathryn for
# Catherine). (LA, where the school said the pupil went, surname, forename, sex, days ago.)
LOST_PUPILS = [
    ("838", "XXXXXXX", "Smith", "Olivia", "F", 25),
    ("681", "XXXXXXX", "Smyth", "Jac", "M", 11),
    ("839", "MMMMMMM", "Thomson", "Amelia", "F", 22),
    ("680", "XXXXXXX", "Thompson", "Noah", "M", 20),
    ("838", "XXXXXXX", "Mohammed", "Zara", "F", 18),
    ("839", "XXXXXXX", "Muhammad", "Yusuf", "M", 16),
    ("681", "MMMMMMM", "Jones", "Kathryn", "F", 9),
    ("680", "XXXXXXX", "Evans-Price", "Megan", "F", 13),
    ("838", "XXXXXXX", "Hughs", "Dylan", "M", 27),
    ("681", "XXXXXXX", "Hughes", "Catrin", "F", 19),
]


def _lost_pupil(month: Month, source: str, when: datetime, surname: str, forename: str,
                sex: str) -> PupilData:
    pupil = _pupils(month, source=source, day=timezone.localdate(when), count=1)[0]
    return replace(pupil, surname=surname, preferred_surname=surname, forename=forename,
                   preferred_forename=forename, sex=sex, middle_names=None)


def _lpd_download(month: Month, username: str, record: LostPupilRecord, when: datetime) -> None:
    """Download a lost pupil's file after the attestation, then confirm it (seed 003, 4.1)."""
    user = month.user(username)
    _name, reader = lost_pupil_open_for_download(user=user, record=record, attested=True)
    with reader:
        for _chunk in reader:
            pass
    lost_pupil_confirm_download(user=user, record=record)
    backdate(LostPupilRecord, record.pk, downloaded_at=when)


def lost_pupils(month: Month) -> None:
    """Send lost pupils' CTFs from schools of four LAs; find, forward and remove some."""
    records = {}
    for la, to, surname, forename, sex, days_ago in LOST_PUPILS:
        school = _school_codes(la)[2]
        when = month.at(days_ago, month.rng.randint(9, 15), month.rng.randint(0, 59))
        pupil = _lost_pupil(month, school, when, surname, forename, sex)
        records[surname] = (send(month, school, to, when, given=[pupil]).lost_pupil, pupil)
    # A second school sends the same pupil's file again: kept, linked to the first, flagged.
    first, pupil = records["Smith"]
    send(month, _school_codes("838")[5], "XXXXXXX", month.at(6, 10, 15), given=[pupil])
    # Found in another LA: downloaded and confirmed, or forwarded to a school in one step.
    _lpd_download(month, "838lostpupiltransfer", records["Muhammad"][0], month.at(3, 11))
    found, when = records["Thompson"][0], month.at(5, 14)
    new = lost_pupil_forward(user=month.user("681lostpupiltransfer"), record=found,
                             to="6812345")
    backdate(LostPupilRecord, found.pk, downloaded_at=when)
    backdate(Transfer, new.pk, uploaded_at=when)
    new.uploaded_at = when
    collect(month, new, month.at(4, 9, 10))
    # A record whose pupil turned up: its LA removes it, and the fact stays for the reports.
    school = _school_codes("838")[7]
    when = month.at(24, 10)
    gone = send(month, school, "XXXXXXX", when, pupils=1).lost_pupil
    lost_pupil_remove(user=month.user("838lostpupil"), record=gone,
                      reason="Found on roll at a school in Somerset, confirmed by phone.")
    backdate(LostPupilRecord, gone.pk, removed_at=month.at(10, 12))


# --- messages ---------------------------------------------------------------------------------

# (sender, recipients, subject, body, days ago, readers: who read it, days after it came)
MESSAGES = [
    ("838dba", Recipients(schools=("8383321", "8384512")),
     "Census day is the third Thursday of January",
     "A reminder that census day is the third Thursday of January. Send your census return "
     "to 838PLAS through s2s by the end of the following week.", 12, {"8383321": 1}),
    ("681lostpupil", Recipients(las=(LaTarget("838", (Role.LA_LOST_PUPIL,
                                                      Role.LA_LOST_PUPIL_TRANSFER)),)),
     "Pupil believed to have moved to Dorset",
     "We think a pupil who left a Cardiff school last month is now living in Weymouth. "
     "The file is in the Lost Pupil Database: could you check your admissions?", 8,
     {"838lostpupil": 1, "838lostpupiltransfer": 2}),
    ("8384512", Recipients(las=(LaTarget("838", (Role.LA_USER,)),)),
     "A CTF for a pupil who never joined us",
     "We have rejected a CTF from 8383321 for a pupil who never joined us. Do you know "
     "where the family went?", 2, {"838user": 0}),
    ("838user", Recipients(schools=("8383321",)), "Please send the CTF again",
     "The CTF you sent on Monday was addressed to a closed school. It reached its successor, "
     "but please check the destination in your MIS before the next one.", 2, {}),
    ("681dba", Recipients(schools=("6812345",), las=(LaTarget("681", (Role.LA_USER,)),)),
     "s2s: diweddariad / update",
     "Mae s2s ar gael yn Gymraeg. s2s is now available in Welsh: choose Cymraeg at the top of "
     "any page.", 5, {"681user": 1}),
    ("8383321", Recipients(schools=("8384512",)), "Year 6 files",
     "Our year 6 files will come to you in one CTF next week.", 1, {}),
]


def messages(month: Month) -> None:
    """Send the month's messages and open some of their copies, leaving others unread."""
    for sender, to, subject, body, days_ago, readers in MESSAGES:
        sent_at = month.at(days_ago, month.rng.randint(8, 16), month.rng.randint(0, 59))
        message = message_send(user=month.user(sender), to=to, subject=subject,
                               body=body).message
        backdate(Message, message.pk, created_at=sent_at)
        for reader, days in readers.items():
            copy = Recipient.objects.get(message=message, user=month.user(reader))
            message_read(user=month.user(reader), copy=copy)
            backdate(Recipient, copy.pk, read_at=month.after(sent_at, days, 1))


# --- putting it together ----------------------------------------------------------------------

@dataclass(frozen=True)
class MonthMade:
    """What the month holds, for the command to print."""

    files: int
    lost_pupils: int
    messages: int
    emails: int


def _emails_done(since_pk: int) -> int:
    """Write the emails the uploads owe now, and mark the month's emails as sent.

    They tell of things done up to a month ago: `make run`'s worker would otherwise print
    each of them, hundreds, over the demo accounts the command has just printed.
    """
    while transfers_notify_pending(now=timezone.now() + SWEEP_AFTER):
        pass
    Transfer.objects.update(notified_at=F("uploaded_at"))  # told when uploaded, as it would be
    month_emails = OutboundEmail.objects.filter(pk__gt=since_pk, status=EmailStatus.QUEUED)
    return month_emails.update(status=EmailStatus.SENT, sent_at=timezone.now())


def load_month(*, now: datetime | None = None) -> MonthMade | None:
    """Make the month of life, unless the service already has files; return what it made.

    Call it inside a transaction (with `atomic_with_files`, so a failure leaves no file).
    """
    if Transfer.objects.exists() or Message.objects.exists():
        return None
    month = Month(now=now or timezone.now())
    emails_before = OutboundEmail.objects.aggregate(last=Max("pk"))["last"] or 0
    example_files(month)
    everyday_files(month)
    lost_pupils(month)
    messages(month)
    emails = _emails_done(emails_before)
    report_counts_refresh(now=month.now, rebuild=True)
    return MonthMade(files=Transfer.objects.count(), lost_pupils=LostPupilRecord.objects.count(),
                     messages=Message.objects.count(), emails=emails)
