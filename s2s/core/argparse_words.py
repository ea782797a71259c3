"""argparse's and Django's own words in a command's help and usage errors, from our catalogue.

argparse words its help and errors with the `gettext` module, which knows nothing of Django's
catalogue or of a command's `--lang`. `speaking(language)` answers those lookups from the
project's catalogue in `language` (through `ctf/argwords.py`, which the CTF command line,
without Django, uses too), only inside the block and only in its own thread or task: a
command's parser speaks while it is built, formats its help or usage, and parses (so "the
following arguments are required" is Welsh too). Outside the block argparse's lookups go where
they went before, so other programs and tests are unchanged.

The words are listed here once, marked with `gettext_noop` so `make messages` collects them:
those argparse shows a person (headings, `usage:`, `-h`, the parse errors; not its errors about
a program's own mistakes, such as a conflicting option string) and the help of Django's base
options (`--verbosity`, `--settings`, ...), which Django leaves untranslated.
"""

import argparse
import contextlib
from collections.abc import Iterator

from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop, ngettext_lazy

from s2s.ctf import argwords

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


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """Word argparse's messages, and Django's lazy texts, in `language` inside the block."""
    with translation.override(language), argwords.speaking(translation.gettext,
                                                          translation.ngettext):
        yield


def worded_django_options(parser: argparse.ArgumentParser) -> None:
    """Mark the help of Django's own options on `parser` for translation (shown when read)."""
    known = set(DJANGO_OPTION_WORDS)
    for action in parser._actions:
        if isinstance(action.help, str) and action.help in known:
            action.help = gettext_lazy(action.help)
