"""Agencies fixtures: the transfers store, a police agency, and the agencies' people."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from s2s.accounts.roles import Role
from s2s.agencies.models import ExchangeAgreement
from s2s.directory.models import Agency, AgencyKind
from s2s.transfers.tests.conftest import file_store, master_key, upload  # noqa: F401


@pytest.fixture
def nurse(make_user, agency):
    """A user of 838HLTH, Dorset's school nursing service (health)."""
    return make_user(Role.AGENCY, agency, username="838hlth")


@pytest.fixture
def police(home_la):
    return Agency.objects.create(la=home_la, reference="838POLC", name="Dorset Police",
                                 kind=AgencyKind.POLICE, email="hub@police.example.gov.uk")


@pytest.fixture
def officer(make_user, police):
    """A user of 838POLC, the police safeguarding hub."""
    return make_user(Role.AGENCY, police, username="838polc")


@pytest.fixture
def agreement():
    """Return a function that puts an agreement in force (or ended, with `until` past)."""

    def make(agency, direction, *ends, until=None):
        return ExchangeAgreement.objects.create(
            agency=agency, direction=direction, ends=list(ends), purpose="School nursing",
            until=until or timezone.localdate() + timedelta(days=365))

    return make


def years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)
