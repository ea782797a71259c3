"""The email to the school's data contact: a link and counts, never pupil data."""

import pytest
from django.core import mail

from s2s.accounts.roles import Role
from s2s.feeds.tests.conftest import UPN_1, UPN_2, pupil, send_marks, send_roll

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Return a function that runs a send and its commit's callbacks (the emails' tasks)."""

    def run(send, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return send(*args, **kwargs)

    return run


@pytest.fixture
def school_users(make_user, sending_school):
    return [make_user(Role.SCHOOL, sending_school, username="office", email="office@x.sch.uk"),
            make_user(Role.SCHOOL, sending_school, username="old", email="old@x.sch.uk",
                      is_active=False)]


def test_a_feed_with_warnings_emails_the_school_and_its_users_a_link_and_counts(
        connector, school_users, sending_school, sent):
    feed = sent(send_roll, connector, [pupil(UPN_1, surname="Smith  Jones ", postcode=""),
                                 pupil(UPN_2, dob="2016-02-31")])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([sending_school.email,
                                                           "office@x.sch.uk"])
    message = mail.outbox[0]
    assert message.subject == (
        "Roll feed for 8383321 Stickland's CE VA Primary: 0 errors, 3 warnings")
    assert f"/feeds/{feed.pk}/" in message.body
    assert "2 records received, 2 changed" in message.body


def test_the_email_carries_no_pupil_data(connector, school_users, sent):
    sent(send_roll, connector, [pupil(UPN_1, surname="Zebedee", forename="Quentina", postcode="",
                                dob="2016-02-31", town="Puddletown")])
    sent(send_marks, connector, [(UPN_1, "2026-11-02", "AM", "Ä")])
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        text = message.subject + message.body + message.alternatives[0][0]
        for pupil_data in (UPN_1, "Zebedee", "Quentina", "2016-02-31", "Puddletown", "Ä"):
            assert pupil_data not in text


def test_a_clean_feed_emails_nobody(connector, school_users, sent):
    sent(send_roll, connector, [pupil(UPN_1)])
    assert mail.outbox == []
