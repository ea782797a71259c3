"""A CTF's validation findings, as a transfer stores them, in the reader's language."""

from django.utils.translation import gettext

from s2s.ctf.validate import Finding


def finding_texts(findings: list[dict], limit: int | None = None) -> list[str]:
    """Return validation findings as lines for people, in the active language."""
    return [Finding(**finding).as_text(gettext) for finding in findings[:limit]]


def findings_worded(findings: list[dict]) -> list[dict]:
    """Return the findings with each `message` in the active language; codes stay as they are."""
    return [{**finding, "message": Finding(**finding).words(gettext)} for finding in findings]
