"""The sound-alike key, the name parts and the edit distance (phonetics.py)."""

import pytest

from s2s.lostpupils.phonetics import (
    damerau_levenshtein,
    fused_forms,
    name_parts,
    normalise,
    one_edit_apart,
    sound_key,
)


@pytest.mark.parametrize("names", [
    ("Smith", "Smyth", "Smithe"),
    ("Thompson", "Thomson"),
    ("Mohammed", "Muhammad", "Mohamed", "Muhammed", "Mohammad"),
    ("Catherine", "Kathryn", "Katherine", "Cathryn"),
    ("Philip", "Phillip"),
    ("Stephen", "Steven"),
    ("Macdonald", "McDonald"),
    ("Knight", "Night"),
    ("Vaughan", "Vaughn"),
    ("Sarah", "Sara"),
])
def test_names_that_sound_alike_share_a_key(names):
    assert len({sound_key(name) for name in names}) == 1, [sound_key(n) for n in names]


@pytest.mark.parametrize(("name", "key"), [
    ("Smith", "SMT"), ("Thompson", "TMSN"), ("Mohammed", "MHMT"), ("Catherine", "KTRN"),
    ("O'Brien", "ABRN"), ("Zoë", "S"), ("", ""), ("Llewelyn", "LWLN"), ("Flewelling", "LWLN"),
    ("Siân", "KSN"), ("Dafydd", "TFT"), ("Floyd", "FLT"),
])
def test_the_keys_are_written_down(name, key):
    assert sound_key(name) == key


@pytest.mark.parametrize(("one", "other"), [
    ("Jones", "Brown"), ("Smith", "Jones"), ("Khan", "Kaur"), ("Taylor", "Tyler-Smith"),
])
def test_names_that_do_not_sound_alike_have_different_keys(one, other):
    assert sound_key(one) != sound_key(other)


def test_a_double_barrelled_name_has_both_parts():
    assert name_parts("Smith-Jones") == ["SMITH", "JONES"]
    assert name_parts("Bonham Carter") == ["BONHAM", "CARTER"]
    assert name_parts("Al-Hassan") == ["HASSAN"]
    assert name_parts("Jones") == []
    assert normalise("O'Brien-Smith") == "OBRIENSMITH"


@pytest.mark.parametrize(("a", "b", "distance"), [
    ("SMITH", "SMITH", 0), ("SMITH", "SMTIH", 1), ("SMITH", "SMIT", 1), ("SMITH", "SMIITH", 1),
    ("SMITH", "SNITH", 1), ("KITTEN", "SITTING", 3), ("", "ABC", 3), ("CA", "ABC", 3),
])
def test_damerau_levenshtein_counts_a_neighbour_swap_as_one_edit(a, b, distance):
    assert damerau_levenshtein(a, b) == distance


def test_one_edit_apart_is_exactly_one_edit():
    assert one_edit_apart("JONES", "JONSE")
    assert not one_edit_apart("JONES", "JONES")
    assert not one_edit_apart("JONES", "JAMES")
    assert damerau_levenshtein("JONES", "BROWNING", limit=1) == 2


@pytest.mark.parametrize(("a", "b"), [
    ("SMITH", "SMTIH"),  # neighbours swapped in the middle
    ("SMITH", "MSITH"),  # ... at the start
    ("SMITH", "SMIHT"),  # ... at the end
    ("AB", "BA"),  # the whole name is the swap
    ("SMITH", "XSMITH"),  # a letter added at the start
    ("SMITH", "SMITHX"),  # ... at the end
    ("SMITH", "MITH"),  # a letter dropped at the start
    ("SMITH", "SMIT"),  # ... at the end
    ("SMITH", "SMITT"),  # the last letter different
    ("SMITH", "XMITH"),  # the first letter different
    ("A", ""),  # one letter against none
    ("", "A"),
    ("A", "B"),
    ("JONES", "JONNES"),  # a letter doubled
])
def test_one_edit_apart_at_the_edges(a, b):
    assert one_edit_apart(a, b)
    assert one_edit_apart(b, a)
    assert damerau_levenshtein(a, b) == 1


@pytest.mark.parametrize(("a", "b"), [
    ("", ""),
    ("SMITH", "SMITH"),  # no edit
    ("SMITH", "MSIHT"),  # two swaps
    ("SMITH", "STIMH"),  # a swap of letters that are not neighbours
    ("SMITH", "SMI"),  # two letters dropped
    ("SMITH", "XMITX"),  # two letters different
    ("SMITH", "MSITHX"),  # a swap and a letter added
    ("ABC", "CBA"),
    ("A", "XY"),
])
def test_more_than_one_edit_is_not_one_edit_apart(a, b):
    assert not one_edit_apart(a, b)
    assert not one_edit_apart(b, a)
    assert damerau_levenshtein(a, b) != 1


def test_one_edit_apart_agrees_with_the_distance_on_random_strings():
    import random

    rng = random.Random(1)
    for _ in range(20000):
        a = "".join(rng.choice("ABC") for _ in range(rng.randrange(7)))
        b = "".join(rng.choice("ABC") for _ in range(rng.randrange(7)))
        assert one_edit_apart(a, b) == (damerau_levenshtein(a, b) == 1), (a, b)


# Welsh names (issue 17): the search's test set of names that must share a key.
@pytest.mark.parametrize("names", [
    ("Llewelyn", "Llywelyn", "Lewellyn", "Llewellyn", "Flewelling", "Fluellen"),  # Ll, L, Fl
    ("Rhys", "Rees", "Reece", "Rice", "Rhŷs"),  # Rh, R
    ("Dafydd", "David", "Davydd", "Dafyd"),  # Dd, D; F, V
    ("Meredydd", "Meredith"),  # Dd, Th
    ("Gruffudd", "Gruffydd", "Griffith"),
    ("Hywel", "Howell"),  # W and Y as vowels
    ("Llwyd", "Lloyd"),
    ("Siân", "Sian", "Shan", "Siôn", "Shôn"),
    ("Gwenllian", "Gwenllïan"),
    ("Llŷr", "Llyr"),  # diacritics ignored
    ("Thompson", "Thomson"),  # the English Th still keys as T
])
def test_welsh_names_that_sound_alike_share_a_key(names):
    assert len({sound_key(name) for name in names}) == 1, [sound_key(n) for n in names]


@pytest.mark.parametrize(("one", "other"), [
    ("Lloyd", "Floyd"),  # a plain Fl is not the Welsh Ll: a one-letter typo with a DOB
    ("Lawrence", "Florence"),
    ("Lynn", "Flynn"),
    ("Lemming", "Fleming"),
    ("Rhys", "Price"),  # Price is ap Rhys, a surname variant, not a sound
    ("Owen", "Bowen"),
    ("Hywel", "Powell"),
    ("Llewelyn", "Lewis"),
    ("Sian", "Sienna"),
])
def test_welsh_rules_make_no_false_friends(one, other):
    assert sound_key(one) != sound_key(other)


def test_diacritics_are_folded_away():
    assert normalise("Ŵŷâ Siân-Gwenllïan") == "WYASIANGWENLLIAN"


@pytest.mark.parametrize(("name", "forms"), [
    ("ap Rhys", ["PRHYS"]), ("Ap Hywel", ["PYWEL"]), ("ab Owen", ["BOWEN"]),
    ("Ab Evan", ["BEVAN"]), ("ap Harry", ["PARRY"]), ("ap Richard", ["PRICHARD"]),
    ("Dafydd ap Gwilym", ["PGWILYM"]), ("Jones", []), ("Apted", []), ("Abbott", []),
])
def test_a_welsh_patronymic_is_fused_with_the_name_after_it(name, forms):
    assert fused_forms(name) == forms


@pytest.mark.parametrize(("fused", "english"), [
    ("ap Rhys", "Price"), ("ap Rhys", "Prys"), ("ap Hywel", "Powell"), ("ab Owen", "Bowen"),
    ("ap Harry", "Parry"), ("ap Richard", "Pritchard"), ("ab Evan", "Bevan"),
    ("ap Hugh", "Pugh"), ("ap Robert", "Probert"),
])
def test_a_fused_patronymic_sounds_like_its_english_surname(fused, english):
    [form] = fused_forms(fused)
    assert sound_key(form) == sound_key(english)
