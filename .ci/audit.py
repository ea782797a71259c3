"""CI: audit the pinned packages (requirements/dev.txt) for known vulnerabilities with pip-audit.

Fails (exit 1) on any known vulnerability that `.pip-audit-ignore` does not accept. Each line
of that file is a vulnerability id, then `#` and why it is accepted, by whom and until when:

    PYSEC-2024-1234  # not reachable: we never call X; J. Smith, review by 2027-03-01

When the vulnerability service cannot be reached, pip-audit audits nothing and skips every
package: that is said loudly, and fails only with `--require-service` (a machine that should
reach it), so CI on a machine without it still runs the tests.

    .venv/bin/python .ci/audit.py [--require-service] [--report FILE.json]

`--report` reads a pip-audit JSON report instead of running pip-audit (for checking this
script).
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".pip-audit-ignore"


def accepted_ids(path: Path = IGNORE_FILE) -> list[str]:
    """Return the vulnerability ids the ignore file accepts (the first word of each line)."""
    if not path.exists():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line.split()[0] for line in lines if line]


def run_pip_audit(ignored: list[str]) -> dict:
    """Run pip-audit on requirements/dev.txt (exact pins, no resolving) and return its JSON report."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        command = [str(Path(sys.executable).parent / "pip-audit"), "-r",
                   str(ROOT / "requirements/dev.txt"), "--no-deps", "--disable-pip",
                   "--vulnerability-service", "pypi", "--progress-spinner", "off",
                   "--format", "json", "--output", str(out)]
        for vuln in ignored:
            command += ["--ignore-vuln", vuln]
        result = subprocess.run(command, capture_output=True, text=True)
        if not out.exists():
            sys.exit(f"pip-audit did not run: {result.stderr.strip()}")
        return json.loads(out.read_text())


def verdict(report: dict, *, require_service: bool) -> tuple[int, list[str]]:
    """Return (exit code, lines to print) for a pip-audit JSON report."""
    dependencies = report.get("dependencies", [])
    found = [(d["name"], d.get("version", "?"), v["id"], v.get("fix_versions", []))
             for d in dependencies for v in d.get("vulns", [])]
    audited = [d for d in dependencies if "skip_reason" not in d]
    lines = [f"VULNERABLE {name} {version}: {vuln} (fixed in {', '.join(fixes) or 'no release'})"
             for name, version, vuln, fixes in found]
    if found:
        lines.append(f"{len(found)} known vulnerabilities: upgrade the pins (make lock), or "
                     "accept one in .pip-audit-ignore with the reason (README, CI)")
        return 1, lines
    if dependencies and not audited:
        lines.append(f"WARNING: the vulnerability service could not be reached; none of the "
                     f"{len(dependencies)} pinned packages was audited")
        return (1 if require_service else 0), lines
    skipped = len(dependencies) - len(audited)
    lines.append(f"no known vulnerabilities in {len(audited)} pinned packages"
                 + (f" ({skipped} could not be audited)" if skipped else ""))
    return 0, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--require-service", action="store_true",
                        help="fail when the vulnerability service cannot be reached")
    parser.add_argument("--report", type=Path, help="read this pip-audit JSON report instead")
    args = parser.parse_args()
    ignored = accepted_ids()
    report = json.loads(args.report.read_text()) if args.report else run_pip_audit(ignored)
    if args.report:
        # pip-audit leaves accepted ids out itself; a saved report is filtered the same way.
        for dependency in report.get("dependencies", []):
            dependency["vulns"] = [v for v in dependency.get("vulns", [])
                                   if v["id"] not in ignored
                                   and not set(v.get("aliases", [])) & set(ignored)]
    code, lines = verdict(report, require_service=args.require_service)
    print("\n".join(lines))
    sys.exit(code)


if __name__ == "__main__":
    main()
