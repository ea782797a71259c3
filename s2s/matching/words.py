"""The matcher's words for people: its comparison levels and its steps, in the reader's words.

The engine (no Django) names each comparison level in English (`label_for_charts`); those names
are stored in a trained model, in each pair's weights and, joined by ", ", as the pair's reason,
and `s2s match link` writes them to its CSV. They stay English there (programs read them); a
page words them through these tables, and shows anything it does not know as stored.
"""

from django.utils.translation import gettext_lazy as _

LEVEL_WORDS = {
    "missing": _("missing"),
    "UPN matches": _("UPN matches"),
    "former UPN matches": _("former UPN matches"),
    "UPN differs": _("UPN differs"),
    "forename matches": _("forename matches"),
    "forename and surname swapped": _("forename and surname swapped"),
    "forename one letter different": _("forename one letter different"),
    "forename nearly the same": _("forename nearly the same"),
    "forename sounds alike": _("forename sounds alike"),
    "forename a nickname of the other": _("forename a nickname of the other"),
    "middle name given as forename": _("middle name given as forename"),
    "forename somewhat alike": _("forename somewhat alike"),
    "forename differs": _("forename differs"),
    "surname matches": _("surname matches"),
    "surname and forename swapped": _("surname and forename swapped"),
    "surname one letter different": _("surname one letter different"),
    "surname nearly the same": _("surname nearly the same"),
    "surname matches a former, preferred or part surname": _(
        "surname matches a former, preferred or part surname"),
    "surname sounds alike": _("surname sounds alike"),
    "surname sounds like a former, preferred or part surname": _(
        "surname sounds like a former, preferred or part surname"),
    "surname differs": _("surname differs"),
    "DOB matches": _("DOB matches"),
    "DOB day and month swapped": _("DOB day and month swapped"),
    "DOB one digit different": _("DOB one digit different"),
    "DOB same month and year": _("DOB same month and year"),
    "DOB differs": _("DOB differs"),
    "sex matches": _("sex matches"),
    "sex differs": _("sex differs"),
    "postcode matches": _("postcode matches"),
    "postcode district matches": _("postcode district matches"),
    "town matches": _("town matches"),
    "postcode and town differ": _("postcode and town differ"),
}
# A run's steps (`runs.STEPS`) as the runs page shows them; the stored step stays the key.
STEP_WORDS = {
    "refreshing the roll": _("refreshing the roll"),
    "reading the records": _("reading the records"),
    "preparing records": _("preparing records"),
    "training the model": _("training the model"),
    "counting the pairs to compare": _("counting the pairs to compare"),
    "comparing pairs": _("comparing pairs"),
    "writing the pairs": _("writing the pairs"),
}
# Longest first, so a label holding a comma is read whole before a shorter one is tried.
_BY_LENGTH = sorted(LEVEL_WORDS, key=len, reverse=True)


def level_words(label: str) -> str:
    """Return a comparison level's name in the active language (as given if unknown)."""
    return str(LEVEL_WORDS.get(label, label))


def reason_words(reason: str) -> str:
    """Return a pair's reason (level names joined by ", ") in the active language.

    A reason holding anything that is not a known level is returned as stored.
    """
    words, rest = [], reason or ""
    while rest:
        label = next((known for known in _BY_LENGTH
                      if rest == known or rest.startswith(known + ", ")), None)
        if label is None:
            return reason
        words.append(level_words(label))
        rest = rest[len(label) + 2:]
    return ", ".join(words)
