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
