"""Commands that speak their reader's language: `--lang cy|en`, else the environment's locale.

Every `s2s` command a person reads subclasses `LanguageCommand` here instead of Django's
`BaseCommand`. It adds `--lang` to the command and to each of its subcommands (so both
`s2s audit --lang cy verify` and `s2s audit verify --lang cy` work) and runs `handle` with
that language active, so the command's `gettext` calls, and the services' refusals it prints,
come out in it. Without `--lang` the language is the environment's (`LANGUAGE`, `LC_ALL`,
`LC_MESSAGES`, `LANG`, the first one set, as gettext reads them: `LANG=cy_GB.UTF-8` is Welsh),
else the service's `LANGUAGE_CODE`. Exit codes, and what programs read (CSV, JSON, tokens),
are the same in every language.

The help (`s2s COMMAND --help`, `s2s help COMMAND`) is in the same language: a command's
`help` and its arguments' `help=` are marked with `gettext_lazy` (`worded` fills in a value
when the text is shown), and the parser and each subparser are built, format their help and
usage, and parse, with the command's language active (`--lang` is read from the command line
before the parser runs, since `--help` prints and exits while parsing). argparse's own words
("usage:", "options:", "the following arguments are required: ...") and the help of Django's
own options come from the catalogue too (`core/argparse_words.py`); a usage error still exits
with 2.
"""

import argparse
import os
import sys
from collections.abc import Mapping

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy

from s2s.core.argparse_words import speaking, worded_django_options
from s2s.ctf.cli import LANGUAGES, lang_in_argv, language_code, language_of_environment


def command_language(choice: str | None = None, *,
                     environ: Mapping[str, str] | None = None) -> str:
    """Return the language a command speaks: `choice`, else the environment's, else the default."""
    if choice:
        return language_code(choice)
    return language_of_environment(os.environ if environ is None else environ) or \
        settings.LANGUAGE_CODE


def add_language_option(parser: argparse.ArgumentParser, *, nested: bool = False) -> None:
    """Give `parser` the `--lang` option; a subcommand's copy leaves the main one's value alone."""
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=argparse.SUPPRESS if nested else None,
        help=gettext_lazy("the language of the messages: cy (Cymraeg) or en; default: the "
                          "environment's locale (LANG=cy_GB.UTF-8 is Welsh), else the "
                          "service's default"))


def _fill(text: str, values: dict[str, object]) -> str:
    return str(text) % values


_worded = lazy(_fill, str)


def worded(text: str, **values: object) -> str:
    """Return `text` (a `gettext_lazy` text) with its `%(name)s` values put in when it is shown.

    For a command's `help`, which is read in the language of each run, not of the import.
    """
    return _worded(text, values)


# What a parser does that a person reads: its help and usage, and the errors of parsing.
SPOKEN = ("format_help", "format_usage", "parse_args", "parse_known_args", "error")


def _speaking(method, language: str):
    """Return `method` run with `language` active, argparse's own words included."""
    def speak(*args, **kwargs):
        with speaking(language):
            return method(*args, **kwargs)
    return speak


class _WordedHelp:
    """A help formatter that takes lazy (translated when shown) help texts."""

    def _format_text(self, text):
        return super()._format_text(str(text))

    def _get_help_string(self, action):
        return None if action.help is None else str(action.help)


def _worded_formatter(formatter_class: type) -> type:
    return type(f"Worded{formatter_class.__name__}", (_WordedHelp, formatter_class), {})


class LanguageCommand(BaseCommand):
    """A management command whose messages are in `--lang`'s language (see the module)."""

    help_language: str | None = None

    def run_from_argv(self, argv: list[str]) -> None:
        """Note `--lang` before parsing, so `--help` speaks it too."""
        self.help_language = command_language(lang_in_argv(argv[2:]))
        return super().run_from_argv(argv)

    def print_help(self, prog_name: str, subcommand: str) -> None:
        """`s2s help COMMAND --lang cy`: Django's `help` calls this without `run_from_argv`."""
        if self.help_language is None:
            self.help_language = command_language(lang_in_argv(sys.argv[2:]))
        super().print_help(prog_name, subcommand)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> argparse.ArgumentParser:
        """Return Django's parser with `--lang` on the command and on each subcommand."""
        language = self.help_language or command_language()
        # Built speaking: argparse words its headings and `-h`'s help as it builds a parser.
        with speaking(language):
            parser = super().create_parser(prog_name, subcommand, **kwargs)
        worded_django_options(parser)
        add_language_option(parser)
        parsers = [parser]
        # argparse keeps its subcommands only in these private attributes.
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    add_language_option(sub, nested=True)
                    parsers.append(sub)
        for each in parsers:
            each.formatter_class = _worded_formatter(each.formatter_class)
            for name in SPOKEN:
                setattr(each, name, _speaking(getattr(each, name), language))
        return parser

    def execute(self, *args, **options):
        """Run the command with its language active."""
        with translation.override(command_language(options.pop("lang", None))):
            return super().execute(*args, **options)
