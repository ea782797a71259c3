"""argparse's and Django's own words in a command's help and usage errors, from our catalogue.

argparse words its help and errors with the `gettext` module (`from gettext import gettext
as _, ngettext`, Python 3.11 to 3.13), which knows nothing of Django's catalogue or of a
command's `--lang`. `speaking(language)` answers those lookups from the project's catalogue
in `language`, only inside the block and only in its own thread or task (a context
variable): a command's parser speaks while it is built, formats its help or usage, and parses
(so "the following arguments are required" is Welsh too). Outside the block argparse's
lookups go to the function they went to before, so other programs and tests are unchanged.

The words are listed here once, marked with `gettext_noop` so `make messages` collects them:
those argparse shows a person (headings, `usage:`, `-h`, the parse errors; not the errors
about a program's own mistakes, such as a conflicting option string) and the help of Django's
base options (`--verbosity`, `--settings`, ...), which Django leaves untranslated.
"""

import argparse
import contextlib
import gettext
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop, ngettext_lazy

ARGPARSE_WORDS = (
    # Help and usage (3.11 on; the last four are 3.13's).
    gettext_noop("usage: "),
    gettext_noop("positional arguments"),
    gettext_noop("options"),
    gettext_noop("show this help message and exit"),
    gettext_noop("show program's version number and exit"),
    gettext_noop("subcommands"),
    gettext_noop("%(heading)s:"),
    gettext_noop(" (default: %(default)s)"),
    # Parse errors.
    gettext_noop("%(prog)s: error: %(message)s\n"),
    gettext_noop("%(prog)s: warning: %(message)s\n"),
    gettext_noop("argument %(argument_name)s: %(message)s"),
    gettext_noop("the following arguments are required: %s"),
    gettext_noop("one of the arguments %s is required"),
    gettext_noop("not allowed with argument %s"),
    gettext_noop("unrecognized arguments: %s"),
    gettext_noop("ambiguous option: %(option)s could match %(matches)s"),
    gettext_noop("ignored explicit argument %r"),
    gettext_noop("expected one argument"),
    gettext_noop("expected at most one argument"),
    gettext_noop("expected at least one argument"),
    gettext_noop("invalid choice: %(value)r (choose from %(choices)s)"),
    gettext_noop("invalid %(type)s value: %(value)r"),
    gettext_noop("unknown parser %(parser_name)r (choices: %(choices)s)"),
    gettext_noop("argument \"-\" with mode %r"),
    gettext_noop("can't open '%(filename)s': %(error)s"),
    gettext_noop("option '%(option)s' is deprecated"),
    gettext_noop("argument '%(argument_name)s' is deprecated"),
    gettext_noop("command '%(parser_name)s' is deprecated"),
)
ARGPARSE_PLURAL_WORDS = (
    # Listed for `make messages` only; never shown from here.
    ngettext_lazy("expected %s argument", "expected %s arguments"),
)

# The help of the options Django gives every command (django/core/management/base.py).
DJANGO_OPTION_WORDS = (
    gettext_noop("Show program's version number and exit."),
    gettext_noop("Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, "
                 "3=very verbose output"),
    gettext_noop("The Python path to a settings module, e.g. \"myproject.settings.main\". If "
                 "this isn't provided, the DJANGO_SETTINGS_MODULE environment variable will "
                 "be used."),
    gettext_noop("A directory to add to the Python path, e.g. "
                 "\"/home/djangoprojects/myproject\"."),
    gettext_noop("Display a full stack trace on CommandError exceptions."),
    gettext_noop("Don't colorize the command output."),
    gettext_noop("Force colorization of the command output."),
    gettext_noop("Skip system checks."),
)

_speaks: ContextVar[bool] = ContextVar("argparse_speaks", default=False)


def _from_catalogue(plain: Callable[[str], str]) -> Callable[[str], str]:
    def lookup(message: str) -> str:
        return translation.gettext(message) if _speaks.get() else plain(message)
    lookup.plain = plain
    return lookup


def _plural_from_catalogue(plain: Callable[[str, str, int], str]) -> Callable[[str, str, int], str]:
    def lookup(singular: str, plural: str, number: int) -> str:
        if _speaks.get():
            return translation.ngettext(singular, plural, number)
        return plain(singular, plural, number)
    lookup.plain = plain
    return lookup


def _route_argparse() -> None:
    """Make argparse's lookups ask the catalogue while a parser speaks (once per process).

    Only the names argparse imported from `gettext` are replaced; a later Python that words
    its messages another way keeps them in English rather than break.
    """
    if getattr(argparse, "_", None) is gettext.gettext:
        argparse._ = _from_catalogue(argparse._)
    if getattr(argparse, "ngettext", None) is gettext.ngettext:
        argparse.ngettext = _plural_from_catalogue(argparse.ngettext)


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """Word argparse's messages, and Django's lazy texts, in `language` inside the block."""
    _route_argparse()
    token = _speaks.set(True)
    try:
        with translation.override(language):
            yield
    finally:
        _speaks.reset(token)


def worded_django_options(parser: argparse.ArgumentParser) -> None:
    """Mark the help of Django's own options on `parser` for translation (shown when read)."""
    known = set(DJANGO_OPTION_WORDS)
    for action in parser._actions:
        if isinstance(action.help, str) and action.help in known:
            action.help = gettext_lazy(action.help)
