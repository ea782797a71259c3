"""The Welsh catalogue: compiled without GNU gettext, up to date, placeholders intact, complete."""

import gettext
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

from s2s.core.catalogue import catalogue_compile, catalogue_compiled, catalogue_sources

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{ *\w+ *\}\}")


def test_the_welsh_catalogue_is_one_of_the_sources():
    assert [p.parent.parent.name for p in catalogue_sources()] == ["cy"]


@pytest.mark.parametrize("po_path", catalogue_sources(), ids=lambda p: p.parent.parent.name)
def test_the_compiled_catalogue_matches_its_po_file(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), "run `make install`: it compiles the catalogues"
    assert mo_path.read_bytes() == catalogue_compiled(po_path), (
        f"{mo_path} is older than {po_path.name}: run `make install`")


def test_a_catalogue_compiles_in_python_leaving_out_fuzzy_and_empty_entries(tmp_path):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "cy"}
    po.append(polib.POEntry(msgid="Sign in", msgstr="Mewngofnodi"))
    po.append(polib.POEntry(msgid="Sign out", msgstr="Allgofnodi", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Reports", msgstr=""))
    po_path = tmp_path / "django.po"
    po.save(str(po_path))

    mo_path = catalogue_compile(po_path)

    with mo_path.open("rb") as compiled:
        welsh = gettext.GNUTranslations(compiled)
    assert welsh.gettext("Sign in") == "Mewngofnodi"
    assert welsh.gettext("Sign out") == "Sign out"
    assert welsh.gettext("Reports") == "Reports"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["django.mo", "django.po"]


@pytest.mark.parametrize("po_path", catalogue_sources(), ids=lambda p: p.parent.parent.name)
def test_every_translation_keeps_the_placeholders_of_its_english(po_path):
    broken = []
    for entry in polib.pofile(str(po_path)).translated_entries():
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        broken += [entry.msgid for text in texts if sorted(PLACEHOLDER.findall(text)) != wanted]
    assert broken == []


# --- complete: every string marked for translation has Welsh text -------------------------

S2S_DIR = Path(__file__).resolve().parents[2]


def catalogue_gaps(po_path: Path) -> list[str]:
    """Return the msgids of a catalogue with no translation or a fuzzy one."""
    catalogue = polib.pofile(str(po_path))
    return [entry.msgid for entry in catalogue
            if not entry.obsolete and ("fuzzy" in entry.flags or not entry.translated())]


def _make_messages() -> None:
    """Run `make messages` (its makemessages options) in the current directory."""
    call_command("makemessages", locale=["cy"], no_obsolete=True, add_location="file",
                 ignore_patterns=["static/*"], verbosity=0)


@pytest.fixture
def collected_catalogue(tmp_path, settings, monkeypatch) -> Path:
    """Return a copy of the Welsh catalogue with every string now marked in the code merged in.

    `make messages` on a copy of the source, so the working tree is never touched: a string
    marked in the code but missing from the catalogue becomes an untranslated entry here.
    Needs GNU gettext (on developers' machines and CI), which `makemessages` calls.
    """
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.fail("GNU gettext (xgettext, msgmerge) is needed to collect the strings")
    copy = tmp_path / "s2s"
    shutil.copytree(S2S_DIR, copy, ignore=shutil.ignore_patterns(
        "__pycache__", "static", "node_modules", "*.mo"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    _make_messages()
    return copy / "locale" / "cy" / "LC_MESSAGES" / "django.po"


def test_catalogue_gaps_finds_untranslated_and_fuzzy_entries(tmp_path):
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Sign in", msgstr="Mewngofnodi"))
    po.append(polib.POEntry(msgid="Sign out", msgstr="Allgofnodi", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Reports", msgstr=""))
    po.save(str(tmp_path / "django.po"))

    assert catalogue_gaps(tmp_path / "django.po") == ["Sign out", "Reports"]


def test_collecting_finds_a_newly_marked_string(collected_catalogue):
    """The check below can fail: a string marked in the code that no .po has yet is a gap."""
    assert "Welsh is coming" not in catalogue_gaps(collected_catalogue)
    (collected_catalogue.parents[3] / "core" / "marked_now.py").write_text(
        'from django.utils.translation import gettext as _\n\nWORDS = _("Welsh is coming")\n')
    _make_messages()

    assert "Welsh is coming" in catalogue_gaps(collected_catalogue)


def test_every_string_marked_for_translation_has_welsh_text(collected_catalogue):
    """Issue 17: the catalogue is complete; no string without Welsh, none fuzzy."""
    gaps = catalogue_gaps(collected_catalogue)
    shown = "\n".join(f"  {msgid!r}" for msgid in gaps[:40])
    assert gaps == [], f"{len(gaps)} strings have no Welsh text or a fuzzy one:\n{shown}"
