"""Compile the translation catalogues (.po to .mo) in pure Python, with no GNU gettext.

`make install` runs `python -m s2s.core.catalogue`, so a fresh machine has the compiled Welsh
catalogue without `msgfmt`; the .mo files are build output, not kept in git.
`core/tests/test_catalogue.py` fails when a compiled catalogue is older than its .po file.
"""

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogue_sources(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Return every django.po under the locale directory, in a stable order."""
    return sorted(locale_dir.glob("*/LC_MESSAGES/django.po"))


def catalogue_compiled(po_path: Path) -> bytes:
    """Return the .mo bytes of one .po file; fuzzy and untranslated entries are left out."""
    catalogue = polib.pofile(str(po_path))
    # polib writes the file itself; compile to a sibling temporary path and read it back.
    target = po_path.with_suffix(".mo.tmp")
    try:
        catalogue.save_as_mofile(str(target))
        return target.read_bytes()
    finally:
        target.unlink(missing_ok=True)


def catalogue_compile(po_path: Path) -> Path:
    """Write the .mo beside the .po (atomically: a running server never reads half a file)."""
    mo_path = po_path.with_suffix(".mo")
    partial = mo_path.with_suffix(".mo.partial")
    partial.write_bytes(catalogue_compiled(po_path))
    partial.replace(mo_path)
    return mo_path


def main(argv: list[str]) -> int:
    """Compile the .po files named, or every catalogue when none is named."""
    sources = [Path(arg) for arg in argv] or catalogue_sources()
    for po_path in sources:
        print(f"compiled {catalogue_compile(po_path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
