"""The `ctf` command line: validate, generate, split and re-address CTFs, with no Django.

    python -m s2s.ctf validate FILE... [--json] [--lang cy]
    python -m s2s.ctf generate --pupils N --source CODE --dest CODE [--seed S] [--errors RATE]
    python -m s2s.ctf split FILE --allocation CSV [--out-dir DIR]
    python -m s2s.ctf readdress FILE --dest CODE [--out-dir DIR]

`s2s ctf ...` runs the same through Django's management commands. Exit codes: 0 when every
file is accepted (or every pupil placed), 1 otherwise, 2 for a usage error.

Every subcommand takes `--lang cy|en`: the words for people (the report, what was written,
the refusals, and the help and usage errors, argparse's own words included: `ctf/argwords.py`)
are in that language; without it, the environment's (`LANG=cy_GB.UTF-8` is Welsh; `s2s ctf`
falls back to the service's default), else English. `main` takes a `translator` (the Django
command gives gettext); without one the compiled catalogue is read with Python's gettext.
File names, JSON keys, codes and exit codes never change.
"""

import argparse
import csv
import gettext
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TextIO

from s2s.ctf import argwords
from s2s.ctf.errors import CTFError
from s2s.ctf.names import format_name, parse_name, parse_place
from s2s.ctf.synthetic import generate_ctf
from s2s.ctf.validate import Report, validate_ctf
from s2s.ctf.words import Text, Translate, _, render
from s2s.ctf.writer import readdress_file, split_ctf, write_split

OK, FAILED, USAGE = 0, 1, 2
LANGUAGES = ("cy", "en", "en-gb")
ENGLISH = "en-gb"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
Translator = Callable[[str], Translate]


def language_code(choice: str) -> str:
    """Return the catalogue's code for a `--lang` choice: `cy`, or `en-gb` for English."""
    return "cy" if choice.lower().startswith("cy") else ENGLISH


def language_of_environment(environ: Mapping[str, str]) -> str | None:
    """Return `cy` or `en-gb` if the locale the environment sets is Welsh or English, else None.

    The first of LANGUAGE, LC_ALL, LC_MESSAGES and LANG that is set decides, as for gettext:
    `cy_GB.UTF-8` is Welsh, `en_GB.UTF-8` English; `C`, `POSIX` or another language say nothing.
    """
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").split(":")[0].strip()
        if value:
            language = value.split(".")[0].split("@")[0].split("_")[0].lower()
            return {"cy": "cy", "en": ENGLISH}.get(language)
    return None


def lang_in_argv(argv: list[str]) -> str | None:
    """Return the `--lang` choice on a command line (`--lang cy` or `--lang=cy`), if valid."""
    for index, arg in enumerate(argv):
        value = (argv[index + 1] if arg == "--lang" and index + 1 < len(argv)
                 else arg.partition("=")[2] if arg.startswith("--lang=") else None)
        if value in LANGUAGES:
            return value
    return None


def catalogue_translator(language: str) -> Translate:
    """Return gettext for `language` from the project's compiled catalogue (English if none)."""
    found = gettext.translation("django", localedir=LOCALE_DIR, languages=[language],
                                fallback=True)
    return found.gettext


def _today(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("%(text)s is not a date (CCYY-MM-DD)", text=repr(text))) from None


def _rate(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(_("the error rate is between 0 and 1, e.g. 0.05"))
    return value


class _WordedHelp(argparse.HelpFormatter):
    """Help whose texts (`Text`s) are worded with the reader's `translate`."""

    translate: Translate | None = None

    def _format_text(self, text):
        return super()._format_text(render(text, self.translate))

    def _get_help_string(self, action):
        return None if action.help is None else render(action.help, self.translate)


def _worded_type(check: Callable[[str], object], translate: Translate | None):
    """Return `check` with its refusal worded with `translate` (argparse shows its str)."""
    def worded(text: str) -> object:
        try:
            return check(text)
        except argparse.ArgumentTypeError as refused:
            raise argparse.ArgumentTypeError(render(refused.args[0], translate)) from None
    worded.__name__ = check.__name__
    return worded


def build_parser(translate: Translate | None = None) -> argparse.ArgumentParser:
    """Return the parser of the `ctf` command and its four subcommands, worded by `translate`."""
    worded = type("WordedHelp", (_WordedHelp,), {"translate": staticmethod(translate)})
    parser = argparse.ArgumentParser(prog="ctf", description=_("Common Transfer File tools."),
                                     formatter_class=worded)
    parser.add_argument("--today", type=_worded_type(_today, translate), help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, words: Text) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=words, formatter_class=worded)

    validate = command("validate", _("check CTFs; exit 1 if any is refused"))
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument("--json", action="store_true",
                          help=_("print a JSON list, one per file"))
    validate.add_argument("--name", help=_("check against this file name instead of the file's"))

    generate = command("generate", _("write a synthetic CTF"))
    generate.add_argument("--pupils", type=int, required=True)
    generate.add_argument("--source", required=True, help=_("e.g. 8383321 or 838LLLL"))
    generate.add_argument("--dest", required=True, help=_("e.g. 8384512, 838LLLL or XXXXXXX"))
    generate.add_argument("--seed", type=int)
    generate.add_argument("--errors", type=_worded_type(_rate, translate), default=0.0,
                          metavar="RATE",
                          help=_("share of pupils written with one realistic mistake"))
    generate.add_argument("-o", "--output", help=_("file to write; default: its CTF name here"))
    generate.add_argument("--truth", help=_("also write the ground truth as JSON to this file"))

    split = command("split", _("split a bulk CTF by a UPN allocation"))
    split.add_argument("file", metavar="FILE")
    split.add_argument("--allocation", required=True, help=_("CSV of upn,destination rows"))
    split.add_argument("--out-dir", default=".", type=Path)
    split.add_argument("--sequence", type=int, default=1)

    readdress = command("readdress", _("send a CTF to a new destination"))
    readdress.add_argument("file", metavar="FILE")
    readdress.add_argument("--dest", required=True)
    readdress.add_argument("--sequence", type=int)
    readdress.add_argument("--urn", help=_("the new destination's URN"))
    readdress.add_argument("--out-dir", default=".", type=Path)
    for each in (validate, generate, split, readdress):
        each.add_argument("--lang", choices=LANGUAGES,
                          help=_("the language of the messages: cy (Cymraeg) or en; default: "
                                 "the environment's locale (LANG=cy_GB.UTF-8 is Welsh)"))
    return parser


def _validate_one(path: str, name: str | None, today: date | None) -> Report:
    file = Path(path)
    if not file.is_file():
        report = Report(file=path)
        report.error(_("there is no file at %(path)s", path=path), "not_found")
        return report
    return validate_ctf(source=file, file_name=name or file.name, today=today, label=path)


def run_validate(args: argparse.Namespace, out: TextIO) -> int:
    """Validate each file; print the reports; return 0 only if all are accepted.

    The JSON keeps each finding's code and English message for programs; with `--lang` its
    `message` is in that language.
    """
    if args.name and len(args.files) > 1:
        raise CTFError(_("--name checks one file; give one FILE with it"))
    reports = [_validate_one(path, args.name, args.today) for path in args.files]
    translate = args.translate
    if args.json:
        out.write(json.dumps([_report_json(r, translate) for r in reports], indent=2) + "\n")
    else:
        out.write("\n".join(r.as_text(translate) for r in reports) + "\n")
    return OK if all(r.accepted for r in reports) else FAILED


def _report_json(report: Report, translate: Translate | None) -> dict:
    data = report.as_dict()
    for kind in ("errors", "warnings"):
        for item, finding in zip(data[kind], getattr(report, kind), strict=True):
            item["message"] = finding.words(translate)
    return data


def _truth_dict(generated: object) -> list[dict]:
    return [
        {"position": i, "truth": asdict(p.truth), "written": asdict(p.written),
         "errors": [asdict(e) for e in p.errors]}
        for i, p in enumerate(generated.pupils, start=1)
    ]


def run_generate(args: argparse.Namespace, out: TextIO) -> int:
    """Write a synthetic CTF to -o, or to its proper name in the current directory."""
    destination = parse_place(code=args.dest)
    if destination.kind.value.startswith("lost") and args.pupils != 1:
        raise CTFError(_("a lost-pupil file holds exactly one pupil: use --pupils 1"))
    target = Path(args.output or format_name(source=args.source, destination=args.dest))
    with target.open("wb") as handle:
        generated = generate_ctf(
            source=args.source, destination=args.dest, pupils=args.pupils, out=handle,
            seed=args.seed, error_rate=args.errors, today=args.today,
        )
    if args.truth:
        Path(args.truth).write_text(json.dumps(_truth_dict(generated), indent=1))
    _say(out, args, _("%(file)s: %(count)d pupil(s)", file=str(target), count=args.pupils))
    return OK


def _allocation(path: str) -> dict[str, str]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if row]
    if rows and rows[0][0].strip().lower() == "upn":
        rows = rows[1:]
    bad = [i for i, row in enumerate(rows, start=1) if len(row) < 2]
    if bad:
        raise CTFError(_("allocation row %(row)d needs two columns: upn,destination",
                         row=bad[0]))
    return {row[0]: row[1] for row in rows}


def run_split(args: argparse.Namespace, out: TextIO) -> int:
    """Split a bulk CTF; list the files written and the pupils left unplaced."""
    source = Path(args.file)
    result = split_ctf(
        content=source.read_bytes(), allocation=_allocation(args.allocation),
        sequence=args.sequence, original_name=_name_or_none(source.name),
    )
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for path, split in zip(write_split(result=result, out_dir=args.out_dir), result.files,
                           strict=True):
        _say(out, args, _("wrote %(file)s: %(count)d pupil(s) for %(destination)s",
                          file=str(path), count=split.pupils, destination=split.destination))
    for pupil in result.unplaced:
        _say(out, args, _("unplaced: pupil %(position)s %(upn)s %(forename)s %(surname)s: "
                          "%(reason)s", position=pupil.position,
                          upn=pupil.upn or _("(no UPN)"), forename=pupil.forename,
                          surname=pupil.surname, reason=pupil.reason))
    return OK if not result.unplaced else FAILED


def _name_or_none(name: str) -> str | None:
    try:
        parse_name(name=name)
    except CTFError:
        return None
    return name


def run_readdress(args: argparse.Namespace, out: TextIO) -> int:
    """Write a copy of the CTF addressed to --dest, under its new name."""
    args.out_dir.mkdir(parents=True, exist_ok=True)
    path = readdress_file(
        source=Path(args.file), destination=args.dest, out_dir=args.out_dir,
        sequence=args.sequence, destination_urn=args.urn,
    )
    _say(out, args, _("wrote %(file)s", file=str(path)))
    return OK


def _say(out: TextIO, args: argparse.Namespace, words: Text) -> None:
    out.write(words.render(args.translate) + "\n")


COMMANDS = {
    "validate": run_validate, "generate": run_generate, "split": run_split,
    "readdress": run_readdress,
}


def main(argv: list[str] | None = None, *, stdout: TextIO | None = None,
         stderr: TextIO | None = None, translator: Translator | None = None,
         language: str | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]); return the exit code.

    `translator` returns the gettext of a language, for `--lang`; `language` is the one to
    use without `--lang` (default: the environment's, else English).
    """
    out, err = stdout or sys.stdout, stderr or sys.stderr
    argv = sys.argv[1:] if argv is None else argv
    # `--lang` is read before parsing: `--help` and a usage error print while parsing.
    choice = lang_in_argv(argv)
    language = (language_code(choice) if choice
                else language or language_of_environment(os.environ) or ENGLISH)
    translate = None if language == ENGLISH else (translator or catalogue_translator)(language)
    try:
        with argwords.speaking(translate):
            args = build_parser(translate).parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    args.translate = translate
    try:
        return COMMANDS[args.command](args, out)
    except CTFError as error:
        err.write(f"ctf {args.command}: {error.words(args.translate)}\n")
        return FAILED
    except OSError as error:
        err.write(f"ctf {args.command}: {error}\n")
        return FAILED
