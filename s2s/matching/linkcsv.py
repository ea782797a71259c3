"""`s2s match link`: two pupil lists as CSV files in, the pairs in the two bands out.

LAs get such lists from health and social care. Each file has a header row naming any of
`CSV_COLUMNS` (`id` is required, the rest may be missing or blank); a row that is blank, has
the wrong number of cells, no id, an id already seen, or a date of birth that is no date is
reported by its line number and skipped, never fatal. Dates of birth are read as
2014-06-07 or 07/06/2014.
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.utils.translation import gettext as _

from s2s.core.csvsafe import csv_lines
from s2s.ctf.words import render
from s2s.matching import engine

CSV_COLUMNS = ("id", "upn", "forename", "middle_names", "surname", "former_surname", "dob",
               "sex", "postcode", "town")
OUT_COLUMNS = ("left_id", "right_id", "probability", "band", "reason")


@dataclass
class ReadList:
    """The rows read from one file, and the lines skipped with why."""

    rows: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _dob(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _problem(cells: list[str], header: list[str], seen: set[str]) -> tuple[str, dict | None]:
    if not any(cell.strip() for cell in cells):
        return _("blank row"), None
    if len(cells) != len(header):
        return _("%(cells)d cells where the header has %(header)d") % {
            "cells": len(cells), "header": len(header)}, None
    row = {name: cells[i].strip() for i, name in enumerate(header) if name in CSV_COLUMNS}
    if not row.get("id"):
        return _("no id"), None
    if row["id"] in seen:
        return _("id %(id)s appears again") % {"id": row["id"]}, None
    if row.get("dob"):
        try:
            row["dob"] = _dob(row["dob"]).isoformat()
        except ValueError:
            return _("date of birth '%(dob)s' is not a date") % {"dob": row["dob"]}, None
    return "", row


def read_list(path: Path) -> ReadList:
    """Read one pupil list, skipping (and reporting) the rows it cannot use."""
    result = ReadList()
    seen: set[str] = set()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [name.strip().lower() for name in next(reader, [])]
        if "id" not in header:
            raise ValueError(_("%(file)s: the header row has no id column")
                             % {"file": path.name})
        for cells in reader:
            problem, row = _problem(cells, header, seen)
            if problem:
                result.skipped.append(_("%(file)s line %(line)d: %(problem)s, skipped") % {
                    "file": path.name, "line": reader.line_num, "problem": problem})
                continue
            seen.add(row["id"])
            result.rows.append(row)
    return result


def _lines(pairs: list[dict]) -> Iterator[str]:
    rows = ((p["left_id"], p["right_id"], f"{p['probability']:.6f}", p["band"], p["reason"])
            for p in pairs)
    return csv_lines(OUT_COLUMNS, rows)


def link_files(left: Path, right: Path, out: Path, *, match: float, possible: float,
               model: dict | None = None, engine_name: str = "duckdb", spark=None,
               progress: Callable[[str], None]) -> engine.Linked:
    """Link two CSV pupil lists and write the pairs in the two bands to `out`."""
    lists = []
    for path in (left, right):
        read = read_list(path)
        for line in read.skipped:
            progress(line)
        progress(_("%(file)s: %(count)d records read") % {"file": path.name,
                                                           "count": len(read.rows)})
        lists.append(read.rows)
    # The engine has no Django: its steps come as the CTF library's words, worded here.
    linked = engine.link(lists[0], lists[1], match=match, possible=possible, model=model,
                         engine=engine_name, progress=lambda words: progress(render(words, _)),
                         spark=spark)
    with out.open("w", newline="", encoding="utf-8") as handle:
        handle.writelines(_lines(linked.pairs))
    return linked


def summary(linked: engine.Linked) -> str:
    """Return the closing line: records in, pairs compared, per band, seconds."""
    return _("%(left)d and %(right)d records in, %(pairs)d pairs compared, %(match)d match, "
             "%(possible)d possible, %(seconds)s seconds") % {
        "left": linked.left_records, "right": linked.right_records,
        "pairs": linked.pairs_compared, "match": linked.count("match"),
        "possible": linked.count("possible"), "seconds": f"{linked.seconds:.1f}"}
