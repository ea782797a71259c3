import pytest
from hypothesis import given
from hypothesis import strategies as st

from s2s.ctf.errors import FileNameError
from s2s.ctf.names import FILE_TYPES, PlaceKind, format_name, parse_name


@pytest.mark.parametrize(
    ("name", "source", "destination", "kind", "file_type", "sequence", "free_text"),
    [
        ("1112222_CTF_3334444_001.XML", "1112222", "3334444", PlaceKind.SCHOOL, "CTF", 1, None),
        ("1112222_CTF_MMMMMMM_002.XML", "1112222", "MMMMMMM",
         PlaceKind.LOST_LEFT_MAINTAINED_SECTOR, "CTF", 2, None),
        ("1112222_CTF_XXXXXXX_003.XML", "1112222", "XXXXXXX",
         PlaceKind.LOST_DESTINATION_UNKNOWN, "CTF", 3, None),
        ("1112222_CTF_333LLLL_004.XML", "1112222", "333LLLL", PlaceKind.LA_MAILBOX, "CTF", 4,
         None),
        ("333LLLL_CTF1112222_005.XML", "333LLLL", "1112222", PlaceKind.SCHOOL, "CTF", 5, None),
        ("1113333_2224444_FFT15.ZIP", "1113333", "2224444", PlaceKind.SCHOOL, "ZIP", None,
         "FFT15"),
        ("1113333_222LLLL_Attendance2026.ZIP", "1113333", "222LLLL", PlaceKind.LA_MAILBOX,
         "ZIP", None, "Attendance2026"),
        ("222LLLL_1113333_my_data.ZIP", "222LLLL", "1113333", PlaceKind.SCHOOL, "ZIP", None,
         "my_data"),
    ],
)
def test_every_name_in_the_appendix_2_table_parses(
    name, source, destination, kind, file_type, sequence, free_text
):
    """Seed 003, appendix 2: the table of valid file names."""
    parsed = parse_name(name=name)
    assert parsed.source.code == source
    assert parsed.destination.code == destination
    assert parsed.destination_kind is kind
    assert parsed.file_type.code == file_type
    assert parsed.sequence == sequence
    assert parsed.free_text == free_text


def test_la_to_school_name_has_no_underscore_after_ctf_both_ways():
    """Seed 003, appendix 2: 333LLLL_CTF1112222_NNN.XML (sic)."""
    assert format_name(source="333LLLL", destination="1112222", sequence=7) == (
        "333LLLL_CTF1112222_007.XML"
    )
    assert str(parse_name(name="333LLLL_CTF1112222_007.XML")) == "333LLLL_CTF1112222_007.XML"


def test_name_extension_is_read_in_any_case():
    """DESIGN.md, File names: extensions are case-insensitive."""
    assert parse_name(name="8383321_CTF_8384512_001.xml").extension == "XML"
    assert parse_name(name="8383321_8384512_notes.Zip").file_type.code == "ZIP"


def test_name_with_a_directory_part_is_read_by_its_last_part():
    assert parse_name(name="/tmp/up/8383321_CTF_8384512_001.XML").source.code == "8383321"


@pytest.mark.parametrize(
    ("name", "field", "message"),
    [
        ("8383321_CTF_83845I2_001.XML", "destination",
         "destination '83845I2' is not a 7-digit establishment number, XXXXXXX, MMMMMMM "
         "or an LA mailbox"),
        ("838332_CTF_8384512_001.XML", "source", "source '838332' is not a 7-digit"),
        ("XXXXXXX_CTF_8384512_001.XML", "source", "source 'XXXXXXX'"),
        ("8383321_CFT_8384512_001.XML", "file_type", "file type 'CFT' is not one of"),
        ("8383321_CTF_8384512_1.XML", "sequence", "sequence number '1' is not 3 digits"),
        ("8383321_CTF_8384512_001", "extension", "has no extension"),
        ("8383321_CTF_8384512_001.TXT", "extension", "extension '.TXT' is not .XML or .ZIP"),
        ("8383321_CTF_8384512.XML", "name", "does not have the four parts"),
        ("8383321_8384512_sixteen_chars_xx.ZIP", "free_text", "1 to 15 characters"),
        ("8383321_8384512_has space.ZIP", "free_text", "no spaces"),
        ("8383321_8384512.ZIP", "name", "three parts"),
        ("8383321_PLAS_8384512_001.XML", "destination", "cannot be sent to '8384512'"),
        ("8383321_8384512_x.ZIP".replace("8384512", "XXXXXXX"), "destination",
         "cannot be sent to 'XXXXXXX'"),
    ],
)
def test_bad_name_error_names_the_wrong_part(name, field, message):
    """Seed 003, appendix 2 / DESIGN.md, File names: say which part is wrong."""
    with pytest.raises(FileNameError) as caught:
        parse_name(name=name)
    assert caught.value.field == field
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("8383321_PLAS_838PLAS_001.XML", "School census (PLASC)"),
        ("8383321_ATF_838ADMS_001.XML", "Admissions Transfer File"),
        ("8383321_ADMS_838ADMS_001.XML", "Admissions file"),
        ("8383321_KS2_838LLLL_001.XML", "Key stage 2 teacher assessment"),
        ("8383321_FSP_838LLLL_001.XML", "Foundation stage profile"),
        ("8383321_EXC_838LLLL_001.XML", "Exclusions"),
        ("8383321_CFR_838LLLL_001.XML", "Consistent financial reporting"),
    ],
)
def test_statutory_file_types_come_from_the_one_table(name, title):
    """DESIGN.md, File names: other statutory files put their own type code in place of CTF."""
    parsed = parse_name(name=name)
    assert parsed.file_type is FILE_TYPES[parsed.file_type.code]
    assert parsed.file_type.title == title


def test_lost_pupil_names_say_they_are_lost_pupil_files():
    assert parse_name(name="8383321_CTF_XXXXXXX_001.XML").is_lost_pupil
    assert not parse_name(name="8383321_CTF_838LLLL_001.XML").is_lost_pupil


establishments = st.from_regex(r"\A[0-9]{7}\Z")
la_mailboxes = st.from_regex(r"\A[0-9]{3}(LLLL|PLAS|ADMS)\Z")
destinations = st.one_of(establishments, la_mailboxes, st.sampled_from(["XXXXXXX", "MMMMMMM"]))


@given(source=st.one_of(establishments, la_mailboxes), destination=destinations,
       sequence=st.integers(0, 999))
def test_format_then_parse_name_round_trips(source, destination, sequence):
    name = format_name(source=source, destination=destination, sequence=sequence)
    parsed = parse_name(name=name)
    assert (parsed.source.code, parsed.destination.code, parsed.sequence) == (
        source, destination, sequence
    )
    assert str(parsed) == name


@given(source=establishments, destination=st.one_of(establishments, la_mailboxes),
       text=st.from_regex(r"\A[A-Za-z0-9_.-]{1,15}\Z"))
def test_generic_zip_name_round_trips(source, destination, text):
    name = format_name(source=source, destination=destination, file_type="ZIP", free_text=text)
    parsed = parse_name(name=name)
    assert parsed.free_text == text
    assert parsed.destination.code == destination


@given(st.text(max_size=40))
def test_parse_name_refuses_anything_with_a_file_name_error_only(text):
    # Any other exception fails the test; a refusal must say what is wrong.
    message = "parsed"
    try:
        parse_name(name=text)
    except FileNameError as error:
        message = error.message
    assert message.strip()


def test_generic_zip_name_needs_free_text():
    with pytest.raises(FileNameError, match="needs free text"):
        format_name(source="8383321", destination="8384512", file_type="ZIP")


@pytest.mark.parametrize(("name", "source", "destination"), [
    ("838HLTH_838LLLL_CHILDHEALTH.ZIP", PlaceKind.AGENCY, PlaceKind.LA_MAILBOX),
    ("838LLLL_838HLTH_SCHOOLNURSING.ZIP", PlaceKind.LA_MAILBOX, PlaceKind.AGENCY),
    ("8383321_838POLC_notes.zip", PlaceKind.SCHOOL, PlaceKind.AGENCY),
    ("838HLTH_8383321_lists.ZIP", PlaceKind.AGENCY, PlaceKind.SCHOOL),
])
def test_an_agencys_generic_zip_names_it_by_its_reference(name, source, destination):
    """Issue 16: an agency's file is a generic zip with its reference as source or destination."""
    parsed = parse_name(name=name)
    assert (parsed.source.kind, parsed.destination.kind) == (source, destination)
    assert format_name(source=parsed.source.code, destination=parsed.destination.code,
                       file_type="ZIP", free_text=parsed.free_text) == name.replace(
        ".zip", ".ZIP")


@pytest.mark.parametrize(("name", "words"), [
    ("8383321_CTF_838HLTH_001.XML", "destination '838HLTH' is not a 7-digit establishment "
     "number, XXXXXXX, MMMMMMM or an LA mailbox"),
    ("838HLTH_CTF_838LLLL_001.XML", "source '838HLTH' is not a 7-digit establishment number"),
    ("8383321_838hlth_notes.ZIP", "destination '838hlth' is not a 7-digit establishment "
     "number, XXXXXXX, MMMMMMM, an agency reference or an LA mailbox"),
])
def test_an_agency_is_no_place_for_a_ctf_and_its_reference_is_in_capitals(name, words):
    with pytest.raises(FileNameError, match=words):
        parse_name(name=name)
