"""Why a file was deleted: the service's own reasons, stored in English, worded for each reader.

A transfer's `delete_reason` is either what a person typed (kept as typed) or one of the
service's reasons below (retention, forwarding, the Lost Pupil Database's purge and removal).
Those are stored in English whoever's job or request wrote them, so the stored row reads the
same to everyone (and the rows written before this are English already); a page words one
again in its reader's language by recognising its template and putting its values into the
translation (`delete_reason_words`). A reason that matches no template is shown as stored.
"""

import re
from functools import cache

from django.utils.translation import gettext, gettext_noop

RETENTION_UNCOLLECTED = gettext_noop("Not collected within %(days)s days of upload (retention)")
RETENTION_COLLECTED = gettext_noop("%(days)s days after it was collected (retention)")
RETENTION_REJECTED = gettext_noop("%(days)s days after it was rejected (retention)")
FORWARDED = gettext_noop("Forwarded to %(code)s as %(name)s")
LPD_PURGED = gettext_noop("Purged: the pupil is past statutory school leaving age.")
LPD_REMOVED = gettext_noop("Removed from the Lost Pupil Database: %(reason)s")
REASONS = (RETENTION_UNCOLLECTED, RETENTION_COLLECTED, RETENTION_REJECTED, FORWARDED,
           LPD_PURGED, LPD_REMOVED)


def delete_reason(template: str, **values: object) -> str:
    """Return one of the service's reasons in English, as it is stored."""
    return template % values if values else template


@cache
def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)s", template)
    # Literal text and placeholder names alternate; a value is anything, matched lazily.
    return re.compile("".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                              for i, part in enumerate(parts)) + r"\Z", re.DOTALL)


def delete_reason_words(stored: str) -> str:
    """Return a stored reason in the active language if it is one of the service's own."""
    for template in REASONS:
        found = _pattern(template).match(stored or "")
        if found:
            return delete_reason(gettext(template), **found.groupdict())
    return stored
