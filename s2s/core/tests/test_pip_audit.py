"""CI's pip-audit step (.ci/audit.py): fails on a known vulnerability unless it is accepted."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
_spec = importlib.util.spec_from_file_location("ci_audit", ROOT / ".ci" / "audit.py")
audit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit)

VULNERABLE = {"dependencies": [
    {"name": "django", "version": "5.2.0",
     "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"], "aliases": ["CVE-2025-1"]}]},
    {"name": "lxml", "version": "6.0.0", "vulns": []},
]}


def test_a_known_vulnerability_fails_the_build_and_names_the_fix():
    code, lines = audit.verdict(VULNERABLE, require_service=False)
    assert code == 1
    assert lines[0] == "VULNERABLE django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)"


def test_a_clean_report_passes():
    clean = {"dependencies": [{"name": "lxml", "version": "6.0.0", "vulns": []}]}
    assert audit.verdict(clean, require_service=True) == (
        0, ["no known vulnerabilities in 1 pinned packages"])


def test_an_unreachable_service_is_said_and_fails_only_when_required():
    skipped = {"dependencies": [{"name": "lxml", "skip_reason": "Dependency not found on PyPI"}]}
    code, lines = audit.verdict(skipped, require_service=False)
    assert code == 0
    assert "none of the 1 pinned packages was audited" in lines[-1]
    assert audit.verdict(skipped, require_service=True)[0] == 1


def test_the_ignore_file_gives_the_accepted_ids_without_their_reasons(tmp_path):
    ignore = tmp_path / ".pip-audit-ignore"
    ignore.write_text("# accepted\n\nPYSEC-2025-1  # never called; A. Person, by 2027-01-31\n"
                      "GHSA-xxxx-yyyy-zzzz\n")
    assert audit.accepted_ids(ignore) == ["PYSEC-2025-1", "GHSA-xxxx-yyyy-zzzz"]


def test_the_repositorys_ignore_file_accepts_nothing_without_a_reason():
    for line in (ROOT / ".pip-audit-ignore").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            assert line.partition("#")[2].strip(), f"say why it is accepted: {line}"
