"""What the file exchange puts on the start page: the files that need the person now."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from s2s.accounts.policy import Action, has_capability
from s2s.transfers import selectors
from s2s.transfers.models import TransferStatus


def _oldest_age(oldest) -> str:
    days = (timezone.now() - oldest).days
    if days < 1:
        return _("The oldest arrived today.")
    return ngettext("The oldest has waited %(days)s day.", "The oldest has waited %(days)s days.",
                    days) % {"days": days}


def _waiting(user, *, generic: bool) -> dict:
    waiting = selectors.transfer_waiting(user=user, generic=generic)
    count = waiting["files"]
    if generic:
        text = ngettext("%(count)s generic file waiting to be downloaded",
                        "%(count)s generic files waiting to be downloaded", count)
    else:
        text = ngettext("%(count)s file waiting to be downloaded",
                        "%(count)s files waiting to be downloaded", count)
    return {"count": count, "text": text % {"count": count},
            "url": reverse("transfers:generic" if generic else "transfers:inbox"),
            "hint": _oldest_age(waiting["oldest"]) if count else None}


def waiting_files(request) -> list[dict]:
    """Return the CTFs and generic zips waiting for the user's download, and the oldest's age."""
    user = request.user
    items = []
    if has_capability(user, Action.TRANSFER_FILES):
        items.append(_waiting(user, generic=False))
    if has_capability(user, Action.GENERIC_FILES):
        items.append(_waiting(user, generic=True))
    return items


def rejected_files(request) -> list[dict]:
    """Return how many files the user's place sent were rejected (and are still held)."""
    user = request.user
    if not (has_capability(user, Action.TRANSFER_FILES)
            or has_capability(user, Action.GENERIC_FILES)):
        return []
    count = selectors.transfer_rejected_count(user=user)
    text = ngettext("%(count)s file you sent was rejected",
                    "%(count)s files you sent were rejected", count) % {"count": count}
    url = f"{reverse('transfers:outbox')}?status={TransferStatus.REJECTED}"
    hint = _("Read the reason, then send the right file or delete it.") if count else None
    return [{"count": count, "text": text, "url": url, "hint": hint}]
