"""The pins: every dependency in pyproject.toml is pinned, with its hashes, by `make lock`.

A dependency added to pyproject.toml without `make lock` would install on a developer's
machine from a cache and fail on a fresh one (pip refuses an unpinned package in hash mode);
this finds it first.
"""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$")


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _pins(path: Path) -> dict[str, list[str]]:
    """Return each pinned package's hashes, read from a pip-compile file."""
    pins, current = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            current = match.group(1).lower().replace("_", "-").replace(".", "-")
            pins[current] = []
        elif current and line.strip().startswith("--hash=sha256:"):
            pins[current].append(line.strip())
    return pins


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_runtime_dependency_is_pinned_with_hashes_in_base():
    pins = _pins(ROOT / "requirements" / "base.txt")
    wanted = {_name(r).replace(".", "-") for r in _project()["dependencies"]}
    assert wanted - set(pins) == set()
    assert [name for name, hashes in pins.items() if not hashes] == []


def test_dev_pins_every_dependency_at_the_same_versions_as_base():
    base = (ROOT / "requirements" / "base.txt").read_text(encoding="utf-8")
    dev = (ROOT / "requirements" / "dev.txt").read_text(encoding="utf-8")
    base_versions = dict(m.groups() for m in map(PIN.match, base.splitlines()) if m)
    dev_versions = dict(m.groups() for m in map(PIN.match, dev.splitlines()) if m)
    assert {n: v for n, v in base_versions.items() if dev_versions.get(n) != v} == {}
    wanted = {_name(r).replace(".", "-") for r in _project()["optional-dependencies"]["dev"]}
    assert wanted - {n.lower().replace("_", "-").replace(".", "-") for n in dev_versions} == set()
    assert [name for name, hashes in _pins(ROOT / "requirements" / "dev.txt").items()
            if not hashes] == []
