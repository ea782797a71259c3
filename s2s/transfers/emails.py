"""The emails the file exchange sends: one small function per email, queued in the outbox.

Seed 003, 4.2 and 5.1: the destination is told a file is waiting, the sender that the upload
succeeded and again when the file is collected or rejected; seed 003, 3.9: an LA whose copies
switch is on is told of the files to and from its schools. Generic zips get no emails at all
(seed 003, 5.7). An email names the file, its sender and its destination, and links to the
page: never a pupil's name, UPN or any other pupil data (STYLE.md). Every email is written
in the caller's transaction (`email_queue`), so it exists exactly when the change it reports
was committed.

Who is told (DESIGN.md, "Notifications"):
- a school: its contact email and its active users (role `school`) who have an email; not its
  MIS connectors, which cannot use the pages the email links to;
- an LA mailbox (`838LLLL`, `838PLAS`, `838ADMS`): the LA's contact email and its active users
  whose role sends and receives files at that mailbox (policy `LA_MAILBOX_OF_ROLE`);
- the sender of a file: the person who uploaded it, if still active with an email, and, for a
  school, the school's contact email; for an LA mailbox whose uploader has gone, the LA's
  contact email.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from s2s.accounts.models import User
from s2s.accounts.policy import CAPABILITIES, LA_MAILBOX_OF_ROLE, Action
from s2s.core.outbox import email_queue_templated
from s2s.ctf.names import FILE_TYPES
from s2s.directory.models import Establishment, LocalAuthority
from s2s.transfers.models import DestinationKind, Mailbox, Transfer

# Roles that receive files on the pages: told of files waiting for their school or mailbox.
_RECEIVING_ROLES = frozenset(
    role for role, capabilities in CAPABILITIES.items()
    if {Action.USE_PAGES, Action.TRANSFER_FILES} <= capabilities
)


def _send(name: str, to: list[str], context: dict) -> int:
    """Queue the email <name> to each address once; return how many were queued."""
    return email_queue_templated(name=name, to=to, context=context)


# --- who is told ----------------------------------------------------------------------------

def _active_emails(users) -> list[str]:
    return list(users.filter(is_active=True).exclude(email="").order_by("pk")
                .values_list("email", flat=True))


def school_addresses(school: Establishment) -> list[str]:
    """Return the addresses told of a school's files: its contact email and its users'."""
    users = User.objects.filter(establishment=school, role__in=_RECEIVING_ROLES)
    return [school.email, *_active_emails(users)]


def mailbox_addresses(la: LocalAuthority, mailbox: str) -> list[str]:
    """Return the addresses told of an LA mailbox's files: the LA's and its officers'."""
    roles = [role for role in _RECEIVING_ROLES if LA_MAILBOX_OF_ROLE.get(role) == mailbox]
    users = User.objects.filter(la=la, role__in=roles)
    return [la.email, *_active_emails(users)]


def destination_addresses(transfer: Transfer) -> list[str]:
    """Return who is told a file is waiting; nobody for the Lost Pupil Database."""
    if transfer.destination_establishment_id:
        return school_addresses(transfer.destination_establishment)
    if transfer.destination_la_id:
        return mailbox_addresses(transfer.destination_la, transfer.destination_mailbox)
    return []


def sender_addresses(transfer: Transfer) -> list[str]:
    """Return who is told what became of a file: its uploader, and its school or LA."""
    uploader = transfer.uploaded_by
    person = uploader.email if uploader is not None and uploader.is_active else ""
    if transfer.source_establishment_id:
        return [person, transfer.source_establishment.email]
    if person:
        return [person]
    return [transfer.source_la.email] if transfer.source_la_id else []


# --- how places are named -------------------------------------------------------------------

def _mailbox_label(la: LocalAuthority, mailbox: str) -> str:
    # Worded when the email is rendered, in its reader's language, not the sender's.
    return format_lazy("{}{} ({}: {})", la.number, mailbox, la.name, Mailbox(mailbox).label)


def sender_label(transfer: Transfer) -> str:
    """Return the sender as an email names it: "8383321 Stickland's CE VA Primary"."""
    if transfer.source_establishment_id:
        return str(transfer.source_establishment)
    if transfer.source_la_id:
        return _mailbox_label(transfer.source_la, transfer.source_mailbox)
    return transfer.source_code


def destination_label(transfer: Transfer) -> str:
    """Return where the hub delivered the file, as an email names it."""
    if transfer.destination_establishment_id:
        return str(transfer.destination_establishment)
    if transfer.destination_la_id:
        return _mailbox_label(transfer.destination_la, transfer.destination_mailbox)
    return gettext_lazy("the Lost Pupil Database")


def type_title(transfer: Transfer) -> str:
    """Return the kind of file ("Common Transfer File"), from the one table of types.

    Lazy: worded in the language the email is rendered in.
    """
    file_type = FILE_TYPES.get(transfer.file_type)
    return gettext_lazy(file_type.title.template) if file_type is not None else transfer.file_type


def transfer_link(transfer: Transfer) -> str:
    """Return the address of the file's page."""
    return settings.SITE_URL + reverse("transfers:detail", kwargs={"pk": transfer.pk})


def inbox_link() -> str:
    """Return the address of the page listing files awaiting download."""
    return settings.SITE_URL + reverse("transfers:inbox")


def _context(transfer: Transfer) -> dict:
    """Return what every transfer email may say: names, places, type and link; no pupils."""
    redirected = transfer.redirected_from
    return {
        "file_name": transfer.name, "file_type": type_title(transfer),
        "sender": sender_label(transfer), "destination": destination_label(transfer),
        "redirected_from": str(redirected) if redirected is not None else "",
        "lost_pupil": transfer.is_lost_pupil, "link": transfer_link(transfer),
        "uploaded_at": transfer.uploaded_at,
    }


# --- the emails -----------------------------------------------------------------------------

def send_transfer_waiting(*, transfer: Transfer) -> int:
    """Tell the destination a file is waiting for it: the sender and the file name only."""
    return _send("transfer-waiting", destination_addresses(transfer), _context(transfer))


def send_transfer_sent(*, transfer: Transfer) -> int:
    """Tell the sender the upload succeeded, and where a closed school's file went."""
    return _send("transfer-sent", sender_addresses(transfer), _context(transfer))


def send_transfer_collected(*, transfer: Transfer) -> int:
    """Tell the sender the destination downloaded the file and confirmed it."""
    if transfer.is_generic:
        return 0  # generic zips get no emails (seed 003, 5.7)
    context = {**_context(transfer), "collected_at": transfer.collected_at}
    return _send("transfer-collected", sender_addresses(transfer), context)


def send_transfer_rejected(*, transfer: Transfer) -> int:
    """Tell the sender the destination rejected the file, with the reason it gave."""
    if transfer.is_generic:
        return 0  # generic zips get no emails (seed 003, 5.7)
    context = {**_context(transfer), "rejected_at": transfer.rejected_at,
               "reason": transfer.reject_reason}
    return _send("transfer-rejected", sender_addresses(transfer), context)


def copies_las(transfer: Transfer) -> list[LocalAuthority]:
    """Return the LAs to tell of a file to or from one of their schools (seed 003, 3.9).

    Those whose copies switch is on, that have a contact email, and that did not send or
    receive the file at one of their own mailboxes (they know of it already). Only files
    delivered to a school or an LA mailbox: a file in the Lost Pupil Database is the
    lost-pupil officers' business.
    """
    if transfer.destination_kind not in (DestinationKind.SCHOOL, DestinationKind.LA_MAILBOX):
        return []
    schools = [transfer.source_establishment, transfer.destination_establishment]
    las = {school.la_id: school.la for school in schools if school is not None}
    # The LA whose mailbox sent or received the file knows of it already.
    las.pop(transfer.destination_la_id, None)
    las.pop(transfer.source_la_id, None)
    return [la for la in las.values() if la.receive_ctf_copies and la.email]


def send_transfer_copies(*, transfer: Transfer) -> int:
    """Tell each LA whose copies switch is on of a file to or from one of its schools."""
    sent = 0
    for la in copies_las(transfer):
        context = {**_context(transfer), "la_name": la.name, "link": inbox_link()}
        sent += _send("transfer-copy", [la.email], context)
    return sent


def transfer_uploaded_notify(*, transfer: Transfer) -> int:
    """Queue every email an accepted upload sends; none for a generic zip (seed 003, 5.7)."""
    if transfer.is_generic:
        return 0
    return (send_transfer_waiting(transfer=transfer) + send_transfer_sent(transfer=transfer)
            + send_transfer_copies(transfer=transfer))


def send_weekly_reminder(*, to: list[str], recipient: str, sections: list[dict],
                         week: str) -> int:
    """Send one reminder of the files not yet downloaded, oldest first, to these addresses.

    Each section is {"title", "files"}; each file {"name", "sender", "uploaded_at", "age"}.
    """
    context = {"recipient": recipient, "sections": sections, "week": week,
               "count": sum(len(section["files"]) for section in sections),
               "link": inbox_link()}
    return _send("transfer-reminder", to, context)


def send_retention_warning(*, to: list[str], transfer: Transfer, delete_on, days: int,
                           to_sender: bool) -> int:
    """Warn that a file not yet downloaded will be deleted on `delete_on`, in `days` days."""
    context = {**_context(transfer), "delete_on": delete_on, "days": days,
               "to_sender": to_sender}
    return _send("transfer-retention-warning", to, context)
