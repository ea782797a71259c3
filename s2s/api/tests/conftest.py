"""API fixtures: the transfers store, and tokens for the people of the shared fixtures."""

import io

import pytest
from django.test import Client

from s2s.accounts.models import ApiToken
from s2s.accounts.roles import Role
from s2s.transfers.services import transfer_upload
from s2s.transfers.tests.conftest import file_store, master_key  # noqa: F401 (autouse)
from s2s.transfers.tests.ctfs import ctf


class ApiClient(Client):
    """A test client that sends a bearer token with every request, and no session."""

    def __init__(self, key: str | None = None):
        super().__init__(enforce_csrf_checks=True)
        self.key = key

    def generic(self, method, path, *args, headers=None, **kwargs):
        headers = dict(headers or {})
        if self.key is not None:
            headers.setdefault("Authorization", f"Bearer {self.key}")
        return super().generic(method, path, *args, headers=headers, **kwargs)

    def upload(self, name: str, content: bytes):
        """Post one file as the multipart field `file`, under its s2s name."""
        upload = io.BytesIO(content)
        upload.name = name
        return self.post("/api/v1/files", {"file": upload})


def api_client(user) -> ApiClient:
    """Return a client holding a fresh token of this user."""
    _token, key = ApiToken.issue(user)
    return ApiClient(key)


@pytest.fixture
def school_a_connector(make_user, sending_school):
    """School A's MIS connector (8383321, LA 838)."""
    return make_user(Role.CONNECTOR, sending_school, username="8383321-mis")


@pytest.fixture
def school_a(school_a_connector):
    return api_client(school_a_connector)


@pytest.fixture
def school_b(receiving_school_user):
    """School B's user (8384512, LA 838), through the API."""
    return api_client(receiving_school_user)


@pytest.fixture
def school_c(outsider_school_user):
    """School C's user (6812345, LA 681), through the API."""
    return api_client(outsider_school_user)


def send(user, name: str, content: bytes):
    """Upload through the service itself, as the pages do; return the transfer."""
    return transfer_upload(user=user, name=name, content=io.BytesIO(content)).transfer


def a_ctf(source: str, destination: str, seed: int = 1, pupils: int = 2) -> bytes:
    return ctf(source, destination, pupils=pupils, seed=seed)
