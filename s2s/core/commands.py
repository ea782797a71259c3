"""Commands that speak their reader's language: `--lang cy|en`, else the environment's locale.

Every `s2s` command a person reads subclasses `Command` here instead of Django's
`BaseCommand`. It adds `--lang` to the command and to each of its subcommands (so both
`s2s audit --lang cy verify` and `s2s audit verify --lang cy` work) and runs `handle` with
that language active, so the command's `gettext` calls, and the services' refusals it prints,
come out in it. Without `--lang` the language is the environment's (`LANGUAGE`, `LC_ALL`,
`LC_MESSAGES`, `LANG`, the first one set, as gettext reads them: `LANG=cy_GB.UTF-8` is Welsh),
else the service's `LANGUAGE_CODE`. Exit codes, and what programs read (CSV, JSON, tokens),
are the same in every language.
"""

import argparse
import os
from collections.abc import Mapping

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

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
        help="the language of the messages: cy (Cymraeg) or en; default: the environment's "
             "locale (LANG=cy_GB.UTF-8 is Welsh), else the service's default")


class LanguageCommand(BaseCommand):
    """A management command whose messages are in `--lang`'s language (see the module)."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> argparse.ArgumentParser:
        """Return Django's parser with `--lang` on the command and on each subcommand."""
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        add_language_option(parser)
        # argparse keeps its subcommands only in these private attributes.
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    add_language_option(sub, nested=True)
        return parser

    def execute(self, *args, **options):
        """Run the command with its language active."""
        with translation.override(command_language(options.pop("lang", None))):
            return super().execute(*args, **options)
