"""The one email messaging sends: a notice that a secure message is waiting (seed 003, 6.2).

The notice never carries the message: no subject, no text, no sender; only a link to the
inbox, so nothing sensitive travels by email. It is written in the caller's transaction
(`email_queue`), so it exists exactly when the message does.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from s2s.core.outbox import email_queue


def send_message_waiting(*, addresses: list[str]) -> int:
    """Queue one notice per address (each once), that a secure message waits; return how many."""
    link = settings.SITE_URL + reverse("messaging:inbox")
    context = {"site_url": settings.SITE_URL, "link": link}
    subject = " ".join(render_to_string("emails/message-waiting-subject.txt", context).split())
    text = render_to_string("emails/message-waiting-body.txt", context)
    html = render_to_string("emails/message-waiting-body.html", context)
    seen: dict[str, str] = {}
    for address in addresses:
        address = (address or "").strip()
        if address:
            seen.setdefault(address.lower(), address)
    unique = list(seen.values())
    for address in unique:
        email_queue(to=address, subject=subject, text=text, html=html)
    return len(unique)
