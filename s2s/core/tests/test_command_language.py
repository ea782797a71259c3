"""The `s2s` commands speak Welsh with `--lang cy` or a Welsh locale (issue 17).

One option on every command (`core/commands.LanguageCommand`): what a person reads changes
language, exit codes and what programs read (JSON, the token line) do not.
"""

import argparse
import ast
import io
import json
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.functional import Promise

from s2s.accounts.roles import Role
from s2s.core.argparse_words import ARGPARSE_WORDS
from s2s.core.commands import LanguageCommand, command_language
from s2s.ctf import cli
from s2s.ctf.tests.conftest import make_ctf
from s2s.ctf.words import Text

REPO = Path(__file__).resolve().parents[3]
WELSH_PO = REPO / "s2s" / "locale" / "cy" / "LC_MESSAGES" / "django.po"


def _run(*args: str, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def english_locale(monkeypatch):
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.mark.parametrize(("environ", "language"), [
    ({"LANG": "cy_GB.UTF-8"}, "cy"),
    ({"LANGUAGE": "cy:en_GB", "LANG": "en_GB.UTF-8"}, "cy"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "cy_GB.UTF-8"}, "en-gb"),
    ({"LANG": "C.UTF-8"}, "en-gb"),
    ({"LANG": "fr_FR.UTF-8"}, "en-gb"),
    ({}, "en-gb"),
])
def test_without_lang_a_command_speaks_the_environments_language(environ, language):
    assert command_language(environ=environ) == language


def test_lang_beats_the_environment():
    assert command_language("en", environ={"LANG": "cy_GB.UTF-8"}) == "en-gb"
    assert command_language("cy", environ={"LANG": "en_GB.UTF-8"}) == "cy"


@pytest.mark.django_db
def test_audit_verify_speaks_welsh_with_lang_before_or_after_the_subcommand(english_locale):
    assert _run("audit", "verify") == "The audit chain holds: 0 rows checked.\n"
    assert _run("audit", "verify", "--lang", "cy") == (
        "Mae'r gadwyn archwilio'n dal: gwiriwyd 0 rhes.\n")
    assert _run("audit", "--lang", "cy", "verify") == (
        "Mae'r gadwyn archwilio'n dal: gwiriwyd 0 rhes.\n")


@pytest.mark.django_db
def test_a_welsh_locale_makes_the_cme_cases_command_speak_welsh(monkeypatch, english_locale):
    monkeypatch.setenv("LANG", "cy_GB.UTF-8")

    assert _run("cme_cases", "overdue") == "Dim achosion ar agor.\n"
    assert _run("cme_cases", "overdue", "--lang", "en") == "No open cases.\n"
    with pytest.raises(CommandError, match="^999: nid oes ALl o'r fath$"):
        _run("cme_cases", "overdue", "--la", "999")


@pytest.mark.django_db
def test_a_refusal_is_in_welsh_and_the_token_stays_the_last_line(make_user, sending_school,
                                                                  english_locale):
    make_user(Role.CONNECTOR, sending_school, username="8383321-mis")

    with pytest.raises(CommandError) as refused:
        _run("create_token", "nobody", lang="cy")
    lines = _run("create_token", "8383321-mis", "--lang", "cy").splitlines()

    assert str(refused.value) == ("Nid oes defnyddiwr nobody (mae enwau defnyddwyr yn sensitif "
                                  "i briflythrennau).")
    assert refused.value.returncode == 1
    assert lines[0] == "Tocyn API 8383321-mis (fe'i dangosir unwaith; cadwch ef nawr):"
    assert lines[-1].startswith("s2s_")


@pytest.mark.django_db
def test_a_dry_run_purge_reports_in_welsh(english_locale):
    assert _run("purge_messages", "--dry-run", "--lang", "cy") == (
        "Byddai'n dileu 0 copi o negeseuon; nid oes copi ar ôl o 0 neges nawr.\n")
    assert _run("purge_feeds", "--dry-run", "--lang", "cy").splitlines()[:2] == [
        "Byddai'n dileu 0 o gynnwys crai ffrydiau data.", "Byddai'n dileu 0 o farciau."]


def test_ctf_generate_and_split_speak_welsh_and_keep_their_files(tmp_path, english_locale):
    out = io.StringIO()
    target = tmp_path / "bulk.xml"
    call_command("ctf", "generate", "--pupils", "1", "--source", "8383321", "--dest",
                 "838LLLL", "--seed", "3", "-o", str(target), "--lang", "cy", stdout=out)
    assert out.getvalue() == f"{target}: 1 disgybl\n"

    allocation = tmp_path / "allocation.csv"
    allocation.write_text("upn,destination\n")
    with pytest.raises(CommandError) as unplaced:
        call_command("ctf", "split", str(target), "--allocation", str(allocation),
                     "--out-dir", str(tmp_path), "--lang", "cy", stdout=(out := io.StringIO()))
    assert unplaced.value.returncode == 1
    assert out.getvalue().startswith("heb ei leoli: disgybl 1 ")
    assert out.getvalue().endswith(": nid oes rhes ar gyfer yr UPN hwn yn y dyraniad\n")


def test_ctf_validate_follows_a_welsh_locale_and_its_json_keeps_codes(tmp_path):
    path = tmp_path / "8383321_CTF_8389999_001.XML"
    path.write_bytes(make_ctf())
    environ = {"PATH": "/usr/bin:/bin", "LANG": "cy_GB.UTF-8"}

    result = subprocess.run([sys.executable, "-m", "s2s.ctf", "validate", str(path), "--json"],
                            capture_output=True, text=True, cwd=REPO, env=environ, check=False)

    assert result.returncode == 1
    error = json.loads(result.stdout)[0]["errors"][0]
    assert error["code"] == "name_mismatch"
    assert "yw cyrchfan enw'r ffeil" in error["message"]


def _help(capsys, *argv: str) -> str:
    from s2s.audit.management.commands.audit import Command

    with pytest.raises(SystemExit):
        Command().run_from_argv(["s2s", "audit", *argv])
    return " ".join(capsys.readouterr().out.split())


def test_the_help_speaks_lang_or_the_environments_language(capsys, monkeypatch, english_locale):
    english = _help(capsys, "--help")
    assert "Check the audit trail's hash chain" in english
    assert "check every row's hash and link, in order" in english
    welsh = _help(capsys, "--lang", "cy", "--help")
    assert "Gwirio cadwyn stwnsh y trywydd archwilio" in welsh
    assert "gwirio stwnsh a dolen pob rhes, yn eu trefn" in welsh
    assert "iaith y negeseuon: cy (Cymraeg) neu en (Saesneg)" in welsh
    assert "Check the audit trail" not in welsh
    monkeypatch.setenv("LANG", "cy_GB.UTF-8")
    assert "iaith y negeseuon" in _help(capsys, "verify", "--help")
    assert "the language of the messages" in _help(capsys, "verify", "--help", "--lang=en")


# --- every command's help, and argparse's own words, in the command's language ------------

def _our_commands() -> list[tuple[str, str]]:
    return sorted((name, app) for name, app in get_commands().items() if app.startswith("s2s."))


def _parser(name: str, app: str) -> argparse.ArgumentParser:
    command = load_command_class(app, name)
    if isinstance(command, LanguageCommand):
        return command.create_parser("s2s", name)
    return cli.build_parser()  # `s2s ctf` hands its arguments to the CTF command line


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found += list(action.choices.values())
    return found


def _help_texts(name: str, app: str) -> list[object]:
    """Return every help text a command prints: its own, its subcommands' and its options'."""
    parser = _parser(name, app)
    texts = [parser.description]
    for each in _parsers(parser):
        for action in each._actions:
            texts.append(action.help)
            if isinstance(action, argparse._SubParsersAction):
                texts += [choice.help for choice in action._choices_actions]
    return [text for text in texts if text not in (None, argparse.SUPPRESS)]


def _printed_help(capsys, name: str, app: str, *argv: str) -> str:
    """Return what `s2s NAME ARGV...` prints (for --help), its whitespace made single spaces."""
    with pytest.raises(SystemExit) as stopped:
        load_command_class(app, name).run_from_argv(["s2s", name, *argv])
    assert stopped.value.code == 0
    return " ".join(capsys.readouterr().out.split())


def _every_printed_help(capsys, name: str, app: str, *argv: str) -> str:
    """Return the help `s2s NAME` prints, and that of each of its subcommands, as one line."""
    subcommands = [sub for action in _parser(name, app)._actions
                   if isinstance(action, argparse._SubParsersAction) for sub in action.choices]
    return " ".join(_printed_help(capsys, name, app, *sub, "--help", *argv)
                    for sub in [(), *[(sub,) for sub in subcommands]])


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


@pytest.fixture
def wide_terminal(monkeypatch):
    """Keep argparse from wrapping a help text (and breaking it at a hyphen)."""
    monkeypatch.setenv("COLUMNS", "2000")


def test_every_command_of_ours_speaks_its_readers_language():
    others = [name for name, app in _our_commands()
              if not isinstance(load_command_class(app, name), LanguageCommand)]
    assert others == ["ctf"]  # the CTF command line's own `--lang`, the same languages


def test_every_commands_help_text_is_marked_for_translation(english_locale):
    unmarked = [(name, text) for name, app in _our_commands()
                for text in [load_command_class(app, name).help, *_help_texts(name, app)]
                if not isinstance(text, Promise | Text) and text not in ARGPARSE_WORDS]
    assert unmarked == []


@pytest.mark.parametrize(("name", "app"), _our_commands(), ids=lambda value: value)
def test_a_commands_help_is_all_welsh_with_lang_cy(name, app, capsys, english_locale,
                                                   wide_terminal):
    with translation.override("en-gb"):
        english = [_one_line(text) for text in _help_texts(name, app)]

    welsh = _every_printed_help(capsys, name, app, "--lang", "cy")

    assert welsh.startswith("defnydd: ")
    assert "opsiynau:" in welsh
    assert "dangos y neges gymorth hon a gorffen" in welsh
    for words in ("usage:", "options:", "positional arguments", "show this help message"):
        assert words not in welsh
    assert [text for text in english if text in welsh] == []


@pytest.mark.parametrize(("name", "app"), _our_commands(), ids=lambda value: value)
def test_a_commands_help_is_english_with_lang_en(name, app, capsys, english_locale,
                                                 wide_terminal):
    with translation.override("en-gb"):
        english = [_one_line(text) for text in _help_texts(name, app)
                   if "%(" not in str(text)]

    printed = _every_printed_help(capsys, name, app, "--lang", "en")

    assert printed.startswith("usage: ")
    assert "options: -h, --help show this help message and exit" in printed
    assert [text for text in english if text not in printed] == []
    assert "defnydd" not in printed


def test_a_welsh_locale_alone_gives_welsh_help():
    environ = {"PATH": "/usr/bin:/bin", "LANG": "cy_GB.UTF-8", "COLUMNS": "2000"}

    s2s = Path(sys.executable).parent / "s2s"
    result = subprocess.run([s2s, "purge_messages", "--help"],
                            capture_output=True, text=True, cwd=REPO, env=environ, check=False)

    assert result.returncode == 0
    assert result.stdout.startswith("defnydd: s2s purge_messages [-h]")
    assert "  --dry-run  " in result.stdout
    assert "heb ddileu dim" in result.stdout
    assert "Dileu negeseuon sydd wedi mynd heibio i'w cyfnod cadw" in result.stdout
    assert "delete nothing" not in result.stdout


def test_s2s_help_takes_lang_too():
    environ = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "COLUMNS": "2000"}

    s2s = Path(sys.executable).parent / "s2s"
    welsh = subprocess.run([s2s, "help", "purge_messages", "--lang", "cy"],
                           capture_output=True, text=True, cwd=REPO, env=environ, check=False)
    english = subprocess.run([s2s, "help", "purge_messages"],
                             capture_output=True, text=True, cwd=REPO, env=environ, check=False)

    assert welsh.stdout.startswith("defnydd: s2s purge_messages [-h]")
    assert "heb ddileu dim" in welsh.stdout
    assert english.stdout.startswith("usage: s2s purge_messages [-h]")
    assert "delete nothing" in english.stdout


@pytest.mark.parametrize(("argv", "error"), [
    ((), "s2s create_user: gwall: mae angen y dadleuon hyn: username, --role, --scope, "
         "--email"),
    (("ann", "--role", "chief", "--scope", "838", "--email", "ann@838.example.gov.uk"),
     "s2s create_user: gwall: dadl --role: dewis annilys: 'chief' (dewiswch o blith 'admin', "),
    (("ann", "--wat"), "s2s create_user: gwall: mae angen y dadleuon hyn: --role, --scope, "
                       "--email"),
])
def test_a_usage_error_is_in_welsh_and_exits_2(argv, error, capsys, english_locale,
                                               wide_terminal):
    from s2s.accounts.management.commands.create_user import Command

    with pytest.raises(SystemExit) as stopped:
        Command().run_from_argv(["s2s", "create_user", *argv, "--lang", "cy"])

    assert stopped.value.code == 2
    printed = capsys.readouterr().err
    assert printed.startswith("defnydd: s2s create_user [-h] --role")
    assert printed.splitlines()[-1].startswith(error)


def test_unknown_arguments_and_a_missing_value_are_welsh_too(capsys, monkeypatch):
    from s2s.audit.management.commands.audit import Command

    monkeypatch.setenv("LANG", "cy_GB.UTF-8")
    for argv, error in ((["verify", "--wat"], "s2s audit: gwall: dadleuon anhysbys: --wat"),
                        (["verify", "--lang"],
                         "s2s audit verify: gwall: dadl --lang: disgwylid un ddadl")):
        with pytest.raises(SystemExit) as stopped:
            Command().run_from_argv(["s2s", "audit", *argv])
        assert stopped.value.code == 2
        assert capsys.readouterr().err.splitlines()[-1] == error


def test_the_same_usage_error_stays_english_with_lang_en(capsys, monkeypatch):
    from s2s.accounts.management.commands.create_user import Command

    monkeypatch.setenv("LANG", "cy_GB.UTF-8")
    with pytest.raises(SystemExit) as stopped:
        Command().run_from_argv(["s2s", "create_user", "--lang", "en"])

    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "s2s create_user: error: the following arguments are required: username, --role, "
        "--scope, --email")


def test_argparse_outside_a_command_keeps_its_own_words(capsys, english_locale):
    _help(capsys, "--lang", "cy", "--help")  # a command has spoken Welsh in this process

    parser = argparse.ArgumentParser(prog="other")
    parser.add_argument("--n", type=int)
    with translation.override("cy"):
        printed = parser.format_help()
        with pytest.raises(SystemExit):
            parser.parse_args(["--n", "x"])

    assert printed.startswith("usage: other [-h] [--n N]")
    assert "options:" in printed
    assert capsys.readouterr().err.splitlines()[-1] == (
        "other: error: argument --n: invalid int value: 'x'")


# argparse's messages about a program's own mistakes, never a command line's.
PROGRAMMER_ERRORS = {
    "%r is not callable", ".__call__() not defined", "cannot have multiple subparser arguments",
    "cannot merge actions - two groups are named %r", "conflicting subparser alias: %s",
    "conflicting subparser: %s", "dest= is required for options like %r",
    "invalid conflict_resolution value: %r", "mutually exclusive arguments must be optional",
    "unexpected option string: %s", "conflicting option string: %s",
    "'required' is an invalid argument for positionals",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
}


def test_every_word_this_pythons_argparse_shows_a_person_has_welsh():
    tree = ast.parse(Path(argparse.__file__).read_text())
    shown = {node.args[0].value for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id in ("_", "ngettext") and node.args
             and isinstance(node.args[0], ast.Constant)} - PROGRAMMER_ERRORS
    welsh = {entry.msgid for entry in polib.pofile(str(WELSH_PO)).translated_entries()}

    assert sorted(shown - welsh) == []
    assert sorted(shown - set(ARGPARSE_WORDS)) == ["expected %s argument"]
