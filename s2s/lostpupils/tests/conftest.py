"""Fixtures of the LPD tests: the people who search it, and files sent to it through upload."""

import io
from dataclasses import replace
from datetime import date

import pytest

from s2s.accounts.roles import Role
from s2s.ctf.synthetic import synthetic_header, synthetic_pupils
from s2s.ctf.writer import ctf_bytes
from s2s.transfers.tests.conftest import file_store, master_key  # noqa: F401 (autouse)

_sequence = iter(range(1, 10**6))


def lost_ctf(source: str, *, destination: str = "XXXXXXX", seed: int = 1, **pupil) -> bytes:
    """Return a one-pupil CTF to the LPD; keyword arguments override the pupil's fields."""
    header = synthetic_header(source=source, destination=destination, today=date.today())
    written = next(synthetic_pupils(source=source, count=1, seed=seed)).written
    return ctf_bytes(header=header, pupils=[replace(written, **pupil)])


def send_lost(user, source: str, *, destination: str = "XXXXXXX", seed: int | None = None,
              **pupil):
    """Upload a one-pupil CTF to the LPD as `user` through the upload service; return it."""
    from s2s.transfers.services import transfer_upload

    n = next(_sequence)
    name = f"{source}_CTF_{destination}_{n % 1000:03d}.XML"
    content = lost_ctf(source, destination=destination, seed=seed or n, **pupil)
    return transfer_upload(user=user, name=name, content=io.BytesIO(content)).transfer


@pytest.fixture
def lpd_transfer_officer(make_user, home_la):
    """An LA 838 lost pupil transfer officer: searches, downloads and forwards."""
    return make_user(Role.LA_LOST_PUPIL_TRANSFER, home_la, username="838lpt")


@pytest.fixture
def other_lpd_officer(make_user, other_la):
    """An LA 681 lost pupil transfer officer."""
    return make_user(Role.LA_LOST_PUPIL_TRANSFER, other_la, username="681lpt")
