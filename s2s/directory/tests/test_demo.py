"""`s2s demo` under other settings, or on a database that is not empty.

The tests that read one demo loaded as `make run` loads it are in `test_demo_loaded.py`.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.models import DBTaskResult

from s2s.core.models import EmailStatus, OutboundEmail
from s2s.directory.demo import build_plan
from s2s.directory.models import LocalAuthority
from s2s.transfers.models import Transfer


def _demo(*args):
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_the_demo_plan_is_the_same_every_time():
    first, second = build_plan(), build_plan()

    assert [(s.number, s.name, s.urn, s.postcode) for p in first for s in p.schools] == [
        (s.number, s.name, s.urn, s.postcode) for p in second for s in p.schools
    ]


@pytest.mark.django_db
def test_the_printed_address_and_the_links_in_the_month_s_emails_follow_the_site_url(settings):
    settings.SITE_URL = "https://s2s.example.org"

    output = _demo()

    assert "sign in at https://s2s.example.org/" in output
    assert "127.0.0.1" not in output
    emails = OutboundEmail.objects.all()
    assert emails.exists()
    assert not emails.filter(status=EmailStatus.QUEUED).exists()  # the month's are history
    links = [link for email in emails for link in re.findall(r"https?://\S+", email.text)]
    assert links
    assert all(link.startswith("https://s2s.example.org/") for link in links)


@pytest.mark.django_db
def test_the_month_leaves_no_tasks_queued_for_the_worker_of_make_run(settings):
    settings.TASKS = {"default": {"BACKEND": settings.TASK_BACKENDS["database"]}}

    _demo()

    assert Transfer.objects.filter(notified_at__isnull=False).count() == Transfer.objects.count()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_if_empty_loads_nothing_when_an_la_exists_but_still_prints_the_accounts(home_la):
    output = _demo("--if-empty")

    assert "no demo data was loaded" in output
    assert LocalAuthority.objects.count() == 1
    assert Transfer.objects.count() == 0
    assert "No demo accounts" in output


@pytest.mark.django_db
def test_the_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="known password"):
        _demo()

    assert not LocalAuthority.objects.exists()

