"""Who may reach the transfer pages, with files in and out of each role's scope.

The objects are made through the upload service itself, from the world's people, so each row
asks about a real file (stored under the test's tmp_path by the root conftest).
"""

import io

from s2s.core.tests.matrix import Row
from s2s.transfers.tests.ctfs import ctf, zip_of

# Roles that may upload (pages + CTFs or generic zips), and those with an inbox of CTFs or zips.
SENDERS = frozenset({
    "la_dba", "la_user", "la_school", "la_lost_pupil", "la_lost_pupil_transfer", "la_census",
    "la_admissions", "school", "agency",
})
CTF_ROLES = frozenset({
    "la_dba", "la_user", "la_school", "la_lost_pupil_transfer", "la_census", "la_admissions",
    "school",
})
ZIP_ROLES = frozenset({
    "la_user", "la_school", "la_lost_pupil", "la_lost_pupil_transfer", "la_admissions",
    "school", "agency",
})
# The 838LLLL mailbox's people, by what they may handle.
LLLL_CTF = frozenset({"la_dba", "la_user", "la_school", "la_lost_pupil_transfer"})
LLLL_ZIP = frozenset({"la_user", "la_school", "la_lost_pupil", "la_lost_pupil_transfer"})
ADMIN = frozenset({"admin"})
SCHOOL = frozenset({"school"})

def _send(world, sender, name, content):
    from s2s.transfers.services import transfer_upload

    sender = world.users[sender] if isinstance(sender, str) else sender
    return transfer_upload(user=sender, name=name, content=io.BytesIO(content)).transfer


_counter = iter(range(1, 10**6))


def _sequence():
    return f"{next(_counter) % 1000:03d}"


def _to_receiving(world):
    """A CTF from the user's own school to another school of its LA."""
    name = f"8383321_CTF_8384512_{_sequence()}.XML"
    return {"pk": _send(world, "school", name, ctf("8383321", "8384512", seed=next(_counter))).pk}


def _to_own_school(world):
    """A CTF from another school of the LA to the user's own school."""
    from s2s.accounts.roles import Role

    if not hasattr(world, "receiving_sender"):
        world.receiving_sender = _make_school_user(world.receiving_school, Role.SCHOOL)
    sender = world.receiving_sender
    name = f"8384512_CTF_8383321_{_sequence()}.XML"
    return {"pk": _send(world, sender, name, ctf("8384512", "8383321", seed=next(_counter))).pk}


def _make_school_user(school, role):
    from s2s.accounts.models import User

    return User.objects.create_user(username=f"m_sender_{school.code}", role=role,
                                    establishment=school, must_change_password=False)


def _to_la(world):
    """A CTF from the user's own school to its LA's mailbox, 838LLLL."""
    name = f"8383321_CTF_838LLLL_{_sequence()}.XML"
    return {"pk": _send(world, "school", name, ctf("8383321", "838LLLL", seed=next(_counter))).pk}


def _zip_to_la(world):
    """A generic zip from the user's own school to 838LLLL."""
    name = f"8383321_838LLLL_m{_sequence()}.ZIP"
    content = zip_of({"notes.txt": f"notes {next(_counter)}".encode()})
    return {"pk": _send(world, "school", name, content).pk}


def _to_lost_pupils(world):
    """A one-pupil CTF from the user's own school to the Lost Pupil Database."""
    name = f"8383321_CTF_XXXXXXX_{_sequence()}.XML"
    content = ctf("8383321", "XXXXXXX", pupils=1, seed=next(_counter))
    return {"pk": _send(world, "school", name, content).pk}


def _outsiders(world):
    """A CTF between two places of LA 681, outside every home-LA role."""
    name = f"6812345_CTF_681LLLL_{_sequence()}.XML"
    content = ctf("6812345", "681LLLL", seed=next(_counter))
    return {"pk": _send(world, world.outsider_school_user, name, content).pk}


ROWS = [
    Row("transfers:upload", allowed=SENDERS),
    Row("transfers:upload", allowed=SENDERS, method="post", label="post"),
    # With no upload in the session, the results page sends the person to the upload page.
    Row("transfers:upload-results", allowed=SENDERS, redirect="transfers:upload"),
    Row("transfers:inbox", allowed=CTF_ROLES),
    Row("transfers:generic", allowed=ZIP_ROLES),
    Row("transfers:outbox", allowed=SENDERS),
    Row("transfers:download-zip", allowed=CTF_ROLES, method="post", redirect="transfers:inbox"),
    Row("transfers:collect-many", allowed=CTF_ROLES, method="post", redirect="transfers:inbox"),
    Row("transfers:detail", allowed=ADMIN | SCHOOL, kwargs=_to_receiving,
        label="sent by the user's school"),
    Row("transfers:detail", allowed=ADMIN | SCHOOL, kwargs=_to_own_school,
        label="sent to the user's school"),
    Row("transfers:detail", allowed=ADMIN | SCHOOL | LLLL_CTF, kwargs=_to_la,
        label="a CTF to the LA mailbox"),
    Row("transfers:detail", allowed=ADMIN | SCHOOL | LLLL_ZIP, kwargs=_zip_to_la,
        label="a generic zip to the LA mailbox"),
    Row("transfers:detail", allowed=ADMIN | SCHOOL, kwargs=_to_lost_pupils,
        label="sent to the Lost Pupil Database"),
    Row("transfers:detail", allowed=ADMIN, kwargs=_outsiders, label="another LA's file"),
    Row("transfers:download", allowed=frozenset(), kwargs=_to_receiving,
        label="sent by the user's school"),
    Row("transfers:download", allowed=SCHOOL, kwargs=_to_own_school,
        label="sent to the user's school"),
    Row("transfers:download", allowed=LLLL_CTF, kwargs=_to_la, label="a CTF to the LA mailbox"),
    Row("transfers:download", allowed=LLLL_ZIP, kwargs=_zip_to_la,
        label="a generic zip to the LA mailbox"),
    Row("transfers:download", allowed=frozenset(), kwargs=_to_lost_pupils,
        label="sent to the Lost Pupil Database"),
    Row("transfers:download", allowed=frozenset(), kwargs=_outsiders, label="another LA's file"),
    Row("transfers:collect", allowed=SCHOOL, kwargs=_to_own_school, method="post",
        label="sent to the user's school",
        # Not downloaded yet: the confirmation is refused on the file's own page.
        redirect="transfers:inbox transfers:detail"),
    Row("transfers:collect", allowed=frozenset(), kwargs=_to_receiving, method="post",
        label="sent by the user's school"),
    Row("transfers:collect", allowed=frozenset(), kwargs=_outsiders, method="post",
        label="another LA's file"),
    Row("transfers:reject", allowed=SCHOOL, kwargs=_to_own_school,
        label="sent to the user's school"),
    Row("transfers:reject", allowed=LLLL_CTF, kwargs=_to_la, method="post",
        label="a CTF to the LA mailbox, post"),
    Row("transfers:reject", allowed=frozenset(), kwargs=_to_receiving,
        label="sent by the user's school"),
    # The LA's CTF people may delete a CTF awaiting at its schools (seed 003, 5.3).
    Row("transfers:delete", allowed=SCHOOL | LLLL_CTF, kwargs=_to_receiving,
        label="sent by the user's school"),
    Row("transfers:delete", allowed=SCHOOL | LLLL_CTF, kwargs=_to_receiving, method="post",
        label="sent by the user's school, post"),
    Row("transfers:delete", allowed=LLLL_CTF, kwargs=_to_own_school,
        label="sent to the user's school"),
    Row("transfers:delete", allowed=frozenset(), kwargs=_to_lost_pupils,
        label="sent to the Lost Pupil Database"),
    Row("transfers:delete", allowed=frozenset(), kwargs=_outsiders, label="another LA's file"),
    # LA monitoring, copies and phase transfer: the LA's CTF people, for their own LA only.
    Row("transfers:la-monitoring", allowed=LLLL_CTF),
    Row("transfers:la-not-collected", allowed=LLLL_CTF),
    Row("transfers:la-forward", allowed=LLLL_CTF, kwargs=_to_own_school,
        label="awaiting at one of the LA's schools"),
    Row("transfers:la-forward", allowed=LLLL_CTF, kwargs=_to_la, method="post",
        label="awaiting at the LA mailbox, post"),
    Row("transfers:la-forward", allowed=frozenset(), kwargs=_to_lost_pupils,
        label="sent to the Lost Pupil Database"),
    Row("transfers:la-forward", allowed=frozenset(), kwargs=_outsiders, label="another LA's file"),
    Row("transfers:la-delete", allowed=LLLL_CTF, kwargs=_to_own_school,
        label="awaiting at one of the LA's schools"),
    Row("transfers:la-delete", allowed=LLLL_CTF, kwargs=_to_own_school, method="post",
        label="awaiting at one of the LA's schools, post"),
    Row("transfers:la-delete", allowed=frozenset(), kwargs=_zip_to_la,
        label="a generic zip to the LA mailbox"),
    Row("transfers:la-delete", allowed=frozenset(), kwargs=_outsiders, label="another LA's file"),
    Row("transfers:la-copies", allowed=LLLL_CTF, label="the LA's switch on"),
    Row("transfers:la-copy-download", allowed=LLLL_CTF, kwargs=_to_receiving,
        label="between two of the LA's schools"),
    Row("transfers:la-copy-download", allowed=frozenset(), kwargs=_to_lost_pupils,
        label="sent to the Lost Pupil Database"),
    Row("transfers:la-copy-download", allowed=frozenset(), kwargs=_outsiders,
        label="another LA's file"),
    Row("transfers:phase-transfer", allowed=LLLL_CTF, kwargs=_to_la,
        label="a CTF at the LA mailbox"),
    Row("transfers:phase-transfer", allowed=LLLL_CTF, kwargs=_to_la, method="post",
        label="a CTF at the LA mailbox, post"),
    Row("transfers:phase-transfer", allowed=frozenset(), kwargs=_to_own_school,
        label="a CTF at one of the LA's schools"),
    Row("transfers:phase-transfer", allowed=frozenset(), kwargs=_outsiders,
        label="another LA's file"),
    Row("transfers:phase-transfer-results", allowed=LLLL_CTF, kwargs=_to_la,
        label="a CTF at the LA mailbox", redirect="transfers:phase-transfer"),
    Row("transfers:phase-transfer-results", allowed=frozenset(), kwargs=_outsiders,
        label="another LA's file"),
]
