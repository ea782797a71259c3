"""Commands that speak their reader's language: `--lang cy|en`, else the environment's locale.

Every `s2s` command a person reads subclasses `Command` here instead of Django's
`BaseCommand`. It adds `--lang` to the command and to each of its subcommands (so both
`s2s audit --lang cy verify` and `s2s audit verify --lang cy` work) and runs `handle` with
that language active, so the command's `gettext` calls, and the services' refusals it prints,
come out in it. Without `--lang` the language is the environment's (`LANGUAGE`, `LC_ALL`,
`LC_MESSAGES`, `LANG`, the first one set, as gettext reads them: `LANG=cy_GB.UTF-8` is Welsh),
else the service's `LANGUAGE_CODE`. Exit codes, and what programs read (CSV, JSON, tokens),
are the same in every language.

The help (`s2s COMMAND --help`, `s2s help COMMAND`) is in the same language: a command's
`help` and its arguments' `help=` are marked with `gettext_lazy`, and the parser and each
subparser format their help and usage with the command's language active (`--lang` is read
from the command line before the parser runs, since `--help` prints and exits while parsing).
argparse's own words ("usage:", "options:") stay English.
"""

import argparse
import os
from collections.abc import Mapping

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext_lazy

from s2s.ctf.cli import LANGUAGES, language_code, language_of_environment


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


def lang_in_argv(argv: list[str]) -> str | None:
    """Return the `--lang` choice on a command line (`--lang cy` or `--lang=cy`), if valid."""
    for index, arg in enumerate(argv):
        value = (argv[index + 1] if arg == "--lang" and index + 1 < len(argv)
                 else arg.partition("=")[2] if arg.startswith("--lang=") else None)
        if value in LANGUAGES:
            return value
    return None


def _speaking(method, language: str):
    """Return `method` run with `language` active (a parser's help and usage)."""
    def speak(*args, **kwargs):
        with translation.override(language):
            return method(*args, **kwargs)
    return speak


class _WordedHelp:
    """A help formatter that takes lazy (translated when shown) help texts."""

    def _format_text(self, text):
        return super()._format_text(str(text))

    def _get_help_string(self, action):
        return None if action.help is None else str(action.help)


def _worded(formatter_class: type) -> type:
    return type(f"Worded{formatter_class.__name__}", (_WordedHelp, formatter_class), {})


class LanguageCommand(BaseCommand):
    """A management command whose messages are in `--lang`'s language (see the module)."""

    help_language: str | None = None

    def run_from_argv(self, argv: list[str]) -> None:
        """Note `--lang` before parsing, so `--help` speaks it too."""
        self.help_language = command_language(lang_in_argv(argv[2:]))
        return super().run_from_argv(argv)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> argparse.ArgumentParser:
        """Return Django's parser with `--lang` on the command and on each subcommand."""
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        add_language_option(parser)
        parsers = [parser]
        # argparse keeps its subcommands only in these private attributes.
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    add_language_option(sub, nested=True)
                    parsers.append(sub)
        language = self.help_language or command_language()
        for each in parsers:
            each.formatter_class = _worded(each.formatter_class)
            each.format_help = _speaking(each.format_help, language)
            each.format_usage = _speaking(each.format_usage, language)
        return parser

    def execute(self, *args, **options):
        """Run the command with its language active."""
        with translation.override(command_language(options.pop("lang", None))):
            return super().execute(*args, **options)
