"""English left on a page in Welsh: the catalogue's English found in the page's visible text.

A line that is an English msgid, or holds one of several words, is a string left in English.
Names, codes and numbers are not msgids; a msgid whose Welsh is the same as its English, and
the words in `SAME_IN_BOTH`, are not counted. Used by the browser test and the crawl.
"""

import re
from functools import cache
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "cy" / "LC_MESSAGES" / "django.po"
# Words and names that read the same in Welsh and English: never a leftover.
SAME_IN_BOTH = frozenset({
    "s2s", "CTF", "CTFs", "UPN", "ULN", "UCI", "MIS", "API", "CSV", "JSON", "XML", "ZIP", "URN",
    "DfE", "PLASC", "ATF", "OK", "English", "Cymraeg", "GOV.UK", "Open Government Licence v3.0",
})
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
# Shorter English msgids are checked as whole lines only: "File" must not match "Filed".
WORDS_FOR_A_PHRASE = 3
LETTERS_AROUND_VALUES = 7


@cache
def english_msgids() -> tuple[frozenset[str], tuple[re.Pattern, ...]]:
    """Return the catalogue's English as whole lines, and as patterns for longer phrases."""
    lines, phrases = set(), []
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete or entry.msgid in SAME_IN_BOTH:
            continue
        if entry.msgstr and entry.msgstr == entry.msgid:
            continue  # translated as itself: the same in both languages
        for english in filter(None, (entry.msgid, entry.msgid_plural)):
            text = " ".join(english.split())
            letters = len(re.findall(r"[A-Za-z]", PLACEHOLDER.sub("", text)))
            if letters < 2 or (PLACEHOLDER.search(text) and letters < LETTERS_AROUND_VALUES):
                continue  # placeholders and a short word ("%(name)s exact") match too much
            pattern = r"\S.{0,80}?".join(re.escape(part) for part in PLACEHOLDER.split(text))
            if not PLACEHOLDER.search(text):
                lines.add(text)
            if len(text.split()) >= WORDS_FOR_A_PHRASE or PLACEHOLDER.search(text):
                phrases.append(re.compile(rf"(?<![\w']){pattern}(?![\w'])"))
    return frozenset(lines), tuple(phrases)


def english_left(text: str) -> list[str]:
    """Return the English strings of the catalogue found in a page's visible text."""
    lines, phrases = english_msgids()
    found = []
    for line in (" ".join(raw.split()) for raw in text.splitlines()):
        if not line or line in SAME_IN_BOTH:
            continue
        if line in lines:
            found.append(line)
            continue
        found += [match.group(0) for phrase in phrases for match in phrase.finditer(line)
                  if match.group(0) not in SAME_IN_BOTH]
    unique = list(dict.fromkeys(found))
    # Of overlapping matches ("Welcome, Ann" and "Welcome, Ann Jones (School user)") keep the
    # longest.
    return [text for text in unique if not any(text != other and text in other
                                               for other in unique)]
