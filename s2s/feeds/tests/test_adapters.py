"""Every adapter (JSON, CSV, CTF) gives the same model for the same data (issue 13)."""

import csv
import io
import json
from datetime import date

import pytest

from s2s.ctf.records import Address, HeaderData, PupilData, SchoolRecord
from s2s.ctf.writer import ctf_bytes
from s2s.feeds.adapters import ROLL_FIELDS, read_csv, read_ctf, read_json
from s2s.feeds.models import Mark, Pupil
from s2s.feeds.services import feed_receive
from s2s.feeds.tests.conftest import UPN_1, UPN_2, pupil, send_roll

pytestmark = pytest.mark.django_db

PUPILS = [
    pupil(UPN_1, surname="Smith  Jones ", middle_names="Rose", former_surname="Jones",
          preferred_surname="Smith"),
    pupil(UPN_2, forename="Ben", sex="M", dob="2016-02-31", postcode="", town="Weymouth",
          leaving_date="2026-10-23", leaving_reason="MOVE"),
]
# The mark string of the validation fixtures, from Monday 3 November 2025: Monday present,
# Tuesday C1 (a regulated performance), Wednesday Y4 (school unexpectedly closed), Thursday
# no mark.
MARK_STRING = "/\\C1C1Y4Y4--"
MARKS = [(UPN_1, "2025-11-03", "AM", "/"), (UPN_1, "2025-11-03", "PM", "\\"),
         (UPN_1, "2025-11-04", "AM", "C1"), (UPN_1, "2025-11-04", "PM", "C1"),
         (UPN_1, "2025-11-05", "AM", "Y4"), (UPN_1, "2025-11-05", "PM", "Y4")]


def _csv(fields, rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _ctf_pupil(record: dict, marks: str | None = None) -> PupilData:
    return PupilData(
        upn=record["upn"], surname=record["surname"], forename=record["forename"],
        dob=record["dob"], sex=record["sex"], former_upn=record["former_upn"] or None,
        preferred_surname=record["preferred_surname"] or None,
        former_surname=record["former_surname"] or None,
        middle_names=record["middle_names"] or None, nc_year=record["nc_year"],
        address=Address(town=record["town"], postcode=record["postcode"] or None),
        schools=[SchoolRecord(la="838", establishment="3321", name="Stickland's",
                              entry_date=record["entry_date"],
                              leaving_date=record["leaving_date"] or None,
                              leaving_reason=record["leaving_reason"] or None)],
    )


def _ctf(pupils: list[PupilData], marks: dict[str, str] | None = None) -> bytes:
    content = ctf_bytes(header=HeaderData(source_la="838", source_establishment="3321",
                                          destination_la="838", destination_establishment="LLLL"),
                        pupils=pupils)
    for upn, string in (marks or {}).items():
        block = (f"<UPN>{upn}</UPN>").encode()
        attendance = ("<Attendance><YearData><Year>2025</Year><StartDate>2025-11-03</StartDate>"
                      f"<AttendanceMarks>{string}</AttendanceMarks></YearData></Attendance>")
        head, tail = content.split(block, 1)
        end = tail.index(b"</Pupil>")
        content = head + block + tail[:end] + attendance.encode() + tail[end:]
    return content


def _roll_model() -> list[tuple]:
    return sorted(Pupil.objects.values_list("upn", *ROLL_FIELDS[1:], "on_roll"))


def test_json_csv_and_ctf_rolls_give_the_same_pupils(connector):
    json_feed = send_roll(connector, PUPILS)
    model = _roll_model()
    assert model[0][:5] == (UPN_1, "", "Smith  Jones ", "Amy", "Rose")
    csv_feed = feed_receive(user=connector, kind="roll", content=_csv(ROLL_FIELDS, PUPILS),
                            content_type="text/csv", school="8383321")
    ctf_feed = feed_receive(user=connector, kind="roll",
                            content=_ctf([_ctf_pupil(p) for p in PUPILS]),
                            content_type="application/xml")
    assert [f.format for f in (json_feed, csv_feed, ctf_feed)] == ["json", "csv", "ctf"]
    assert (json_feed.changed, csv_feed.changed, ctf_feed.changed) == (2, 0, 0)
    assert _roll_model() == model
    found = [[(w["code"], w["upn"]) for w in f.warnings] for f in (json_feed, csv_feed, ctf_feed)]
    assert found[0] == found[1] == found[2] == [
        ("name_spaces", UPN_1), ("postcode_missing", UPN_2), ("dob_impossible", UPN_2)]


def test_json_csv_and_ctf_attendance_give_the_same_marks(connector):
    send_roll(connector, PUPILS)
    json_body = {"school": "8383321", "marks": [
        {"upn": u, "date": d, "session": s, "code": c} for u, d, s, c in MARKS]}
    json_feed = feed_receive(user=connector, kind="attendance",
                             content=json.dumps(json_body).encode())
    model = sorted(Mark.objects.values_list("pupil__upn", "date", "session", "code"))
    csv_feed = feed_receive(
        user=connector, kind="attendance", content_type="text/csv", school="8383321",
        content=_csv(["upn", "date", "session", "code"],
                     [dict(zip(("upn", "date", "session", "code"), m, strict=True))
                      for m in MARKS]))
    ctf_feed = feed_receive(user=connector, kind="attendance", content_type="application/xml",
                            content=_ctf([_ctf_pupil(PUPILS[0])], {UPN_1: MARK_STRING}))
    assert (json_feed.changed, csv_feed.changed, ctf_feed.changed) == (6, 0, 0)
    assert (json_feed.received, csv_feed.received, ctf_feed.received) == (6, 6, 6)
    assert model == [
        (UPN_1, date(2025, 11, 3), 0, "/"), (UPN_1, date(2025, 11, 3), 1, "\\"),
        (UPN_1, date(2025, 11, 4), 0, "C1"), (UPN_1, date(2025, 11, 4), 1, "C1"),
        (UPN_1, date(2025, 11, 5), 0, "Y4"), (UPN_1, date(2025, 11, 5), 1, "Y4")]
    assert sorted(Mark.objects.values_list("pupil__upn", "date", "session", "code")) == model


def test_each_adapter_reads_the_same_records():
    as_json = read_json(kind="roll", content=json.dumps(
        {"school": "8383321", "pupils": PUPILS}).encode())
    as_csv = read_csv(kind="roll", content=_csv(ROLL_FIELDS, PUPILS), school="8383321")
    as_ctf = read_ctf(kind="roll", content=_ctf([_ctf_pupil(p) for p in PUPILS]))
    assert as_json.school == as_ctf.school == as_csv.school == "8383321"

    def without_position(feed):
        # A CTF carries no registration or destination: both read as blank (single, none).
        return [{k: v for k, v in r.items() if k not in ("index", "registration")}
                for r in feed.records]

    assert without_position(as_json) == without_position(as_csv)
    assert without_position(as_json) == without_position(as_ctf)
    assert [r["index"] for r in as_csv.records] == [2, 3]  # CSV lines


def test_a_ctf_is_refused_as_an_exclusions_feed():
    from s2s.feeds.adapters import FeedUnreadable

    with pytest.raises(FeedUnreadable):
        read_ctf(kind="exclusions", content=_ctf([_ctf_pupil(PUPILS[0])]))


def test_json_and_csv_exclusions_give_the_same_exclusions(connector):
    from s2s.feeds.adapters import EXCLUSION_FIELDS
    from s2s.feeds.models import Exclusion

    send_roll(connector, PUPILS)
    rows = [{"upn": UPN_1, "category": "suspension", "start_date": "2025-11-03",
             "sessions": 4, "reasons": ["PP", "BU"], "rescinded": False},
            {"upn": UPN_2, "category": "permanent", "start_date": "2025-11-04",
             "sessions": 0, "reasons": ["DA"], "rescinded": True}]
    json_feed = feed_receive(user=connector, kind="exclusions", content=json.dumps(
        {"school": "8383321", "exclusions": rows}).encode())
    model = sorted(Exclusion.objects.values_list(
        "pupil__upn", "category", "start_date", "sessions", "reasons", "rescinded"))
    csv_rows = [{**r, "reasons": ";".join(r["reasons"]), "rescinded": str(r["rescinded"])}
                for r in rows]
    csv_feed = feed_receive(user=connector, kind="exclusions", content_type="text/csv",
                            school="8383321", content=_csv(EXCLUSION_FIELDS, csv_rows))
    assert (json_feed.changed, csv_feed.changed) == (2, 0)
    assert model == [(UPN_1, "suspension", date(2025, 11, 3), 4, ["PP", "BU"], False),
                     (UPN_2, "permanent", date(2025, 11, 4), 0, ["DA"], True)]
