"""Who sent a message and where it went: stored in English, the role worded for each reader.

`Message.sender_label` ("Ann Jones (LA lost pupil, 838 Dorset)") and `Recipient.addressed_as`
("838 Dorset: LA lost pupil") keep who the sender was and where the message was addressed when
it was sent. They are written in English whoever sends (rows written before were in the
sender's language, and are shown as they are), and a page words the role in them in its
reader's language, as `transfers/deleted.py` does for a deleted file's reason.
"""

from functools import cache

from django.utils.translation import get_language

from s2s.accounts.roles import Role
from s2s.core.text import in_english


@cache
def _roles() -> tuple[tuple[str, Role], ...]:
    """Return each role's English label and the role, longest label first."""
    return tuple(sorted(((in_english(role.label), role) for role in Role),
                        key=lambda pair: len(pair[0]), reverse=True))


def label_words(stored: str) -> str:
    """Return a stored sender or recipient label with its role in the active language."""
    if not stored or (get_language() or "").startswith("en"):
        return stored
    for english, role in _roles():
        if f"({english}, " in stored:
            return stored.replace(f"({english}, ", f"({role.label}, ", 1)
        if stored.endswith(f": {english}"):
            return f"{stored[:-len(english)]}{role.label}"
    return stored
