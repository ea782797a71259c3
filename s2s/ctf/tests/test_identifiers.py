import pytest
from hypothesis import given
from hypothesis import strategies as st

from s2s.ctf.identifiers import (
    LA_NAMES,
    is_la_code,
    make_upn,
    uci_check,
    uln_check,
    uln_check_digit,
    uln_valid,
    upn_check,
    upn_valid,
)


@pytest.mark.parametrize(
    ("upn", "ok", "temporary"),
    [
        ("H801200001001", True, False),
        ("Z801200001001", False, False),
        ("G80120000101A", True, True),
        ("R201100018042", True, False),
        ("T20110001804V", True, True),
        ("B207000016049", False, False),
    ],
)
def test_upn_check_letter_matches_the_design_vectors(upn, ok, temporary):
    """DESIGN.md, CTF format: UPN check letter vectors."""
    result = upn_check(upn=upn)
    assert result.ok is ok
    assert result.temporary is temporary


def test_upn_check_letter_names_the_right_letter():
    """DESIGN.md, CTF format: B207000016049's right letter is P (not Q)."""
    assert "where the digits give 'P'" in upn_check(upn="B207000016049").problem


@pytest.mark.parametrize(
    ("upn", "problem"),
    [
        ("H80120000100", "12 characters; a UPN has 13"),
        ("H8012000010O1", "must be a check letter, 11 digits"),
        ("A999200001001", "'999' in characters 2-4, which is not an LA number"),
    ],
)
def test_upn_check_says_what_is_wrong(upn, problem):
    assert problem in upn_check(upn=upn).problem


@pytest.mark.parametrize("code", [str(n) for n in range(660, 682)] + ["838", "839", "940",
                                                                       "941", "942", "943"])
def test_la_code_list_has_welsh_and_newest_english_codes(code):
    """Issue 3, Identifiers: Welsh codes and 838, 839, 940-943."""
    assert is_la_code(code=code)


def test_upn_from_a_former_la_stays_valid_but_the_la_is_not_current():
    upn = make_upn(la="909", establishment="2001", year=2015, serial=12)
    assert upn_check(upn=upn).ok
    assert not is_la_code(code="909")


def test_uln_check_digit_matches_the_design_vector():
    """DESIGN.md, CTF format: ULN 1234567899 is valid."""
    assert uln_check(uln="1234567899").ok
    assert not uln_check(uln="1234567898").ok
    assert not uln_check(uln="0234567899").ok


def test_uci_check_letter_uses_weights_16_to_5_mod_17():
    """DESIGN.md, CTF format: UCI; 123456789012 sums to 496, 496 mod 17 = 3, letter D."""
    assert uci_check(uci="123456789012D").ok
    assert not uci_check(uci="123456789012E").ok
    assert not uci_check(uci="12345678901D").ok


las = st.sampled_from(sorted(LA_NAMES))


@given(la=las, establishment=st.from_regex(r"\A[0-9]{4}\Z"), year=st.integers(2000, 2030),
       serial=st.integers(0, 999), temporary=st.booleans())
def test_made_upns_pass_their_check(la, establishment, year, serial, temporary):
    assert upn_check(upn=make_upn(la=la, establishment=establishment, year=year,
                                  serial=serial, temporary=temporary)).ok


@given(la=las, establishment=st.from_regex(r"\A[0-9]{4}\Z"), serial=st.integers(0, 999),
       position=st.integers(1, 12), digit=st.integers(0, 9))
def test_upn_check_letter_catches_any_single_digit_change(la, establishment, serial, position,
                                                          digit):
    upn = make_upn(la=la, establishment=establishment, year=2019, serial=serial)
    changed = upn[:position] + str(digit) + upn[position + 1:]
    assert upn_check(upn=changed).ok is (changed == upn)


@given(body=st.from_regex(r"\A[1-9][0-9]{8}\Z"), position=st.integers(0, 9),
       digit=st.integers(0, 9))
def test_uln_check_digit_catches_any_single_digit_change(body, position, digit):
    valid = [body + str(d) for d in range(10) if uln_check(uln=body + str(d)).ok]
    assert len(valid) <= 1
    if valid and (position or digit):
        uln = valid[0]
        changed = uln[:position] + str(digit) + uln[position + 1:]
        assert uln_check(uln=changed).ok is (changed == uln)


_UPN_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ a\u0663"


@st.composite
def _upns(draw):
    """Valid UPNs, permanent and temporary, and near misses of every kind."""
    upn = make_upn(la=draw(st.sampled_from([*LA_NAMES, "000", "999"])),
                   establishment=f"{draw(st.integers(0, 9999)):04d}",
                   year=draw(st.integers(0, 99)), serial=draw(st.integers(0, 999)),
                   temporary=draw(st.booleans()))
    if draw(st.booleans()):
        place = draw(st.integers(0, 12))
        upn = upn[:place] + draw(st.sampled_from(_UPN_CHARACTERS)) + upn[place + 1:]
    return draw(st.sampled_from([upn, upn[:-1], upn + "1"]))


@given(upn=_upns() | st.text(_UPN_CHARACTERS, max_size=14))
def test_the_fast_upn_verdict_is_the_checks(upn):
    """Validation asks upn_valid for the common case; it must say what upn_check says."""
    assert upn_valid(upn) is upn_check(upn=upn).ok


@st.composite
def _ulns(draw):
    body = str(draw(st.integers(10**8, 10**9 - 1)))
    digit = uln_check_digit(body=body)
    uln = body + str(draw(st.integers(0, 9)) if digit is None else digit)
    if draw(st.booleans()):
        place = draw(st.integers(0, 9))
        uln = uln[:place] + draw(st.sampled_from("0123456789 a\u0663")) + uln[place + 1:]
    return uln


@given(uln=_ulns() | st.text("0123456789a", max_size=11))
def test_the_fast_uln_verdict_is_the_checks(uln):
    assert uln_valid(uln) is uln_check(uln=uln).ok
