"""Messaging fixtures: people of the shared conftest, and a quick way to send."""

import pytest

from s2s.accounts.roles import Role
from s2s.directory.models import LocalAuthority, Nation
from s2s.messaging.recipients import LaTarget, Recipients
from s2s.messaging.services import message_send


def send(sender, *, las=(), schools=(), groups=(), subject="Pupil enquiry",
         body="Have you got a CTF for this pupil?", **kwargs):
    """Send through the service, as the pages do; return the SendResult."""
    to = Recipients(las=tuple(LaTarget(n, tuple(r)) for n, r in las), schools=tuple(schools),
                    groups=tuple(groups))
    return message_send(user=sender, to=to, subject=subject, body=body, **kwargs)


@pytest.fixture
def many_las(make_user):
    """Eleven further LAs (801-811), each with one LA user."""
    las = []
    for n in range(801, 812):
        la = LocalAuthority.objects.create(number=str(n), name=f"LA {n}", nation=Nation.ENGLAND)
        make_user(Role.LA_USER, la, username=f"{n}user")
        las.append(la)
    return las
