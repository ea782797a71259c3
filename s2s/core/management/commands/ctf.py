"""`s2s ctf ...`: the CTF command line (`s2s.ctf.cli`) as a management command.

The CTF command line parses its own `--lang` (on every subcommand); without it, the language
is `core.commands.command_language`'s, as for every other command.
"""

import argparse
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext_lazy

from s2s.core.commands import command_language
from s2s.ctf import cli
from s2s.ctf.words import Translate


def django_translator(language: str) -> Translate:
    """Return a gettext that looks words up in `language` in the project's catalogue."""

    def translate(text: str) -> str:
        with translation.override(language):
            return translation.gettext(text)

    return translate


class Command(BaseCommand):
    help = gettext_lazy("Validate, generate, split and re-address CTFs: "
                        "`s2s ctf validate FILE... [--json] [--lang cy|en]`.")

    def run_from_argv(self, argv: list[str]) -> None:
        """Hand everything after `ctf` to the CTF command line and exit with its code."""
        sys.exit(cli.main(argv[2:], translator=django_translator, language=command_language()))

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("cli_args", nargs=argparse.REMAINDER)

    def handle(self, *args: str, cli_args: list[str], **options: object) -> None:
        """Run the CTF command line for `call_command`; a non-zero exit is a CommandError."""
        code = cli.main([*args, *cli_args], stdout=self.stdout, stderr=self.stderr,
                        translator=django_translator, language=command_language())
        if code:
            raise CommandError(f"ctf {' '.join(cli_args[:1])} exited with {code}", returncode=code)
