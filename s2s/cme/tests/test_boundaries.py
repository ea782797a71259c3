"""The cme app reads feeds and calendars but never the API or reports (DESIGN.md)."""

import ast
from pathlib import Path

import s2s.cme

FORBIDDEN = ("s2s.api", "s2s.reports")


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_cme_imports_no_api_or_reports():
    root = Path(s2s.cme.__file__).parent
    modules = [p for p in root.rglob("*.py") if "tests" not in p.relative_to(root).parts]
    assert len(modules) >= 6
    wrong = [f"{p.relative_to(root)}: {name}" for p in modules for name in _imports(p)
             if name.startswith(FORBIDDEN)]
    assert not wrong
