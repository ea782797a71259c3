"""The search keys of a lost pupil: what intake stores and a search compares (phonetics.py)."""

from datetime import date

from s2s.lostpupils.models import NameKind
from s2s.lostpupils.phonetics import fused_forms, name_parts, normalise, sound_key

# Enough of every field to index; longer text is cut, as the CTF index does.
MAX_NAME = 100


def swapped(dob: date | None) -> date | None:
    """Return the date with day and month swapped, or None if that is no date or the same."""
    if dob is None or dob.day > 12 or dob.day == dob.month:
        return None
    return date(dob.year, dob.day, dob.month)


def postcode_key(text: str | None) -> str:
    """Return a postcode in capitals without spaces: "dt1 1aa" -> "DT11AA"."""
    return normalise_alnum(text)[:10]


def normalise_alnum(text: str | None) -> str:
    return "".join(c for c in (text or "").upper() if c.isascii() and c.isalnum())


def upn_key(text: str | None) -> str:
    """Return a UPN as stored and searched: capitals, no spaces."""
    return normalise_alnum(text)[:13]


def surname_variants(*, surname: str, preferred: str = "", former: str = ""
                     ) -> list[tuple[str, str, str]]:
    """Return each surname variant once as (kind, name, key): whole names, parts, fused.

    "Smith-Jones" gives SMITHJONES (legal) and SMITH and JONES (parts of it), so a search for
    either half of a hyphenated or double-barrelled name finds the child. "ap Rhys" gives
    APRHYS, RHYS and PRHYS (fused, Price's key), so a search for Price or Prys finds the child
    (and a search for "ap Rhys" finds a Price: the search fuses it too).
    """
    seen: dict[str, tuple[str, str, str]] = {}
    wholes = ((NameKind.LEGAL, surname), (NameKind.PREFERRED, preferred),
              (NameKind.FORMER, former))
    for kind, text in wholes:
        name = normalise(text)[:MAX_NAME]
        if name and name not in seen:
            seen[name] = (str(kind), name, sound_key(name))
    for _kind, text in wholes:
        # Cut as a whole name is, so that a record holds each name once.
        for part in (p[:MAX_NAME] for p in name_parts(text)):
            if part not in seen:
                seen[part] = (str(NameKind.PART), part, sound_key(part))
    for _kind, text in wholes:
        for fused in (f[:MAX_NAME] for f in fused_forms(text)):
            if fused not in seen:
                seen[fused] = (str(NameKind.FUSED), fused, sound_key(fused))
    return list(seen.values())


def variants_text(variants: list[tuple[str, str, str]]) -> str:
    """Return surname variants as the record stores them: "legal:SMITHJONES:SMTJNS part:...".

    Kinds, names and keys are capitals or lower-case letters only, so ":" and " " cannot
    occur in them.
    """
    return " ".join(f"{kind}:{name}:{key}" for kind, name, key in variants)


def variants_of(text: str) -> list[tuple[str, str, str]]:
    """Return the (kind, name, key) variants of a record's `name_keys`, in their order."""
    return [tuple(variant.split(":")) for variant in text.split()]


def record_keys(*, forename: str, dob: date | None, town: str, postcode: str,
                surname: str, preferred: str = "", former: str = "") -> dict:
    """Return the record's search keys, its surname variants (`name_keys`) included."""
    forename_norm = normalise(forename)[:MAX_NAME]
    return {
        "name_keys": variants_text(surname_variants(surname=surname, preferred=preferred,
                                                    former=former)),
        "surname_norm": normalise(surname)[:MAX_NAME], "forename_norm": forename_norm,
        "forename_key": sound_key(forename_norm), "dob_swapped": swapped(dob),
        "town_norm": normalise(town)[:MAX_NAME], "postcode_norm": postcode_key(postcode),
    }
