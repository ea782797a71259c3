"""The weekly reminder of files not yet downloaded, one email per school and per LA (seed 003, 5.1).

Each school with CTFs (or other statutory files) awaiting collection, and each LA with files
awaiting collection at one of its mailboxes or, when its copies switch is on, at or from one
of its schools (seed 003, 3.9), gets one reminder a week listing them, oldest first: file
name, sender, uploaded date and age in days; never pupil data. Generic zips are left out:
they get no emails (seed 003, 5.7). Files in the Lost Pupil Database have no destination to
remind.

Who gets it: a school's contact email and users (as `emails.school_addresses`); for an LA,
each mailbox's officers get the section for their mailbox, and the LA's contact email gets
every section (the mailboxes' and the copies'), each address in one email.

A reminder is claimed by inserting its `NoticeSent` row (school or LA, ISO week), in the same
transaction as its emails: however often `s2s send_weekly_reminders` runs in a week, and
however many run at once, each school and LA is reminded once.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from s2s.core.text import interpolate_lazy
from s2s.directory.models import Establishment, LocalAuthority
from s2s.transfers import emails
from s2s.transfers.models import (
    DestinationKind,
    Mailbox,
    NoticeKind,
    NoticeSent,
    Transfer,
    TransferStatus,
)


def iso_week(moment: datetime) -> str:
    """Return the ISO week of this moment in local time, as "2025-W45"."""
    year, week, _day = timezone.localdate(moment).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(slots=True)
class Section:
    """A list of files in a reminder, under a heading."""

    title: str
    files: list[Transfer]


@dataclass(slots=True)
class Reminder:
    """One school's or one LA's reminder: what each of its addresses is told."""

    key: str  # "school:<pk>" or "la:<pk>", with the week the NoticeSent row
    recipient: str  # "8384512 Thomas Hardye School", "838 Dorset"
    sections: list[Section] = field(default_factory=list)
    # Each address (lowercased) with its spelling and the indexes of the sections it gets.
    addresses: dict[str, tuple[str, list[int]]] = field(default_factory=dict)

    def add(self, section: Section, to: list[str]) -> None:
        """Add a section for these addresses."""
        self.sections.append(section)
        index = len(self.sections) - 1
        for address in to:
            address = (address or "").strip()
            if address:
                self.addresses.setdefault(address.lower(), (address, []))[1].append(index)

    @property
    def file_count(self) -> int:
        return len({t.pk for section in self.sections for t in section.files})


def _awaiting() -> QuerySet[Transfer]:
    """Return the files awaiting collection that a reminder lists, oldest first."""
    return (
        Transfer.objects.ctfs()
        .filter(status=TransferStatus.AWAITING, stored_file__isnull=False)
        .select_related("source_establishment", "source_la")
        .order_by("uploaded_at", "pk")
    )


def _school_reminder(school: Establishment) -> Reminder:
    reminder = Reminder(key=f"school:{school.pk}", recipient=str(school))
    files = list(_awaiting().filter(destination_establishment=school))
    reminder.add(Section(interpolate_lazy(_("Files waiting for %(school)s"), {"school": school}),
                         files),
                 emails.school_addresses(school))
    return reminder


def _copies(la: LocalAuthority) -> list[Transfer]:
    """Return the files to and from the LA's schools awaiting collection elsewhere."""
    schools = Q(source_establishment__la=la) | Q(destination_establishment__la=la)
    return list(
        _awaiting().filter(schools, destination_kind__in=[DestinationKind.SCHOOL,
                                                          DestinationKind.LA_MAILBOX])
        .exclude(destination_la=la)
    )


def _la_reminder(la: LocalAuthority) -> Reminder:
    reminder = Reminder(key=f"la:{la.pk}", recipient=f"{la.number} {la.name}")
    for mailbox in Mailbox:
        files = list(_awaiting().filter(destination_la=la, destination_mailbox=mailbox))
        if files:
            title = interpolate_lazy(_("Files waiting at %(code)s (%(mailbox)s)"), {
                "code": f"{la.number}{mailbox.value}", "mailbox": mailbox.label})
            reminder.add(Section(title, files), emails.mailbox_addresses(la, mailbox))
    if la.receive_ctf_copies:
        files = _copies(la)
        if files:
            title = _("Files to and from your schools not yet collected (copies)")
            reminder.add(Section(title, files), [la.email])
    return reminder


def reminders_due() -> Iterator[Reminder]:
    """Yield the reminder of every school and LA with files not yet collected, schools first."""
    awaiting = _awaiting().order_by()
    school_ids = awaiting.values_list("destination_establishment", flat=True).distinct()
    for school in Establishment.objects.filter(pk__in=school_ids).select_related("la"):
        yield _school_reminder(school)
    mailbox_las = awaiting.values_list("destination_la", flat=True)
    copies = awaiting.filter(destination_kind__in=[DestinationKind.SCHOOL,
                                                   DestinationKind.LA_MAILBOX])
    copies_las = (copies.values_list("source_establishment__la", flat=True)
                  .union(copies.values_list("destination_establishment__la", flat=True)))
    las = LocalAuthority.objects.filter(
        Q(pk__in=mailbox_las.distinct())
        | Q(pk__in=[pk for pk in copies_las if pk is not None], receive_ctf_copies=True)
    )
    for la in las:
        reminder = _la_reminder(la)
        if reminder.sections:
            yield reminder


def _file_row(transfer: Transfer, today: date) -> dict:
    return {
        "name": transfer.name, "sender": emails.sender_label(transfer),
        "uploaded_at": transfer.uploaded_at,
        "age": (today - timezone.localdate(transfer.uploaded_at)).days,
        "downloaded": transfer.download_count > 0,  # but not confirmed as collected
    }


def reminder_send(*, reminder: Reminder, now: datetime) -> int | None:
    """Send this week's reminder to each of its addresses; None if it already went.

    The `NoticeSent` row is the claim: of two runs, one inserts it and sends; the other
    finds it there and sends nothing. Return how many emails were queued.
    """
    week, today = iso_week(now), timezone.localdate(now)
    with transaction.atomic():
        try:
            with transaction.atomic():
                NoticeSent.objects.create(kind=NoticeKind.WEEKLY_REMINDER, key=reminder.key,
                                          period=week, sent_at=now)
        except IntegrityError:
            return None
        sent = 0
        for address, indexes in reminder.addresses.values():
            sections = [
                {"title": reminder.sections[i].title,
                 "files": [_file_row(t, today) for t in reminder.sections[i].files]}
                for i in indexes
            ]
            sent += emails.send_weekly_reminder(to=[address], recipient=reminder.recipient,
                                                sections=sections, week=week)
    return sent


def reminder_sent(*, reminder: Reminder, now: datetime) -> bool:
    """Return whether this week's reminder already went."""
    return NoticeSent.objects.filter(kind=NoticeKind.WEEKLY_REMINDER, key=reminder.key,
                                     period=iso_week(now)).exists()
