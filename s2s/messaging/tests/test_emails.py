import pytest

from s2s.core.tests.smtp import smtp_server  # noqa: F401 (fixture)
from s2s.messaging.tests.conftest import send

pytestmark = pytest.mark.django_db


def test_each_recipient_is_told_a_message_waits_without_the_message(
        smtp_server, other_la_officer, la_officer, lost_pupil_officer,  # noqa: F811
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(other_la_officer, las=[("838", ["la_user", "la_lost_pupil"])],
             subject="Whereabouts of Jane Doe",
             body="Last seen at Llanwern High, UPN H801200001001")
    assert sorted(r for rs in smtp_server.recipients for r in rs) == [
        "838lostpupil@example.gov.uk", "838user@example.gov.uk"]
    for email in smtp_server.messages:
        text = email.get_body(("plain",)).get_content()
        html = email.get_body(("html",)).get_content()
        assert email["Subject"] == "A secure message is waiting for you on s2s"
        assert "/messages/" in text
        assert "/messages/" in html
        for secret in ("Jane", "Whereabouts", "Llanwern", "H801200001001", "681", "Cardiff"):
            assert secret not in email["Subject"] + text + html
