"""Names for matching: normalising, a sound-alike key, and the Damerau-Levenshtein distance.

The key is our own Metaphone-like code, tuned for the names of pupils in England and Wales
(issue 5): it must give Smith, Smyth and Smithe one key; Thompson and Thomson; Mohammed,
Mohamed and Muhammad; Catherine and Kathryn. It keeps every consonant sound (no four-letter
cut), so it stays selective on a million names; typos it does not absorb are caught by the
edit distance on a candidate set narrowed by an index (see `search.py`).

Welsh names (issue 17): diacritics are folded away (Siân, Gwenllïan, Llŷr); LL, RH and DD need
no rule of their own (a repeated sound counts once, an H after a consonant is silent, D and TH
both key as T, so Dafydd, David and Davydd share TFT while Thompson and Thomson keep TMSN); F
and V both key as F (Dafydd, Davydd); W and Y are vowels unless a vowel follows (Hywel and
Howell, Llwyd and Lloyd). Two rules are Welsh: a first FLEW or FLUEL is the Welsh LL written
the English way, and such a name's last ING is IN (Flewelling, Fluellen, Llewelyn: LWLN; a
plain FL stays, so Floyd is not Lloyd, and Fleming, Flynn and Florence keep their F); a first
SIA or SIO is SH (Siân, Siôn, Siobhan as Shan, Shôn). The patronymic ap or ab before a name is
fused with it (`fused_forms`: ap Rhys as PRHYS, Price's key), a further surname variant.

No dependency: the rules are short enough to read, and tested in `tests/test_phonetics.py`.
"""

import re
import unicodedata

_NOT_LETTER = re.compile(r"[^A-Z]")
_SPLIT = re.compile(r"[^A-Z']+")
VOWELS = frozenset("AEIOUY")
# Particles of a double-barrelled or multi-part surname that alone say little about a child.
PARTICLES = frozenset({
    "AB", "AL", "AP", "BEN", "BIN", "DA", "DE", "DEL", "DEN", "DER", "DI", "DOS", "DU", "EL", "LA",
    "LE", "ST", "VAN", "VON",
})
# Spellings that sound the same, rewritten before the letter rules (longest first).
_SPELLINGS = (
    ("SCH", "SK"), ("TCH", "X"), ("MPS", "MS"), ("MPT", "MT"), ("CHR", "KR"), ("PH", "F"),
    ("CK", "K"), ("SH", "X"), ("CH", "X"), ("TH", "T"), ("DG", "J"), ("GN", "N"),
    ("KN", "N"), ("WR", "R"), ("WH", "W"), ("QU", "KW"), ("GH", ""),
)
_SIMPLE = {"B": "B", "D": "T", "F": "F", "J": "J", "K": "K", "L": "L", "M": "M", "N": "N",
           "P": "P", "Q": "K", "R": "R", "S": "S", "T": "T", "V": "F", "X": "KS", "Z": "S"}


def fold(text: str | None) -> str:
    """Return the text in capitals without accents: "Zoë O'Brien" -> "ZOE O'BRIEN"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper().strip()


def normalise(text: str | None) -> str:
    """Return the letters only, in capitals: "O'Brien-Smith" -> "OBRIENSMITH"."""
    return _NOT_LETTER.sub("", fold(text))


def name_parts(text: str | None) -> list[str]:
    """Return the normalised parts of a hyphenated, double-barrelled or multi-word name.

    "Smith-Jones" -> ["SMITH", "JONES"]; "Ap Rhys Pryce" -> ["RHYS", "PRYCE"]; a one-part name
    gives no parts (the whole name is its own variant).
    """
    words = [w.replace("'", "") for w in _SPLIT.split(fold(text)) if w.replace("'", "")]
    if len(words) < 2:
        return []
    return [w for w in words if w not in PARTICLES and len(w) > 1]


def fused_forms(text: str | None) -> list[str]:
    """Return the Welsh patronymic forms of a name: each ap or ab fused with the name after it.

    "ap Rhys" -> ["PRHYS"] (Price's key, PRS); "ap Hywel" -> ["PYWEL"] (Powell's); "ab Owen"
    -> ["BOWEN"]; "ap Harry" -> ["PARRY"]. Before a vowel the prefix is B (ab), before an H it
    is P and the H goes, else it is P, whichever of ap or ab was written. Other names give [].
    """
    words = [w.replace("'", "") for w in _SPLIT.split(fold(text)) if w.replace("'", "")]
    forms = []
    for prefix, name in zip(words, words[1:], strict=False):
        if prefix not in ("AP", "AB") or len(name) < 2:
            continue
        if name[0] in VOWELS:
            forms.append("B" + name)
        else:
            forms.append("P" + (name[1:] if name[0] == "H" else name))
    return forms


def _welsh(word: str) -> str:
    """Return the word with its Welsh spellings of English sounds rewritten (see above)."""
    if word.startswith(("FLEW", "FLUEL")):
        word = "LLEW" + word[3:] if word.startswith("FLUEL") else word[1:]
        if word.endswith("ING"):
            word = word[:-1]
    elif word.startswith(("SIA", "SIO")):
        word = "SH" + word[2:]
    return word


def _c(word: str, i: int, nxt: str) -> str:
    return "S" if nxt in "EIY" else "K"


def _g(word: str, i: int, nxt: str) -> str:
    return "J" if nxt in "EIY" else "K"


def _h(word: str, i: int, nxt: str) -> str:
    # Heard only before a vowel, and not after a consonant that it softens: Mohammed, Hugh.
    prev = word[i - 1] if i else ""
    return "H" if nxt in VOWELS and (not prev or prev in VOWELS) else ""


def _w(word: str, i: int, nxt: str) -> str:
    return "W" if nxt in VOWELS and nxt != "Y" else ""


def _y(word: str, i: int, nxt: str) -> str:
    if i:
        return ""
    return "Y" if nxt in VOWELS else "A"


_RULES = {"C": _c, "G": _g, "H": _h, "W": _w, "Y": _y}


def sound_key(text: str | None) -> str:
    """Return the sound-alike key of a name: the same for names that sound the same.

    Smith, Smyth, Smithe -> SMT; Thompson, Thomson -> TMSN; Mohammed, Muhammad -> MHMT;
    Catherine, Kathryn -> KTRN. A leading vowel is kept as "A"; other vowels are dropped;
    repeated sounds count once. An empty name has an empty key.
    """
    word = _welsh(normalise(text))
    if not word:
        return ""
    for start, instead in (("PS", "S"), ("PN", "N"), ("X", "S"), ("MAC", "MK"), ("GH", "G")):
        if word.startswith(start):
            word = instead + word[len(start):]
            break
    if word.endswith("MB"):
        word = word[:-1]
    for spelling, instead in _SPELLINGS:
        word = word.replace(spelling, instead)
    out = []
    for i, letter in enumerate(word):
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if letter in VOWELS and letter not in _RULES:
            sound = "A" if i == 0 else ""
        elif letter in _RULES:
            sound = _RULES[letter](word, i, nxt)
        else:
            sound = _SIMPLE.get(letter, "")
        if sound and not (out and out[-1] == sound):
            out.append(sound)
    return "".join(out)


def damerau_levenshtein(a: str, b: str, limit: int | None = None) -> int:
    """Return the edit distance (insert, delete, substitute, swap two neighbours) of a and b.

    The optimal-string-alignment form: each neighbour swap counts once ("SMTIH" is one edit
    from "SMITH"). With `limit`, return `limit + 1` as soon as the distance must exceed it,
    so a long candidate list is cheap to screen.
    """
    if a == b:
        return 0
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    if not a or not b:
        return max(len(a), len(b))
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (before is not None and j > 1 and a[i - 1] == b[j - 2]
                    and a[i - 2] == b[j - 1]):
                best = min(best, before[j - 2] + 1)
            current[j] = best
        if limit is not None and min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def one_edit_apart(a: str, b: str) -> bool:
    """Return whether `damerau_levenshtein(a, b) == 1`, in one pass (the typo test).

    The search screens hundreds of candidates per query with this; the test suite checks it
    against `damerau_levenshtein` on random strings.
    """
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    shortest = min(len(a), len(b))
    while i < shortest and a[i] == b[i]:
        i += 1
    if len(a) > len(b):
        return a[i + 1:] == b[i:]
    if len(a) < len(b):
        return a[i:] == b[i + 1:]
    if a[i + 1:] == b[i + 1:]:
        return True  # one letter different
    swapped = i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i]
    return swapped and a[i + 2:] == b[i + 2:]  # neighbours swapped
