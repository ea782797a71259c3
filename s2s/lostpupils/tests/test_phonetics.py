"""The sound-alike key, the name parts and the edit distance (phonetics.py)."""

import pytest

from s2s.lostpupils.phonetics import (
    damerau_levenshtein,
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
    ("O'Brien", "ABRN"), ("Zoë", "S"), ("", ""),
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
