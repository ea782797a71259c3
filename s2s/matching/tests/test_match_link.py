"""`s2s match link LEFT.csv RIGHT.csv --out PAIRS.csv`, end to end on small files."""

import csv
import json

import pytest
from django.core.management import CommandError, call_command

HEADER = "id,upn,forename,middle_names,surname,former_surname,dob,sex,postcode,town\n"


@pytest.fixture
def files(tmp_path, trained_model):
    left = tmp_path / "health.csv"
    left.write_text(HEADER + (
        "h1,A846513319469,Katie,,Smith-Jones,,2014-06-07,F,DT1 1AA,Dorchester\n"
        "h2,,Mohammed,,Siddique,,2013-03-04,M,DT4 7HU,Weymouth\n"
        ",,,,,,,,,\n"
        "h3,,Bad,,Date,,2013-31-31,M,,\n"
        "h4,too,few\n"
        "h1,,Again,,Same Id,,,,,\n"
        "h5,,Oliver,,Brown,,2012-01-01,M,BH1 1AA,Bournemouth\n"), encoding="utf-8")
    right = tmp_path / "roll.csv"
    right.write_text(HEADER + (
        "s1,A846513319469,Catherine,,Jones,,07/06/2014,F,DT1 2BB,Dorchester\n"
        "s2,,Muhammad,,Siddiqi,,2013-04-03,M,DT4 7HX,Weymouth\n"
        "s3,,Amelia,,Wright,,2016-09-09,F,BH2 2BB,Bournemouth\n"), encoding="utf-8")
    model = tmp_path / "model.json"
    model.write_text(json.dumps(trained_model), encoding="utf-8")
    return left, right, model, tmp_path / "pairs.csv"


def test_link_writes_the_pairs_with_bands_and_reasons(files, capsys):
    left, right, model, out = files
    call_command("match", "link", str(left), str(right), "--out", str(out),
                 "--model", str(model))
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["left_id", "right_id", "probability", "band", "reason"]
    pairs = {(r[0], r[1]): r for r in rows[1:]}
    assert set(pairs) == {("h1", "s1"), ("h2", "s2")}
    assert pairs[("h1", "s1")][3] == "match"
    assert "forename a nickname of the other" in pairs[("h1", "s1")][4]
    assert pairs[("h2", "s2")][3] in ("match", "possible")
    assert "DOB day and month swapped" in pairs[("h2", "s2")][4]
    assert 0 < float(pairs[("h2", "s2")][2]) <= 1


def test_link_reports_blank_and_malformed_rows_by_line_and_goes_on(files, capsys):
    left, right, model, out = files
    call_command("match", "link", str(left), str(right), "--out", str(out),
                 "--model", str(model))
    err = capsys.readouterr().err
    assert "health.csv line 4: blank row, skipped" in err
    assert "health.csv line 5: date of birth '2013-31-31' is not a date, skipped" in err
    assert "health.csv line 6: 3 cells where the header has 10, skipped" in err
    assert "health.csv line 7: id h1 appears again, skipped" in err
    assert "comparing pairs" in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("3 and 3 records in, ")
    assert " pairs compared, " in last
    assert "match, " in last
    assert "possible, " in last
    assert last.endswith(" seconds")


def test_link_refuses_a_file_without_an_id_column(tmp_path, files):
    _left, right, model, out = files
    bad = tmp_path / "bad.csv"
    bad.write_text("name,dob\nKate,2014-06-07\n", encoding="utf-8")
    with pytest.raises(CommandError, match="the header row has no id column"):
        call_command("match", "link", str(bad), str(right), "--out", str(out),
                     "--model", str(model))
