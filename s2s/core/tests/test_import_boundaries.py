"""The layers of DESIGN.md hold: each app imports none of the apps it must not know.

`ctf/` is a library with no Django in it; calendars stand below feeds and CME; feeds know
nothing of CME (CME reads feeds, never the reverse); none of them imports the API or reports.
"""

import ast
from pathlib import Path

import pytest

S2S = Path(__file__).resolve().parents[2]

# app -> (the imports it must never make, the fewest modules it has: a moved app fails loudly)
BOUNDARIES = {
    "ctf": (("django", "s2s.accounts", "s2s.core", "s2s.directory", "s2s.transfers",
             "s2s.lostpupils", "s2s.feeds", "s2s.api"), 8),
    "calendars": (("s2s.feeds", "s2s.cme", "s2s.api", "s2s.reports"), 4),
    "feeds": (("s2s.cme", "s2s.api", "s2s.reports"), 10),
    "cme": (("s2s.api", "s2s.reports"), 6),
    "partnerships": (("s2s.api", "s2s.reports", "s2s.cme"), 10),
    "agencies": (("s2s.api", "s2s.reports"), 8),
}


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


@pytest.mark.parametrize("app", sorted(BOUNDARIES))
def test_an_app_imports_none_of_the_apps_it_must_not_know(app):
    forbidden, fewest = BOUNDARIES[app]
    root = S2S / app
    modules = [p for p in root.rglob("*.py") if "tests" not in p.relative_to(root).parts]
    assert len(modules) >= fewest
    wrong = [f"{p.relative_to(root)}: {name}" for p in modules for name in _imports(p)
             if name in forbidden or name.startswith(tuple(f + "." for f in forbidden))]
    assert wrong == []
