"""Shared fixtures: people, not rows.

Two LAs (838 Dorset in England, 681 Cardiff in Wales), schools in each, and people in both.
"""

import os

import pytest
from django.test import Client
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings as hypothesis_settings

from s2s.accounts.models import User
from s2s.accounts.roles import SCOPE_OF_ROLE, Role, ScopeKind
from s2s.core.tests.browser import live_server  # noqa: F401 (pytest-django's, one request at a time)
from s2s.directory.models import Agency, AgencyKind, Establishment, LocalAuthority, Nation

PASSWORD = "correct horse battery staple"

# Property-based tests draw the same examples on every run, so CI passes or fails on the code,
# not on the draw; `S2S_HYPOTHESIS_RANDOM=1 make test` explores new inputs (and a failure it
# finds is then a new test).
hypothesis_settings.register_profile("s2s", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile("explore" if os.environ.get("S2S_HYPOTHESIS_RANDOM") else "s2s")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that check the hasher set it back themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _language_put_back():
    # A page read in Welsh leaves Welsh active in the thread (LocaleMiddleware activates the
    # reader's language and nothing deactivates it): the next test would start in Welsh.
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    # Tasks run inline, inside the code that enqueues them, so a test sees their effect
    # (an email in mail.outbox) at once; test_outbox.py proves the database queue and its worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class VerifiedClient(Client):
    """A test client whose `force_login` also passes two-factor sign-in.

    `force_login` stands for "this person has signed in", so a person who has an authenticator
    app (or whose role requires one) is given one and the session counts as verified, as if they
    had entered a code. Tests of the sign-in steps themselves sign in through the pages or pass
    `verified=False`.
    """

    def force_login(self, user, backend=None, *, verified=True):
        super().force_login(user, backend)
        if not verified:
            return
        from django_otp import DEVICE_ID_SESSION_KEY

        from s2s.accounts.twofactor import confirmed_device, two_factor_required

        device = confirmed_device(user)
        if device is None and two_factor_required(user):
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


@pytest.fixture
def client():
    """Return a test client whose force_login counts as a complete sign-in (two-factor too)."""
    return VerifiedClient()


@pytest.fixture(autouse=True)
def _temporary_file_store(settings, tmp_path):
    # No test writes into the real data directory: stored files go under the test's tmp_path.
    settings.STORAGES = {
        **settings.STORAGES,
        "transfers": {
            "BACKEND": "s2s.transfers.storage.LocalObjectStorage",  # as deployed
            "OPTIONS": {"location": tmp_path / "files"},
        },
    }


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def home_la(db):
    return LocalAuthority.objects.create(
        number="838", name="Dorset", nation=Nation.ENGLAND, email="s2s@dorset.example.gov.uk"
    )


@pytest.fixture
def other_la(db):
    return LocalAuthority.objects.create(
        number="681", name="Cardiff", nation=Nation.WALES, email="s2s@cardiff.example.gov.uk"
    )


def _school(la, number, name, **fields):
    return Establishment.objects.create(
        la=la, number=number, name=name, urn=f"1{la.number}{number}", town="Dorchester",
        email=f"office{number}@school.example.sch.uk", **fields,
    )


@pytest.fixture
def sending_school(home_la):
    return _school(home_la, "3321", "Stickland's CE VA Primary")


@pytest.fixture
def receiving_school(home_la):
    return _school(home_la, "4512", "Thomas Hardye School")


@pytest.fixture
def outsider_school(other_la):
    return _school(other_la, "2345", "Llanwern High School")


@pytest.fixture
def agency(home_la):
    return Agency.objects.create(
        la=home_la, reference="838HLTH", name="Dorset school nursing", kind=AgencyKind.HEALTH
    )


@pytest.fixture
def make_user(db):
    """Return a function that creates a signed-up user of a role in a scope."""

    def make(role, scope=None, username=None, **fields):
        kind = SCOPE_OF_ROLE[role]
        scope_fields = {
            ScopeKind.NATION: {},
            ScopeKind.LA: {"la": scope},
            ScopeKind.ESTABLISHMENT: {"establishment": scope},
            ScopeKind.AGENCY: {"agency": scope},
        }[kind]
        fields.setdefault("email", f"{username or role}@example.gov.uk")
        fields.setdefault("must_change_password", False)
        return User.objects.create_user(
            username=username or f"{role}_{getattr(scope, 'pk', 'n')}",
            password=PASSWORD, role=role, **scope_fields, **fields,
        )

    return make


@pytest.fixture
def service_admin(make_user):
    return make_user(Role.ADMIN, username="admin")


@pytest.fixture
def la_dba(make_user, home_la):
    return make_user(Role.LA_DBA, home_la, username="838dba")


@pytest.fixture
def la_dba_view(make_user, home_la):
    return make_user(Role.LA_DBA_VIEW, home_la, username="838dbaview")


@pytest.fixture
def other_la_dba(make_user, other_la):
    return make_user(Role.LA_DBA, other_la, username="681dba")


@pytest.fixture
def la_officer(make_user, home_la):
    return make_user(Role.LA_USER, home_la, username="838user")


@pytest.fixture
def other_la_officer(make_user, other_la):
    return make_user(Role.LA_USER, other_la, username="681user")


@pytest.fixture
def lost_pupil_officer(make_user, home_la):
    return make_user(Role.LA_LOST_PUPIL, home_la, username="838lostpupil")


@pytest.fixture
def sending_school_user(make_user, sending_school):
    return make_user(Role.SCHOOL, sending_school, username="8383321")


@pytest.fixture
def receiving_school_user(make_user, receiving_school):
    return make_user(Role.SCHOOL, receiving_school, username="8384512")


@pytest.fixture
def outsider_school_user(make_user, outsider_school):
    return make_user(Role.SCHOOL, outsider_school, username="6812345")


@pytest.fixture
def redis_tasks(settings):
    """Tasks go to the tests' own (emptied) Redis database; return a client of it.

    For tests marked `core.tests.redis.needs_redis`.
    """
    from s2s.core.taskqueue import QUEUE
    from s2s.core.tests.redis import TEST_REDIS_URL, redis_emptied

    settings.TASKS = {"default": {"BACKEND": "s2s.core.taskqueue.RedisBackend"}}
    settings.RQ_QUEUES = {QUEUE: {"URL": TEST_REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    client = redis_emptied()
    yield client
    client.flushdb()
