"""`s2s review_users`: the annual user review (seed 003, 1.6) disables and warns, once each."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from s2s.accounts.models import User
from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent


@pytest.fixture(autouse=True)
def _review_period(settings):
    settings.USER_REVIEW_DISABLE_AFTER_DAYS = 396
    settings.USER_REVIEW_WARN_DAYS = [30, 7]


@pytest.fixture
def review(db, django_capture_on_commit_callbacks):
    """Return a function that runs the command and returns what it printed."""

    def run(*args):
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("review_users", *args, stdout=out)
        return out.getvalue()

    return run


def _confirmed_days_ago(user: User, days: int) -> User:
    User.objects.filter(pk=user.pk).update(confirmed_at=timezone.now() - timedelta(days=days))
    user.refresh_from_db()
    return user


@pytest.fixture
def people(make_user, home_la, la_dba, sending_school):
    return {
        "stale": _confirmed_days_ago(make_user(Role.LA_USER, home_la, username="stale"), 400),
        "soon": _confirmed_days_ago(make_user(Role.LA_CENSUS, home_la, username="soon"), 376),
        "very_soon": _confirmed_days_ago(
            make_user(Role.SCHOOL, sending_school, username="verysoon"), 392),
        "fresh": _confirmed_days_ago(make_user(Role.LA_CME, home_la, username="fresh"), 100),
    }


def _recipients(subject_part: str) -> list[str]:
    return sorted(m.to[0] for m in mail.outbox if subject_part in m.subject)


def test_an_account_not_confirmed_for_13_months_is_disabled(review, people):
    out = review()
    stale = User.objects.get(username="stale")
    assert not stale.is_active
    assert stale.disabled_reason == "Not confirmed in the annual user review"
    assert "Disabled stale (838)" in out
    assert User.objects.get(username="fresh").is_active
    assert AuditEvent.objects.get(action="user.disabled_by_review").actor_username == "system"
    assert _recipients("stale has been disabled") == ["838dba@example.gov.uk",
                                                      "stale@example.gov.uk"]


def test_the_user_and_its_la_dbas_are_warned_before(review, people):
    out = review()
    assert _recipients("soon will be disabled in 20 days") == ["838dba@example.gov.uk",
                                                               "soon@example.gov.uk"]
    # A school user's warning goes to the DBAs of the school's LA.
    assert _recipients("verysoon will be disabled") == ["838dba@example.gov.uk",
                                                        "verysoon@example.gov.uk"]
    assert "Warned about soon" in out
    assert User.objects.get(username="soon").review_warned_days == 30
    assert User.objects.get(username="verysoon").review_warned_days == 7
    assert User.objects.get(username="soon").is_active


def test_a_user_late_for_both_marks_gets_one_warning(review, people):
    review()
    assert len(_recipients("verysoon will be disabled")) == 2


def test_running_again_does_nothing_twice(review, people):
    review()
    sent = len(mail.outbox)
    out = review()
    assert len(mail.outbox) == sent
    assert "Disabled 0 account(s); warned about 0." in out
    assert AuditEvent.objects.filter(action="user.review_warning").count() == 2


def test_the_next_mark_warns_again(review, people):
    review()
    soon = User.objects.get(username="soon")
    User.objects.filter(pk=soon.pk).update(confirmed_at=soon.confirmed_at - timedelta(days=15))
    mail.outbox.clear()
    review()
    assert _recipients("soon will be disabled in 5 days") == ["838dba@example.gov.uk",
                                                              "soon@example.gov.uk"]
    assert User.objects.get(username="soon").review_warned_days == 7


def test_confirming_starts_the_warnings_afresh(review, people, la_dba):
    from s2s.accounts.services import user_confirm_still_valid

    review()
    user_confirm_still_valid(by=la_dba, user=User.objects.get(username="soon"))
    assert User.objects.get(username="soon").review_warned_days is None
    mail.outbox.clear()
    review()
    assert _recipients("soon") == []


def test_dry_run_changes_and_sends_nothing(review, people):
    out = review("--dry-run")
    assert "Would disable stale" in out
    assert "Would warn about soon" in out
    assert "Would disable 1 account(s); would warn about 2." in out
    assert mail.outbox == []
    assert User.objects.get(username="stale").is_active
    assert User.objects.get(username="soon").review_warned_days is None
    assert not AuditEvent.objects.exists()


def test_limit_caps_what_one_run_does(review, people):
    out = review("--limit", "2")
    assert "Disabled 1 account(s); warned about 1." in out
    out = review()
    assert "Disabled 0 account(s); warned about 1." in out
