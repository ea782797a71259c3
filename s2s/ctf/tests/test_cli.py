"""The `ctf` command line, through `python -m s2s.ctf`, `python -m s2s ctf` and call_command."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from s2s.ctf.cli import main
from s2s.ctf.tests.conftest import make_ctf

REPO = Path(__file__).resolve().parents[3]


def run(*args):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=REPO,
                          check=False)


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "8383321_CTF_8384512_001.XML"
    path.write_bytes(make_ctf(version="26.0"))
    return path


@pytest.fixture
def refused_file(tmp_path):
    path = tmp_path / "8383321_CTF_8389999_001.XML"
    path.write_bytes(make_ctf())
    return path


def test_validate_json_lists_one_object_per_file_with_the_issue_keys(good_file, refused_file):
    """Issue 3, Commands: `ctf validate FILE... --json`; exit 1 when any file is refused."""
    result = run("-m", "s2s.ctf", "--today", "2026-11-27", "validate", str(good_file),
                 str(refused_file), "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert [(d["file"], d["accepted"]) for d in data] == [
        (str(good_file), True), (str(refused_file), False)]
    assert set(data[0]) == {"file", "accepted", "name", "header", "pupils", "errors",
                            "warnings"}
    assert data[0]["name"]["source"] == "8383321"
    assert {"upn", "surname", "forename", "dob", "sex"} <= set(data[0]["pupils"][0])
    error = data[1]["errors"][0]
    assert {"message", "pupil", "field", "line"} <= set(error)
    assert error["field"] == "DestSchool"


def test_validate_exits_0_when_every_file_is_accepted(good_file):
    result = run("-m", "s2s.ctf", "--today", "2026-11-27", "validate", str(good_file))
    assert result.returncode == 0
    assert result.stdout.startswith(f"{good_file}: accepted, 1 pupil(s)")


def test_s2s_ctf_runs_the_same_command_line(good_file):
    """`s2s ctf validate ...` hands its arguments to s2s.ctf.cli."""
    result = run("-m", "s2s", "ctf", "validate", str(good_file), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["accepted"] is True


def test_call_command_validate_writes_json_and_raises_on_refusal(good_file, refused_file):
    out = io.StringIO()
    call_command("ctf", "validate", str(good_file), "--json", stdout=out)
    assert json.loads(out.getvalue())[0]["accepted"] is True
    with pytest.raises(CommandError) as caught:
        call_command("ctf", "validate", str(refused_file), stdout=io.StringIO())
    assert caught.value.returncode == 1


def test_validate_a_missing_file_is_refused_not_a_crash(tmp_path):
    out = io.StringIO()
    assert main(["validate", str(tmp_path / "nope.XML")], stdout=out) == 1
    assert "there is no file at" in out.getvalue()


def test_generate_writes_a_named_reproducible_ctf_and_its_truth(tmp_path):
    """Issue 3, Commands: `ctf generate --pupils N --source CODE --dest CODE --seed --errors`."""
    args = ["generate", "--pupils", "20", "--source", "8383321", "--dest", "838LLLL",
            "--seed", "4", "--errors", "0.5"]
    first, second = tmp_path / "a.XML", tmp_path / "b.XML"
    assert main([*args, "-o", str(first), "--truth", str(tmp_path / "t.json")],
                stdout=io.StringIO()) == 0
    assert main([*args, "-o", str(second)], stdout=io.StringIO()) == 0
    assert first.read_bytes() == second.read_bytes()
    truth = json.loads((tmp_path / "t.json").read_text())
    assert len(truth) == 20
    assert any(entry["errors"] for entry in truth)


def test_generate_names_the_file_when_no_output_is_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert main(["generate", "--pupils", "1", "--source", "8383321", "--dest", "XXXXXXX"],
                stdout=out) == 0
    assert (tmp_path / "8383321_CTF_XXXXXXX_001.XML").is_file()


def test_generate_refuses_many_pupils_for_the_lost_pupil_database():
    err = io.StringIO()
    assert main(["generate", "--pupils", "2", "--source", "8383321", "--dest", "XXXXXXX"],
                stdout=io.StringIO(), stderr=err) == 1
    assert "exactly one pupil" in err.getvalue()


def test_split_and_readdress_commands_write_named_files(tmp_path):
    bulk = tmp_path / "8383321_CTF_838LLLL_001.XML"
    main(["generate", "--pupils", "3", "--source", "8383321", "--dest", "838LLLL",
          "--seed", "1", "-o", str(bulk)], stdout=io.StringIO())
    from s2s.ctf.reader import read_ctf

    upns = [p.upn for p in read_ctf(source=bulk).pupils]
    allocation = tmp_path / "allocation.csv"
    allocation.write_text(f"upn,destination\n{upns[0]},8381111\n{upns[1]},8382222\n")
    out = io.StringIO()
    code = main(["split", str(bulk), "--allocation", str(allocation), "--out-dir",
                 str(tmp_path / "split")], stdout=out)
    assert code == 1  # one pupil is unplaced
    assert sorted(p.name for p in (tmp_path / "split").iterdir()) == [
        "8383321_CTF_8381111_001.XML", "8383321_CTF_8382222_001.XML"]
    assert f"unplaced: pupil 3 {upns[2]}" in out.getvalue()

    out = io.StringIO()
    assert main(["readdress", str(bulk), "--dest", "8384512", "--sequence", "9",
                 "--out-dir", str(tmp_path / "moved")], stdout=out) == 0
    assert (tmp_path / "moved" / "8383321_CTF_8384512_009.XML").is_file()


def test_usage_error_exits_2():
    assert main(["generate"], stdout=io.StringIO(), stderr=io.StringIO()) == 2


@pytest.fixture
def file_with_findings(tmp_path):
    """Return a CTF refused for its destination, with a surname in capitals and a bad postcode."""
    path = tmp_path / "8383321_CTF_8389999_001.XML"
    path.write_bytes(make_ctf(surname="JONES", postcode="BAD"))
    return path


WELSH_REPORT = [
    ": GWRTHODWYD, 1 disgybl, 1 gwall, 2 rhybudd",
    "  gwall: llinell 10, <DestSchool>: 8389999 yw cyrchfan enw'r ffeil ond 8384512 yw "
    "DestSchool y pennawd",
    "  rhybudd: disgybl 1, llinell 15, <Surname>: mae Surname 'JONES' mewn priflythrennau; "
    "ysgrifennwch ef fel y mae'r teulu'n ei ysgrifennu",
    "  rhybudd: disgybl 1, llinell 20, <Address/PostCode>: nid yw 'BAD' yn god post yn y DU "
    "(e.e. DT2 0NS)",
]


def test_s2s_ctf_validate_lang_cy_prints_the_report_in_welsh(file_with_findings):
    """Issue 17: the command's messages in Welsh, from the catalogue through Django."""
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("ctf", "validate", str(file_with_findings), "--lang", "cy", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"{file_with_findings}{WELSH_REPORT[0]}"
    assert lines[1:] == WELSH_REPORT[1:]


def test_python_m_s2s_ctf_reads_the_welsh_catalogue_without_django(file_with_findings):
    result = run("-m", "s2s.ctf", "validate", str(file_with_findings), "--lang", "cy")
    assert result.returncode == 1
    assert result.stdout.splitlines()[1:] == WELSH_REPORT[1:]


def test_validate_json_in_welsh_keeps_the_codes_and_words_the_messages(file_with_findings):
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("ctf", "validate", str(file_with_findings), "--json", "--lang", "cy",
                     stdout=out)
    report = json.loads(out.getvalue())[0]
    assert [(w["code"], w["message"]) for w in report["warnings"]] == [
        ("name_capitals", "mae Surname 'JONES' mewn priflythrennau; ysgrifennwch ef fel y "
                          "mae'r teulu'n ei ysgrifennu"),
        ("postcode_malformed", "nid yw 'BAD' yn god post yn y DU (e.e. DT2 0NS)"),
    ]
    assert report["warnings"][1]["params"] == {"postcode": "BAD"}


def test_validate_without_lang_stays_english(file_with_findings):
    result = run("-m", "s2s.ctf", "validate", str(file_with_findings))
    assert "REFUSED, 1 pupil(s), 1 error(s), 2 warning(s)" in result.stdout
    assert "  warning: pupil 1, line 20, <Address/PostCode>: postcode 'BAD' is not a UK " \
           "postcode (e.g. DT2 0NS)" in result.stdout
