"""Scoring a Lost Pupil Database record against a search: points per criterion, and why.

Each criterion given scores the record 0-100 by how it matched (exact, begins, sounds alike,
one typo; a UPN or a former UPN; a DOB or its day and month swapped), weighted by `POINTS`;
a record that fails any criterion given, or that no criterion was given for, does not match.
The search (`search.py`) reads the candidates' light rows and asks `score_row` of each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.lostpupils.keys import variants_of
from s2s.lostpupils.models import NameKind
from s2s.lostpupils.phonetics import one_edit_apart
from s2s.matching.names import forenames_alike

if TYPE_CHECKING:
    from s2s.lostpupils.search import _Name, _Query

UPN_LENGTH = 13
# Points per criterion: the best possible match, and each kind of match.
POINTS = {"upn": 40, "surname": 30, "forename": 15, "dob": 25, "sex": 5, "town": 5,
          "postcode": 10}

# Each reason a whole phrase, so a translation can word it as its language needs (Welsh:
# "cyfenw'n swnio'n debyg" but "enw cyntaf yn swnio'n debyg"); the keys are a name's kind
# ("forename" for the forename) and how it matched.
_REASONS = {
    (NameKind.LEGAL, "exact"): gettext_lazy("surname exact"),
    (NameKind.LEGAL, "begins"): gettext_lazy("surname begins with the search"),
    (NameKind.LEGAL, "sounds"): gettext_lazy("surname sounds alike"),
    (NameKind.LEGAL, "typo"): gettext_lazy("surname one letter different"),
    (NameKind.PREFERRED, "exact"): gettext_lazy("preferred surname exact"),
    (NameKind.PREFERRED, "begins"): gettext_lazy("preferred surname begins with the search"),
    (NameKind.PREFERRED, "sounds"): gettext_lazy("preferred surname sounds alike"),
    (NameKind.PREFERRED, "typo"): gettext_lazy("preferred surname one letter different"),
    (NameKind.FORMER, "exact"): gettext_lazy("former surname exact"),
    (NameKind.FORMER, "begins"): gettext_lazy("former surname begins with the search"),
    (NameKind.FORMER, "sounds"): gettext_lazy("former surname sounds alike"),
    (NameKind.FORMER, "typo"): gettext_lazy("former surname one letter different"),
    (NameKind.PART, "exact"): gettext_lazy("part of the surname exact"),
    (NameKind.PART, "begins"): gettext_lazy("part of the surname begins with the search"),
    (NameKind.PART, "sounds"): gettext_lazy("part of the surname sounds alike"),
    (NameKind.PART, "typo"): gettext_lazy("part of the surname one letter different"),
    (NameKind.FUSED, "exact"): gettext_lazy("surname with ap or ab joined exact"),
    (NameKind.FUSED, "begins"): gettext_lazy(
        "surname with ap or ab joined begins with the search"),
    (NameKind.FUSED, "sounds"): gettext_lazy("surname with ap or ab joined sounds alike"),
    (NameKind.FUSED, "typo"): gettext_lazy("surname with ap or ab joined one letter different"),
    ("forename", "exact"): gettext_lazy("forename exact"),
    ("forename", "begins"): gettext_lazy("forename begins with the search"),
    ("forename", "sounds"): gettext_lazy("forename sounds alike"),
    ("forename", "typo"): gettext_lazy("forename one letter different"),
    ("forename", "nickname"): gettext_lazy("forename is a nickname of the search"),
    ("forename", "spelling"): gettext_lazy("forename is another spelling of the search"),
}


def _compare(query: _Name, name: str, key: str, begins: bool) -> tuple[int, str] | None:
    """Return (points out of 100, how) for the best way one stored name matches the query."""
    if name in query.variants:
        return (100, "exact") if name == query.whole else (90, "exact")
    if begins:
        return (85, "begins") if any(name.startswith(v) for v in query.variants) else None
    if key in query.keys:
        return 80, "sounds"
    if any(one_edit_apart(v, name) for v in query.variants):
        return 70, "typo"
    return None


def _how(kind: str, how: str) -> str:
    return str(_REASONS.get((kind, how)) or _REASONS[(NameKind.LEGAL, how)])


def _surname(query: _Query, row: dict) -> tuple[int, str] | None:
    best = None
    for kind, name, key in variants_of(row["name_keys"]):
        found = _compare(query.surname, name, key, query.begins)
        if found and (best is None or found[0] > best[0]):
            best = (found[0], _how(kind, found[1]))
    return best


def _forename(query: _Query, row: dict) -> tuple[int, str] | None:
    name = row["forename_norm"]
    found = _compare(query.forename, name, row["forename_key"], begins=False)
    if found is None and name.startswith(query.forename.whole):
        found = (80, "begins")
    if found is None:
        # Nicknames and other languages' spellings: the matcher's comparisons (issue 15).
        alike = forenames_alike(query.forename.whole, name)
        found = (75, alike) if alike else None
    return (found[0], _how("forename", found[1])) if found else None


def _upn(query: _Query, row: dict) -> tuple[int, str] | None:
    if row["upn"] == query.upn:
        return 100, _("UPN exact")
    if row["former_upn"] == query.upn:
        return 90, _("former UPN exact")
    if len(query.upn) == UPN_LENGTH:
        return None
    if row["upn"].startswith(query.upn):
        return 70, _("UPN begins with the search")
    return (60, _("former UPN begins with the search")) if row["former_upn"].startswith(
        query.upn) else None


def _dob(query: _Query, row: dict) -> tuple[int, str] | None:
    if row["dob"] == query.dobs[0]:
        return 100, _("DOB exact")
    return (60, _("DOB day and month swapped")) if row["dob"] in query.dobs else None


def _sex(query: _Query, row: dict) -> tuple[int, str] | None:
    return (100, _("sex matches")) if row["sex"] == query.sex else None


def _town(query: _Query, row: dict) -> tuple[int, str] | None:
    return (100, _("town matches")) if row["town_norm"] == query.town else None


def _postcode(query: _Query, row: dict) -> tuple[int, str] | None:
    if row["postcode_norm"] == query.postcode:
        return 100, _("postcode exact")
    return (60, _("postcode begins")) if row["postcode_norm"].startswith(query.postcode) else None


_CHECKS = (
    ("upn", _upn), ("surname", _surname), ("forename", _forename), ("dob", _dob),
    ("sex", _sex), ("town", _town), ("postcode", _postcode),
)


def _given(query: _Query, name: str) -> bool:
    return bool(query.dobs if name == "dob" else getattr(query, name))


def checks_for(query: _Query) -> list:
    """Return the (name, check) pairs of the criteria given, in the order reasons are told."""
    return [(name, check) for name, check in _CHECKS if _given(query, name)]


def score_row(query: _Query, row: dict, checks: list | None = None
              ) -> tuple[int, list[str]] | None:
    """Return (score 1-100, reasons) for one record's light row, or None if it does not match.

    `checks` is `checks_for(query)`, worked out once for many rows. With no criterion nothing
    matches: a record is found by what it matched, never by default.
    """
    checks = checks if checks is not None else checks_for(query)
    found = _score(query, row, checks)
    other = query.swapped() if found is None else None
    if other is not None and (found := _score(other, row, checks)) is not None:
        found[1].append(_("surname and forename swapped"))
    return found


def _score(query: _Query, row: dict, checks: list) -> tuple[int, list[str]] | None:
    got = possible = 0
    reasons = []
    for name, check in checks:
        found = check(query, row)
        if found is None:
            return None
        possible += POINTS[name]
        got += POINTS[name] * found[0]
        reasons.append(found[1])
    if not possible:
        return None
    return max(1, round(got / possible)), reasons
