"""The one email messaging sends: a notice that a secure message is waiting (seed 003, 6.2).

The notice never carries the message: no subject, no text, no sender; only a link to the
inbox, so nothing sensitive travels by email. It is written in the caller's transaction
(`email_queue`), so it exists exactly when the message does.
"""

from django.conf import settings
from django.urls import reverse

from s2s.core.outbox import email_queue_templated


def send_message_waiting(*, addresses: list[str]) -> int:
    """Queue one notice per address (each once), that a secure message waits; return how many."""
    link = settings.SITE_URL + reverse("messaging:inbox")
    return email_queue_templated(name="message-waiting", to=addresses, context={"link": link})
