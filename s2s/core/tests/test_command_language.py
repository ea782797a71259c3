"""The `s2s` commands speak Welsh with `--lang cy` or a Welsh locale (issue 17).

One option on every command (`core/commands.LanguageCommand`): what a person reads changes
language, exit codes and what programs read (JSON, the token line) do not.
"""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from s2s.accounts.roles import Role
from s2s.core.commands import command_language
from s2s.ctf.tests.conftest import make_ctf

REPO = Path(__file__).resolve().parents[3]


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
