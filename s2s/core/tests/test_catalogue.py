"""The Welsh catalogue: compiled without GNU gettext, kept up to date, placeholders intact."""

import gettext
import re

import polib
import pytest

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
