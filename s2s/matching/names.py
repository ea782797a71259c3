"""The keys of one name the matcher compares: sound-alike codes, nickname groups, parts.

Computed once per distinct name (a roll of 9 million pupils has a few hundred thousand
distinct names) and joined back to the records in SQL, so the per-record work stays in the
database engine.

- Sound-alike codes: Double Metaphone's primary and alternate codes (`metaphone`) and the
  project's own key (`lostpupils/phonetics.sound_key`, tuned for names in England and Wales).
  Two names sound alike when any code is shared: Siddique and Siddiqi (STK), Mohammed and
  Muhammad (MHMT), Wiktoria and Victoria (FKTR, Wiktoria's alternate).
- Nickname groups: the name and every name the `nicknames` dataset links it to, either way
  (Kate: Katherine, Kathryn, Katy...; Catherine: Cathy, Katy, Kit...). Two forenames are
  nicknames of each other when their groups meet (Kate and Catherine meet at Katy). Names are
  compared, not their sound codes: short names' codes are too coarse (Ali and Willie: AL).
- Parts: the parts of a hyphenated, double-barrelled or multi-word name (Smith-Jones: SMITH,
  JONES), with the fused Welsh patronymic (ap Rhys: PRHYS), from `lostpupils/phonetics`.
"""

from functools import cache, lru_cache

from metaphone import doublemetaphone
from nicknames import NickNamer

from s2s.lostpupils.phonetics import fused_forms, name_parts, normalise, sound_key


@cache
def _nicknamer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=200_000)
def sounds(name: str) -> tuple[str, ...]:
    """Return the sound-alike codes of a normalised name: Double Metaphone's and our key."""
    if not name:
        return ()
    primary, alternate = doublemetaphone(name)
    codes = {code for code in (primary, alternate) if code}
    key = sound_key(name)
    if key:
        codes.add(f"K{key}")
    return tuple(sorted(codes))


def nickname_group(name: str) -> list[str]:
    """Return the name's nickname group: itself, and the names the dataset links it to."""
    if not name:
        return []
    lower = name.lower()
    linked = _nicknamer().canonicals_of(lower) | _nicknamer().nicknames_of(lower)
    return sorted({name, *(n.upper() for n in linked)})


def parts(text: str) -> list[str]:
    """Return the whole normalised name and its parts and fused forms, each once."""
    whole = normalise(text)
    found = [whole] if whole else []
    for part in [*name_parts(text), *fused_forms(text)]:
        if part and part not in found:
            found.append(part)
    return found


def name_rows(texts: list[str]) -> list[dict]:
    """Return `name_row` of each text (a worker's share of a large set of names)."""
    return [name_row(text) for text in texts]


def name_row(text: str) -> dict:
    """Return the keys of one name as stored in the names table the records join."""
    whole = normalise(text)
    variants = parts(text)
    return {
        "raw": text,
        "norm": whole or None,
        "sounds": list(sounds(whole)),
        "nicknames": nickname_group(whole),
        "variants": variants,
        "variant_sounds": sorted({code for v in variants for code in sounds(v)}),
    }


# --- Forename variants: shared by the matcher and the LPD's interactive search ---------------

# Spellings of one sound across languages and transliterations, each rewrite both ways: Polish
# and German W for V (Wiktoria, Victoria), Arabic names' final -IQUE/-IQI/-IKI (Siddique,
# Siddiqi, Sidiki), PH for F, K for C or CK, KS for X, OU for U, EE/EA for I, J for Y.
_SPELLINGS = (
    ("^W", "V"), ("^V", "W"), ("IQUE$", "IQI"), ("IQI$", "IQUE"), ("IQUE$", "IKI"),
    ("IKI$", "IQUE"), ("IQ", "IK"), ("IK", "IQ"), ("PH", "F"), ("F", "PH"), ("CK", "K"),
    ("K", "C"), ("C", "K"), ("X", "KS"), ("KS", "X"), ("OU", "U"), ("EE", "I"), ("EA", "I"),
    ("^J", "Y"), ("^Y", "J"), ("W", "V"), ("V", "W"),
)


def _rewrite(name: str, old: str, new: str) -> str:
    if old.startswith("^"):
        return new + name[len(old) - 1:] if name.startswith(old[1:]) else name
    if old.endswith("$"):
        return name[:-(len(old) - 1)] + new if name.endswith(old[:-1]) else name
    return name.replace(old, new)


def spellings(name: str) -> list[str]:
    """Return other spellings of a normalised name (one rewrite each), itself first."""
    found = [name] if name else []
    for old, new in _SPELLINGS:
        other = _rewrite(name, old, new)
        if other and other not in found:
            found.append(other)
    return found


@lru_cache(maxsize=50_000)
def forename_variants(name: str) -> frozenset[str]:
    """Return the forenames a person may have written for this normalised one.

    Its nickname group (Kate: Katherine, Katy...; a nickname's group reaches its full names'
    other nicknames, so Kate finds Catherine through Katy) and its other spellings.
    """
    if not name:
        return frozenset()
    group = set(nickname_group(name))
    for linked in list(group):
        group.update(nickname_group(linked) if linked != name else ())
    return frozenset(group | set(spellings(name)))


def forenames_alike(one: str, other: str) -> str | None:
    """Return how two normalised forenames are the same name ("nickname", "spelling"), or None.

    Nicknames are compared as names; spellings and sound-alike codes (Double Metaphone's and
    the project's key) as codes: Wiktoria and Victoria share FKTR, Mohammed and Muhammad MHMT.
    Codes of one or two letters are too coarse to say so (Ali and Willie: AL; John and Jane: JN).
    """
    if not one or not other or one == other:
        return None
    if set(nickname_group(one)) & set(nickname_group(other)):
        return "nickname"
    if other in forename_variants(one) or one in forename_variants(other):
        return "spelling"
    shared = set(sounds(one)) & set(sounds(other))
    if any(len(code.removeprefix("K")) >= 3 for code in shared):
        return "spelling"
    return None
