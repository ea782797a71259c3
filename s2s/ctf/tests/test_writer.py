import pytest

from s2s.ctf.errors import FileNameError, LostPupilCountError, WriteError
from s2s.ctf.reader import read_ctf, read_header
from s2s.ctf.tests.conftest import PUPIL, TODAY, make_ctf
from s2s.ctf.validate import validate_ctf
from s2s.ctf.writer import readdress, readdress_file, split_ctf, write_split

PADDED = "<Address><BS7666Address><SAON>          Flat 2</SAON><PAON>          Rose Cottage</PAON>"


def outside_dest_school(content: bytes) -> tuple[bytes, bytes]:
    start, end = content.index(b"<DestSchool>"), content.index(b"</DestSchool>")
    return content[:start], content[end:]


def test_readdress_changes_only_the_header_destination(small_ctf):
    """Issue 3, Writing: re-address changes the header only; every other byte is kept."""
    content, _ = small_ctf
    result = readdress(content=content, destination="8381234",
                       original_name="8383321_CTF_8384512_001.XML")
    assert outside_dest_school(result.content) == outside_dest_school(content)
    header = read_header(source=result.content)
    assert (header.destination_la, header.destination_establishment) == ("838", "1234")
    assert result.name == "8383321_CTF_8381234_001.XML"


def test_readdress_keeps_space_padded_paon_and_saon(samples):
    """DESIGN.md, CTF format: PAON/SAON are space-padded on purpose: never strip them."""
    content = (samples / "y7_2_students.xml").read_bytes()
    result = readdress(content=content, destination="838LLLL", sequence=4)
    assert b"<PAON>          God's Illa</PAON>" in result.content
    assert b"<SAON>          Lizzo Farmhouse</SAON>" in result.content
    assert result.content.split(b"</Header>")[1] == content.split(b"</Header>")[1]
    assert outside_dest_school(result.content)[0] == outside_dest_school(content)[0]
    assert result.name == "8383321_CTF_838LLLL_004.XML"


def test_readdress_sets_or_drops_the_destination_urn(samples):
    content = (samples / "y7_2_students.xml").read_bytes()
    dropped = readdress(content=content, destination="8381234")
    assert read_header(source=dropped.content).destination_urn is None
    given = readdress(content=content, destination="8381234", destination_urn="113800")
    assert read_header(source=given.content).destination_urn == "113800"


def test_readdress_to_lost_pupils_needs_exactly_one_pupil(small_ctf):
    """DESIGN.md, File names: lost-pupil files hold exactly one pupil."""
    content, _ = small_ctf
    with pytest.raises(LostPupilCountError, match="holds 5"):
        readdress(content=content, destination="XXXXXXX")
    result = readdress(content=make_ctf(), destination="XXXXXXX")
    header = read_header(source=result.content)
    assert (header.destination_la, header.destination_establishment) == ("XXX", "XXXX")


def test_readdress_to_a_bad_destination_names_it(small_ctf):
    with pytest.raises(FileNameError, match="destination '83845I2' is not a 7-digit"):
        readdress(content=small_ctf[0], destination="83845I2")


def test_readdress_file_streams_the_same_bytes(tmp_path, small_ctf):
    content, _ = small_ctf
    source = tmp_path / "8383321_CTF_8384512_001.XML"
    source.write_bytes(content)
    (tmp_path / "out").mkdir()
    path = readdress_file(source=source, destination="8381234", out_dir=tmp_path / "out",
                          sequence=2)
    assert path.name == "8383321_CTF_8381234_002.XML"
    assert path.read_bytes() == readdress(content=content, destination="8381234").content


def test_split_by_allocation_places_pupils_and_reports_the_unplaced(small_ctf):
    """Issue 3, Writing: one CTF per destination; report the pupils it could not place."""
    content, generated = small_ctf
    upns = [pupil.written.upn for pupil in generated.pupils]
    allocation = {upns[0]: "8381111", upns[1]: "8382222", upns[2]: "8381111"}
    result = split_ctf(content=content, allocation=allocation,
                       original_name="8383321_CTF_838LLLL_001.XML")
    assert [(f.name, f.pupils) for f in result.files] == [
        ("8383321_CTF_8381111_001.XML", 2), ("8383321_CTF_8382222_001.XML", 1),
    ]
    assert [(u.position, u.upn) for u in result.unplaced] == [(4, upns[3]), (5, upns[4])]
    first = read_ctf(source=result.files[0].content)
    assert [p.upn for p in first.pupils] == [upns[0], upns[2]]
    for split in result.files:
        assert validate_ctf(source=split.content, file_name=split.name, today=TODAY).accepted


def test_split_to_lost_pupils_writes_one_file_per_pupil(small_ctf, tmp_path):
    content, generated = small_ctf
    allocation = {p.written.upn: "XXXXXXX" for p in generated.pupils[:2]}
    result = split_ctf(content=content, allocation=allocation)
    assert [f.name for f in result.files] == [
        "8383321_CTF_XXXXXXX_001.XML", "8383321_CTF_XXXXXXX_002.XML",
    ]
    paths = write_split(result=result, out_dir=tmp_path)
    assert [(path.name, path.read_bytes().count(b"<Pupil>")) for path in paths] == [
        ("8383321_CTF_XXXXXXX_001.XML", 1), ("8383321_CTF_XXXXXXX_002.XML", 1)]


def test_split_keeps_padded_paon_and_reports_a_pupil_without_upn():
    with_upn = PUPIL.format(upn="H801200001001", surname="A", forename="B", dob="2015-03-04",
                            sex_tag="Sex", nc_year="6", postcode="DT2 0NS", extra="")
    with_upn = with_upn.replace("<Address><BS7666Address><PAON>3</PAON>", PADDED)
    no_upn = with_upn.replace("<UPN>H801200001001</UPN>", "")
    result = split_ctf(content=make_ctf(pupils=[with_upn, no_upn]),
                       allocation={"h801200001001": "8381111"})
    assert b"<PAON>          Rose Cottage</PAON>" in result.files[0].content
    assert result.unplaced[0].reason == "the pupil has no UPN"


def test_split_refuses_an_allocation_with_a_bad_destination(small_ctf):
    with pytest.raises(WriteError, match="allocation for UPN X: destination '12' is not"):
        split_ctf(content=small_ctf[0], allocation={"X": "12"})
