"""The forename comparisons the matcher's names module gives the LPD search (issue 15)."""

import pytest

from s2s.matching.names import forenames_alike, spellings


@pytest.mark.parametrize(("one", "other", "how"), [
    ("KATE", "CATHERINE", "nickname"), ("KATIE", "KATE", "nickname"),
    ("WIKTORIA", "VICTORIA", "spelling"), ("SIDDIQUE", "SIDDIQI", "spelling"),
    ("MOHAMMED", "MUHAMMAD", "spelling"), ("MOHAMED", "MOHAMMED", "spelling"),
])
def test_forenames_alike_says_how(one, other, how):
    assert forenames_alike(one, other) == how
    assert forenames_alike(other, one) == how


@pytest.mark.parametrize(("one", "other"), [
    ("ALI", "WILLIE"), ("JOHN", "JANE"), ("WIKTORIA", "AGNIESZKA"), ("KATE", "KATE"),
])
def test_names_sharing_only_a_short_code_or_nothing_are_not_alike(one, other):
    assert forenames_alike(one, other) is None


def test_spellings_rewrite_one_thing_at_a_time_and_keep_the_name_first():
    found = spellings("WIKTORIA")
    assert found[0] == "WIKTORIA"
    assert "VIKTORIA" in found
    assert spellings("SIDDIQUE")[:2] == ["SIDDIQUE", "SIDDIQI"]
