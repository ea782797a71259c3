"""The calendars app stands below feeds and CME: it imports none of them, nor the API or reports."""

import ast
from pathlib import Path

import s2s.calendars

FORBIDDEN = ("s2s.feeds", "s2s.cme", "s2s.api", "s2s.reports")


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_calendars_imports_no_feeds_cme_api_or_reports():
    root = Path(s2s.calendars.__file__).parent
    modules = [p for p in root.rglob("*.py") if "tests" not in p.relative_to(root).parts]
    assert len(modules) >= 4
    wrong = [f"{p.relative_to(root)}: {name}" for p in modules for name in _imports(p)
             if name.startswith(FORBIDDEN)]
    assert not wrong
