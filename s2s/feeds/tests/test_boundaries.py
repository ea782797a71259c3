"""The feeds app knows nothing of CME, the API or reports: CME reads feeds, never the reverse."""

import ast
from pathlib import Path

import s2s.feeds

FORBIDDEN = ("s2s.cme", "s2s.api", "s2s.reports")


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_feeds_imports_no_cme_api_or_reports():
    root = Path(s2s.feeds.__file__).parent
    modules = [p for p in root.rglob("*.py") if "tests" not in p.relative_to(root).parts]
    assert len(modules) >= 10
    wrong = [f"{p.relative_to(root)}: {name}" for p in modules for name in _imports(p)
             if name.startswith(FORBIDDEN)]
    assert not wrong
