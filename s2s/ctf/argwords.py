"""argparse's own words ("usage:", "the following arguments are required") in a reader's language.

argparse looks its words up with the `gettext` module's functions, bound when it is imported
(`from gettext import gettext as _, ngettext`, Python 3.11 to 3.13), so they follow neither a
catalogue nor a `--lang`. `speaking(gettext)` answers those lookups with the given functions
inside the block, and only in the thread or task that entered it (a context variable):
elsewhere argparse gets the functions it had, so other programs and tests are unchanged.

No Django here: the CTF command line passes the compiled catalogue's gettext, Django's
commands pass Django's (`core/argparse_words.py`, which also lists the words for `make
messages`).
"""

import argparse
import contextlib
import gettext as gettext_module
from collections.abc import Callable, Iterator
from contextvars import ContextVar

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]

_speaker: ContextVar[tuple[Gettext, Ngettext | None] | None] = ContextVar(
    "argparse_speaker", default=None)


def _routed_gettext(plain: Gettext) -> Gettext:
    def lookup(message: str) -> str:
        speaker = _speaker.get()
        return plain(message) if speaker is None else speaker[0](message)
    return lookup


def _routed_ngettext(plain: Ngettext) -> Ngettext:
    def lookup(singular: str, plural: str, number: int) -> str:
        speaker = _speaker.get()
        if speaker is None or speaker[1] is None:
            return plain(singular, plural, number)
        return speaker[1](singular, plural, number)
    return lookup


def _route_argparse() -> None:
    """Send argparse's lookups through the speaker, if any (once per process).

    Only names argparse took from `gettext` are replaced: a Python that words its messages
    another way keeps them in English rather than break.
    """
    if getattr(argparse, "_", None) is gettext_module.gettext:
        argparse._ = _routed_gettext(gettext_module.gettext)
    if getattr(argparse, "ngettext", None) is gettext_module.ngettext:
        argparse.ngettext = _routed_ngettext(gettext_module.ngettext)


@contextlib.contextmanager
def speaking(gettext: Gettext | None, ngettext: Ngettext | None = None) -> Iterator[None]:
    """Word argparse's messages with `gettext` (and `ngettext`) inside the block; None: as is."""
    if gettext is None:
        yield
        return
    _route_argparse()
    token = _speaker.set((gettext, ngettext))
    try:
        yield
    finally:
        _speaker.reset(token)
