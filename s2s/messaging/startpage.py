"""What secure messaging puts on the start page: the messages not read yet."""

from django.urls import reverse
from django.utils.translation import ngettext

from s2s.accounts.policy import Action, has_capability
from s2s.messaging import selectors


def unread_messages(request) -> list[dict]:
    """Return how many of the user's messages are unread, linking to them."""
    user = request.user
    if not has_capability(user, Action.MESSAGES):
        return []
    count = selectors.unread_count(user=user)
    text = ngettext("%(count)s unread message", "%(count)s unread messages",
                    count) % {"count": count}
    return [{"count": count, "text": text, "url": f"{reverse('messaging:inbox')}?unread=1",
             "hint": None}]
