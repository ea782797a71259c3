"""`s2s ctf ...`: the CTF command line (`s2s.ctf.cli`) as a management command."""

import argparse
import sys

from django.core.management.base import BaseCommand, CommandError

from s2s.ctf import cli


class Command(BaseCommand):
    help = "Validate, generate, split and re-address CTFs: `s2s ctf validate FILE... [--json]`."

    def run_from_argv(self, argv: list[str]) -> None:
        """Hand everything after `ctf` to the CTF command line and exit with its code."""
        sys.exit(cli.main(argv[2:]))

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("cli_args", nargs=argparse.REMAINDER)

    def handle(self, *args: str, cli_args: list[str], **options: object) -> None:
        """Run the CTF command line for `call_command`; a non-zero exit is a CommandError."""
        code = cli.main([*args, *cli_args], stdout=self.stdout, stderr=self.stderr)
        if code:
            raise CommandError(f"ctf {' '.join(cli_args[:1])} exited with {code}", returncode=code)
