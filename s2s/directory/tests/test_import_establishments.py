import csv
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from s2s.audit.models import AuditEvent
from s2s.directory.importer import import_establishments
from s2s.directory.models import Establishment, EstablishmentStatus, LocalAuthority, Nation

HEADER = [
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
    "TypeOfEstablishment (name)", "EstablishmentStatus (name)", "PhaseOfEducation (name)",
    "Town", "Postcode", "TelephoneNum", "CloseDate", "OfstedRating (name)",
]
ROWS = [
    ["113491", "838", "Dorset", "3321", "Stickland's CE VA Primary", "Voluntary aided school",
     "Open", "Primary", "Blandford Forum", "dt11 0nl", "1258880437", "", "Good"],
    ["113860", "838", "Dorset", "4512", "The Thomas Hardye School", "Foundation school",
     "Open", "Secondary", "Dorchester", "DT1 2ET", "01305 266064", "", ""],
    ["113200", "838", "Dorset", "2001", "Wareham St Mary CE VA Primary", "Voluntary aided school",
     "Closed", "Primary", "Wareham", "BH20 4LX", "", "31-08-2019", ""],
    ["401822", "680", "Newport", "2150", "Ysgol Gymraeg Casnewydd", "Community school",
     "Open, but proposed to close", "Primary", "Newport", "NP19 0AB", "01633 123456", "", ""],
    ["402001", "681", "Cardiff", "5402", "Ysgol Glantaf", "Community school",
     "Proposed to open", "Secondary", "Cardiff", "CF5 2YX", "", "", ""],
]


def _csv(rows, header=HEADER, encoding="cp1252", bom=False):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def _import(path, *args):
    out = io.StringIO()
    call_command("import_establishments", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "edubasealldata.csv"
    path.write_bytes(_csv(ROWS))
    return path


@pytest.mark.django_db
def test_an_import_creates_the_las_and_schools_with_wales_for_660_to_681(register):
    output = _import(register)

    assert LocalAuthority.objects.get(number="838").nation == Nation.ENGLAND
    assert LocalAuthority.objects.get(number="680").nation == Nation.WALES
    assert LocalAuthority.objects.get(number="681").name == "Cardiff"
    school = Establishment.objects.get(code="8383321")
    assert school.urn == "113491"
    assert school.la.name == "Dorset"
    assert school.town == "Blandford Forum"
    assert school.postcode == "DT11 0NL"
    assert school.phone == "01258880437"
    assert school.type == "Voluntary aided school"
    assert school.phase == "Primary"
    assert "Added (5):" in output
    assert "8384512 The Thomas Hardye School" in output
    assert "5 added, 0 changed, 0 closed" in output


@pytest.mark.django_db
def test_status_names_map_to_statuses_and_a_closed_school_keeps_its_close_date(register):
    _import(register)

    assert Establishment.objects.get(code="8384512").status == EstablishmentStatus.OPEN
    closed = Establishment.objects.get(code="8382001")
    assert closed.status == EstablishmentStatus.CLOSED
    assert closed.closed_on == date(2019, 8, 31)
    assert Establishment.objects.get(code="6802150").status == "proposed_to_close"
    assert Establishment.objects.get(code="6815402").status == "proposed_to_open"


@pytest.mark.django_db
def test_a_malformed_row_is_reported_with_its_line_number_and_the_rest_still_imports(tmp_path):
    rows = [
        ROWS[0],
        ["113999", "83X", "Dorset", "1234", "Bad LA code", "", "Open", "", "", "", "", "", ""],
        ["113998", "838", "Dorset", "12345", "Too long", "", "Open", "", "", "", "", "", ""],
        ["113997", "838", "Dorset", "1111", "Unknown", "", "Dormant", "", "", "", "", "", ""],
        ["113996", "838", "Dorset"],
        ["", "838", "Dorset", "1112", "No URN", "", "Open", "", "", "", "", "", ""],
        ["113995", "838", "Dorset", "1113", "", "", "Open", "", "", "", "", "", ""],
        ROWS[1],
    ]
    path = tmp_path / "register.csv"
    path.write_bytes(_csv(rows))

    output = _import(path)

    assert sorted(Establishment.objects.values_list("code", flat=True)) == ["8383321", "8384512"]
    assert "line 3: LA (code) '83X' is not a 3-digit LA number" in output
    assert "line 4: EstablishmentNumber '12345'" in output
    assert "line 5: EstablishmentStatus (name) 'Dormant' is not a status we know" in output
    assert "line 6: has a different number of fields from the header" in output
    assert "line 7: URN '' is not a number" in output
    assert "line 8: EstablishmentName is empty" in output
    assert "6 malformed" in output


@pytest.mark.django_db
def test_a_row_without_an_establishment_number_is_skipped_not_reported(tmp_path):
    rows = [ROWS[0], ["131000", "000", "Does not apply", "", "Some children's centre", "", "Open",
                      "", "", "", "", "", ""]]
    path = tmp_path / "register.csv"
    path.write_bytes(_csv(rows))

    output = _import(path)

    assert Establishment.objects.count() == 1
    assert "1 without an establishment number skipped, 0 malformed" in output


@pytest.mark.django_db
def test_a_reimport_of_the_same_file_changes_nothing(register):
    _import(register)
    before = list(Establishment.objects.values_list("code", "name", "status", "updated_at"))

    output = _import(register)

    assert "0 added, 0 changed, 0 closed, 5 unchanged" in output
    assert list(Establishment.objects.values_list("code", "name", "status", "updated_at")) == before
    assert LocalAuthority.objects.count() == 3


@pytest.mark.django_db
def test_a_reimport_updates_in_place_and_lists_what_changed_and_closed(register, tmp_path):
    _import(register)
    school = Establishment.objects.get(code="8384512")
    school.email = "office@thomashardye.example.sch.uk"  # not in the register: must survive
    school.save()
    rows = [list(row) for row in ROWS]
    rows[0][4] = "Stickland's CE VA Primary School"  # renamed
    rows[1][6] = "Closed"  # closed
    rows[1][11] = "31/08/2025"
    rows.append(["150001", "838", "Dorset", "4000", "Thomas Hardye Academy", "Academy converter",
                 "Open", "Secondary", "Dorchester", "DT1 2ET", "", "", ""])
    path = tmp_path / "register-2.csv"
    path.write_bytes(_csv(rows))

    output = _import(path)

    assert "Changed (1):\n  8383321 Stickland's CE VA Primary School: name" in output
    assert "Closed (1):\n  8384512 The Thomas Hardye School" in output
    assert "Added (1):\n  8384000 Thomas Hardye Academy" in output
    school.refresh_from_db()
    assert school.status == EstablishmentStatus.CLOSED
    assert school.closed_on == date(2025, 8, 31)
    assert school.email == "office@thomashardye.example.sch.uk"
    assert Establishment.objects.get(code="8383321").name == "Stickland's CE VA Primary School"
    assert Establishment.objects.count() == 6


@pytest.mark.django_db
def test_utf8_with_and_without_bom_and_cp1252_all_read_the_same(tmp_path):
    row = ["401900", "670", "Swansea", "2222", "Ysgol Gynradd Gymraeg Bryn-y-Môr",
           "Community school", "Open", "Primary", "Abertawe", "SA2 0RE", "", "", ""]
    for encoding, bom in [("cp1252", False), ("utf-8", False), ("utf-8", True)]:
        path = tmp_path / f"{encoding}{bom}.csv"
        path.write_bytes(_csv([row], encoding=encoding, bom=bom))
        _import(path)
        assert Establishment.objects.get(code="6702222").name == "Ysgol Gynradd Gymraeg Bryn-y-Môr"
        Establishment.objects.all().delete()


@pytest.mark.django_db
def test_a_file_without_the_register_columns_is_refused(tmp_path):
    path = tmp_path / "other.csv"
    path.write_bytes(b"Name,Town\nA school,Dorchester\n")

    with pytest.raises(CommandError, match="EstablishmentNumber"):
        _import(path)


@pytest.mark.django_db
def test_remove_missing_deletes_unused_schools_but_never_a_school_with_users(
    register, tmp_path, make_user
):
    _import(register)
    used = Establishment.objects.get(code="8383321")
    make_user("school", used, username="8383321")
    path = tmp_path / "smaller.csv"
    path.write_bytes(_csv(ROWS[2:]))

    output = _import(path, "--remove-missing")

    assert not Establishment.objects.filter(code="8384512").exists()
    used.refresh_from_db()
    assert used.status == EstablishmentStatus.CLOSED
    assert "Removed (not in the register) (1):\n  8384512 The Thomas Hardye School" in output
    assert "Kept (not in the register) (1):\n  8383321" in output


@pytest.mark.django_db
def test_without_remove_missing_no_school_is_ever_deleted(register, tmp_path):
    _import(register)
    path = tmp_path / "smaller.csv"
    path.write_bytes(_csv(ROWS[:1]))

    _import(path)

    assert Establishment.objects.count() == 5


@pytest.mark.django_db
def test_successor_links_in_the_file_set_successors_both_ways(tmp_path):
    header = [*HEADER, "LinkURN", "LinkType"]
    rows = [
        [*ROWS[2], "113860", "Successor"],
        [*ROWS[1], "", ""],
        [*ROWS[0], "", ""],
        [*ROWS[3], "113491", "Predecessor - amalgamated"],  # 113491 is succeeded by 401822
    ]
    path = tmp_path / "register.csv"
    path.write_bytes(_csv(rows, header=header))

    output = _import(path)
    again = _import(path)

    assert Establishment.objects.get(code="8382001").successor.code == "8384512"
    assert Establishment.objects.get(code="8383321").successor.code == "6802150"
    assert "Successors set (2):" in output
    assert "0 successors set" in again


@pytest.mark.django_db
def test_a_links_file_sets_successors_and_a_loop_is_refused(register, tmp_path):
    links = tmp_path / "links.csv"
    links.write_text(
        "URN,LinkURN,LinkName,LinkType,LinkEstablishedDate\n"
        "113200,113860,The Thomas Hardye School,Successor,01-09-2019\n"
        "113860,113200,Wareham St Mary,Successor,01-09-2019\n"
    )

    output = _import(register, "--links", str(links))

    assert Establishment.objects.get(code="8382001").successor.code == "8384512"
    assert Establishment.objects.get(code="8384512").successor is None
    assert "successor of 8384512 not set" in output


@pytest.mark.django_db
def test_an_import_is_audited_with_its_counts(register):
    _import(register)

    event = AuditEvent.objects.get(action="directory.import")
    assert event.detail["added"] == 5
    assert event.actor_username == "s2s import_establishments"


@pytest.mark.django_db
def test_two_rows_with_one_number_keep_the_open_school(tmp_path):
    reused = ["150002", "838", "Dorset", "2001", "Wareham St Mary Academy", "Academy converter",
              "Open", "Primary", "Wareham", "BH20 4LX", "", "", ""]
    path = tmp_path / "register.csv"
    path.write_bytes(_csv([reused, ROWS[2]]))

    output = _import(path)

    assert Establishment.objects.get(code="8382001").urn == "150002"
    assert "line 3: 8382001 is also on line 2" in output


@pytest.mark.django_db
def test_progress_is_reported_every_n_rows(register):
    seen = []

    report = import_establishments(register, progress=seen.append, progress_every=2)

    assert seen == [2, 4]
    assert report.rows == 5


@pytest.mark.django_db
def test_the_import_report_reads_in_welsh_with_lang_cy(tmp_path):
    """Issue 17: the report's headings, problems and totals in Welsh; the names as they are."""
    rows = [ROWS[0], ["113999", "83X", "Dorset", "1234", "Bad LA code", "", "Open", "", "", "",
                      "", "", ""]]
    path = tmp_path / "register.csv"
    path.write_bytes(_csv(rows))

    output = _import(path, "--lang", "cy")

    assert "Ychwanegwyd (1):\n  8383321 Stickland's CE VA Primary\n" in output
    assert "Rhesi camffurf, heb eu mewnforio (1):" in output
    assert "llinell 3: nid yw LA (code) '83X' yn rhif ALl 3 digid" in output
    assert output.rstrip().endswith("0 olynydd wedi'u gosod.")
