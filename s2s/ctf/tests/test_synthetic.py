import io
from collections import Counter
from dataclasses import fields

from lxml import etree

from s2s.ctf.reader import read_ctf
from s2s.ctf.records import PupilData, pupil_from_element
from s2s.ctf.synthetic import ERROR_KINDS, generate_ctf, synthetic_pupils
from s2s.ctf.tests.conftest import TODAY
from s2s.ctf.validate import validate_ctf

INDEX_FIELDS = ("upn", "uln", "surname", "forename", "middle_names", "preferred_surname",
                "preferred_forename", "former_surname", "dob", "sex", "nc_year")


def generate(**kwargs):
    buffer = io.BytesIO()
    options = {"source": "8383321", "destination": "8384512", "pupils": 40, "seed": 11,
               "today": TODAY} | kwargs
    generated = generate_ctf(out=buffer, **options)
    return buffer.getvalue(), generated


def test_same_seed_gives_the_same_file():
    assert generate()[0] == generate()[0]
    assert generate()[0] != generate(seed=12)[0]


def test_generate_then_read_gives_the_same_index():
    """Issue 3, Tests: round trip generate -> read -> the same data."""
    content, generated = generate()
    read = read_ctf(source=content).pupils
    for entry, pupil in zip(read, generated.pupils, strict=True):
        for name in INDEX_FIELDS:
            assert getattr(entry, name) == getattr(pupil.written, name), name
        assert entry.postcode == pupil.written.address.postcode
        assert entry.town == pupil.written.address.town
        assert entry.leaving_date == pupil.written.schools[0].leaving_date


def test_generate_then_parse_gives_the_same_records():
    content, generated = generate(pupils=10)
    root = etree.fromstring(content)
    parsed = [pupil_from_element(element=e) for e in root.iter("Pupil")]
    assert parsed == [p.written for p in generated.pupils]


def test_generated_pupils_validate_without_warnings():
    """Valid UPNs and ULNs, DOBs that fit the NC year, real postcodes (issue 3, Synthetic)."""
    content, _ = generate(pupils=300)
    report = validate_ctf(source=content, file_name="8383321_CTF_8384512_001.XML", today=TODAY)
    assert report.accepted
    assert report.warnings == []


def test_generated_names_are_weighted_and_varied():
    pupils = [p.truth for p in synthetic_pupils(source="8383321", count=3000, seed=5,
                                                today=TODAY)]
    surnames = Counter(p.surname for p in pupils)
    assert surnames.most_common(1)[0][0] in {"Smith", "Jones"}
    assert any("-" in name for name in surnames)
    assert any("'" in name for name in surnames)
    assert {"Patel", "Khan", "Nowak", "Okafor"} & set(surnames)
    assert any(p.address.paon.startswith(" " * 10) for p in pupils)


def test_errors_keep_the_truth_beside_what_was_written():
    """Issue 3, Synthetic data: typos, day/month swaps, surname changes, nicknames, no UPN."""
    made = list(synthetic_pupils(source="8383321", count=400, seed=3, error_rate=1.0,
                                 today=TODAY))
    kinds = Counter(p.errors[0].kind for p in made)
    assert set(kinds) == set(ERROR_KINDS)
    for pupil in made:
        (error,) = pupil.errors
        changed = [f.name for f in fields(PupilData)
                   if getattr(pupil.truth, f.name) != getattr(pupil.written, f.name)]
        assert error.field in changed
        assert getattr(pupil.truth, error.field) == error.true_value
        assert getattr(pupil.written, error.field) == error.written_value
        assert set(changed) <= {error.field, "preferred_surname", "preferred_forename"}


def test_error_rate_zero_writes_the_truth():
    made = list(synthetic_pupils(source="8383321", count=50, seed=3, today=TODAY))
    assert len(made) == 50
    assert all(p.truth == p.written and p.errors == [] for p in made)
