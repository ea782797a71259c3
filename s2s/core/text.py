"""Text rules: what a person must give (trimmed, never blank), and words worded when read."""

from collections.abc import Mapping

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import override

from s2s.core.errors import ServiceError


def text_required(value: str | None, *, field: str, blank: str, limit: int | None = None,
                  label: str = "", code: str = "", collapse: bool = False) -> str:
    """Return the text trimmed; refuse it blank, or longer than `limit` characters.

    `blank` is the refusal's message ("Enter the school name"); `label` names the text in the
    too-long message ("The reason must be 1000 characters or fewer"). `collapse` also turns
    each run of spaces, tabs and newlines into one space (names, one-line fields). The codes
    are `required` and `too_long`, after `code` and an underscore when given
    (`reason_required`), for programs that tell refusals apart.
    """
    text = " ".join((value or "").split()) if collapse else (value or "").strip()
    prefix = f"{code}_" if code else ""
    if not text:
        raise ServiceError(blank, code=f"{prefix}required", field=field)
    if limit is not None and len(text) > limit:
        raise ServiceError(_("The %(label)s must be %(limit)s characters or fewer")
                           % {"label": label, "limit": limit}, code=f"{prefix}too_long",
                           field=field)
    return text


def _interpolate(template: str, values: Mapping[str, object]) -> str:
    return str(template) % {name: str(value) for name, value in values.items()}


# Return `template % values`, both worded when the result is read, not when it is made: an
# email's context is made in the sender's language and rendered in each recipient's, so a
# title put together from gettext_lazy parts must wait (DESIGN.md, email languages).
interpolate_lazy = lazy(_interpolate, str)


def in_english(label) -> str:
    """Return a lazy label (a role's, a choice's) in English: the words a service stores."""
    with override(settings.LANGUAGE_CODE):
        return str(label)
