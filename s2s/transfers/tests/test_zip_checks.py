"""Generic zips through the upload service: size, paths and expansion (issue 4), and the
attacks of issue 20: sizes that lie, links, devices, duplicates, random structures.
"""

import io
import random
import stat
import zipfile
import zlib
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from s2s.core.errors import ServiceError
from s2s.transfers.models import Transfer
from s2s.transfers.tests.ctfs import zip_of
from s2s.transfers.tests.hostile_zips import (
    BZIP2,
    DEFLATED,
    LZMA,
    MB,
    MSDOS,
    STORED,
    UNIX,
    Entry,
    asi_unix_extra,
    bomb,
    deflated,
    deflated_entry,
    forged_zip,
    unix_link,
)
from s2s.transfers.zipchecks import zip_archive_check
from s2s.transfers.zipstream import zip_stream

NAME = "8383321_8384512_Attendance.ZIP"


def _refusal(upload, user, content, name=NAME):
    with pytest.raises(ServiceError) as refused:
        upload(user, name, content)
    assert not Transfer.objects.exists()
    return refused.value


def test_a_valid_zip_is_accepted(upload, sending_school_user, receiving_school):
    result = upload(sending_school_user, NAME, zip_of({"a/attendance.csv": b"upn,days\n"}))
    assert result.transfer.is_generic
    assert result.transfer.file_type == "ZIP"


def test_a_zip_over_4_mb_from_a_school_is_refused_with_the_limit(upload, sending_school_user,
                                                                receiving_school):
    big = zip_of({"big.bin": bytes(range(256)) * (17 * 1024)}, zipfile.ZIP_STORED)
    error = _refusal(upload, sending_school_user, big)
    assert error.code == "zip_too_large"
    assert "larger than 4 MB, the most a school may send" in error.message


def test_an_la_may_send_a_zip_over_4_mb_but_not_over_10(upload, la_officer, receiving_school):
    five = zip_of({"five.bin": bytes(range(256)) * (20 * 1024)}, zipfile.ZIP_STORED)
    assert upload(la_officer, "838LLLL_8384512_Census.ZIP", five).transfer.size > 4 << 20
    eleven = zip_of({"eleven.bin": bytes(range(256)) * (44 * 1024)}, zipfile.ZIP_STORED)
    with pytest.raises(ServiceError, match="larger than 10 MB, the most a local authority"):
        upload(la_officer, "838LLLL_8384512_Census2.ZIP", eleven)


def test_a_file_that_is_not_a_zip_is_refused(upload, sending_school_user, receiving_school):
    error = _refusal(upload, sending_school_user, b"this is not a zip archive at all")
    assert error.code == "zip_invalid"


def test_a_path_climbing_out_is_refused(upload, sending_school_user, receiving_school):
    error = _refusal(upload, sending_school_user, zip_of({"../../etc/cron.d/x": b"boom"}))
    assert error.code == "zip_unsafe_path"
    assert "../../etc/cron.d/x" in error.message


def test_an_absolute_path_is_refused(upload, sending_school_user, receiving_school):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("/etc/passwd"), b"root")
    error = _refusal(upload, sending_school_user, buffer.getvalue())
    assert error.code == "zip_unsafe_path"


def test_a_windows_drive_path_is_refused(upload, sending_school_user, receiving_school):
    error = _refusal(upload, sending_school_user, zip_of({"C:\\Windows\\x.dll": b"x"}))
    assert error.code == "zip_unsafe_path"


def test_a_zip_bomb_is_refused_by_its_expansion_ratio(upload, sending_school_user,
                                                     receiving_school):
    bomb = zip_of({"zeros.bin": bytes(50 << 20)})  # 50 MB of zeros deflates to ~50 KB
    assert len(bomb) < 200_000
    error = _refusal(upload, sending_school_user, bomb)
    assert error.code == "zip_ratio"
    assert "more than 100 times its size" in error.message


# --- issue 20, item 2: the declared sizes are claims, not facts --------------------------


def test_a_bomb_whose_headers_declare_1000_bytes_is_refused_when_it_inflates_past_them(
    upload, sending_school_user, receiving_school
):
    """Half a megabyte declaring 1,000 bytes that inflates to 512 MB was accepted."""
    content = bomb(declared=1_000, megabytes=512)
    assert len(content) < MB
    error = _refusal(upload, sending_school_user, content)
    assert error.code == "zip_size_mismatch"
    assert error.message.startswith(
        "The zip entry “report.csv” expands to more than the 1000 bytes its header declares")


def test_an_entry_holding_less_than_its_header_declares_is_refused(upload, sending_school_user,
                                                                 receiving_school):
    content = forged_zip([deflated_entry("report.csv", b"upn,days\n", file_size=900)])
    error = _refusal(upload, sending_school_user, content)
    assert error.code == "zip_size_mismatch"
    assert "holds 9 bytes but its header declares 900" in error.message


def test_a_stored_entry_whose_declared_size_is_a_lie_is_refused(upload, sending_school_user,
                                                               receiving_school):
    content = forged_zip([Entry("a.csv", b"x" * 5_000, file_size=10,
                                crc=zlib.crc32(b"x" * 10))])
    assert _refusal(upload, sending_school_user, content).code == "zip_size_mismatch"


def test_an_entry_whose_contents_do_not_match_its_checksum_is_refused(upload,
                                                                     sending_school_user,
                                                                     receiving_school):
    content = forged_zip([deflated_entry("report.csv", b"upn,days\n", crc=12345)])
    error = _refusal(upload, sending_school_user, content)
    assert error.code == "zip_damaged"
    assert "its contents do not match its checksum" in error.message


@pytest.mark.parametrize(
    "data", [deflated(b"upn,days\n" * 100)[:-4], deflated(b"upn,days\n") + b"more bytes"],
    ids=["cut-short", "runs-on"],
)
def test_compressed_data_cut_short_or_running_on_is_refused(upload, sending_school_user,
                                                           receiving_school, data):
    plain = b"upn,days\n" * 100 if len(data) < 30 else b"upn,days\n"
    content = forged_zip([Entry("report.csv", data, DEFLATED, file_size=len(plain),
                                crc=zlib.crc32(plain))])
    error = _refusal(upload, sending_school_user, content)
    assert error.code in {"zip_damaged", "zip_size_mismatch"}


def test_a_local_header_naming_another_file_is_refused(upload, sending_school_user,
                                                       receiving_school):
    content = forged_zip([Entry("report.csv", b"x", local_name="../../etc/passwd")])
    error = _refusal(upload, sending_school_user, content)
    assert error.code == "zip_damaged"
    assert "local header does not match" in error.message


def test_entries_sharing_their_data_are_refused(upload, sending_school_user, receiving_school):
    """Overlapping entries are how a small zip declares honest sizes and still expands far."""
    inner = forged_zip([Entry("inner.csv", b"x" * 100)])
    inner_local = inner[:inner.index(b"PK\x01\x02")]
    content = forged_zip([Entry("outer.csv", inner_local),
                          Entry("inner.csv", b"x" * 100, header_offset=30 + len("outer.csv"))])
    assert _refusal(upload, sending_school_user, content).code == "zip_damaged"


def test_a_zip_too_slow_to_check_is_refused():
    content = zip_of({"a.csv": b"upn,days\n" * 1000})
    with pytest.raises(ServiceError) as refused:
        zip_archive_check(content=io.BytesIO(content), size=len(content), seconds=-1)
    assert refused.value.code == "zip_too_slow"


def test_a_bzip2_entry_is_inflated_and_accepted(upload, sending_school_user, receiving_school):
    content = zip_of({"a.csv": b"upn,days\n" * 1000}, zipfile.ZIP_BZIP2)
    assert upload(sending_school_user, NAME, content).transfer.size == len(content)


@pytest.mark.parametrize(("method", "flags", "code"),
                         [(LZMA, 0, "zip_method"), (STORED, 0x1, "zip_encrypted"),
                          (STORED, 0x41, "zip_encrypted")],
                         ids=["lzma", "password", "strong-encryption"])
def test_an_entry_the_hub_cannot_inflate_is_refused(upload, sending_school_user,
                                                   receiving_school, method, flags, code):
    content = forged_zip([Entry("a.csv", b"xxxx", method, flags=flags)])
    assert _refusal(upload, sending_school_user, content).code == code


# --- issue 20, item 3: links, devices and duplicates -------------------------------------


def test_a_symbolic_link_to_an_absolute_path_with_a_file_written_through_it_is_refused(
    upload, sending_school_user, receiving_school
):
    content = forged_zip([unix_link(name="link", target="/etc/cron.d"),
                          Entry("link/evil", b"* * * * * root rm -rf /\n")])
    error = _refusal(upload, sending_school_user, content)
    assert error.code == "zip_link"
    assert error.message == ("The zip archive holds “link”, a link to another file: zip the "
                             "files themselves, not links to them.")


@pytest.mark.parametrize(
    "entry",
    [Entry("link", b"/etc/passwd", mode=stat.S_IFLNK | 0o777, create_system=MSDOS),
     Entry("link", b"x", mode=0, extra=asi_unix_extra(mode=stat.S_IFREG | 0o644,
                                                        link_target=b"/etc/passwd")),
     Entry("link", b"x", mode=0, extra=asi_unix_extra(mode=stat.S_IFLNK | 0o777)),
     Entry("link", b"C:\\Windows", mode=0, create_system=MSDOS, dos_attributes=0x400)],
    ids=["mode-bits-on-any-system", "asi-extra-target", "asi-extra-mode", "ntfs-reparse-point"],
)
def test_links_of_every_kind_are_refused(upload, sending_school_user, receiving_school, entry):
    assert _refusal(upload, sending_school_user, forged_zip([entry])).code == "zip_link"


@pytest.mark.parametrize(
    "entry",
    [Entry("tty", b"", mode=stat.S_IFCHR | 0o666), Entry("disk", b"", mode=stat.S_IFBLK | 0o660),
     Entry("pipe", b"", mode=stat.S_IFIFO | 0o644), Entry("sock", b"", mode=stat.S_IFSOCK),
     Entry("con", b"", mode=0, create_system=MSDOS, dos_attributes=0x40),
     Entry("tty", b"", mode=0, extra=asi_unix_extra(mode=stat.S_IFCHR | 0o666))],
    ids=["character-device", "block-device", "fifo", "socket", "dos-device", "asi-device"],
)
def test_devices_and_other_special_files_are_refused(upload, sending_school_user,
                                                     receiving_school, entry):
    error = _refusal(upload, sending_school_user, forged_zip([entry]))
    assert error.code == "zip_special_file"


@pytest.mark.parametrize(
    "names",
    [("report.csv", "report.csv"), ("Report.CSV", "report.csv"), ("a\\b.csv", "a/b.csv"),
     ("a/./b.csv", "a/b.csv"), ("caf\u00e9.csv", "cafe\u0301.csv")],
    ids=["same", "capitals", "backslash", "dot-segment", "accents-composed-or-not"],
)
def test_duplicate_entry_names_are_refused(upload, sending_school_user, receiving_school,
                                           names):
    content = forged_zip([Entry(names[0], b"one"), Entry(names[1], b"two")])
    error = _refusal(upload, sending_school_user, content)
    assert error.code == "zip_duplicate"
    assert names[1] in error.message


@pytest.mark.parametrize("name", ["safe.txt\x00/../../x", "a\nb.csv"], ids=["nul", "newline"])
def test_a_name_hiding_characters_is_refused(upload, sending_school_user, receiving_school,
                                             name):
    error = _refusal(upload, sending_school_user, forged_zip([Entry(name, b"x")]))
    assert error.code == "zip_unsafe_path"
    assert "has a control character in it" in error.message


def test_a_zip_with_folders_and_ordinary_files_of_every_method_is_accepted(
    upload, sending_school_user, receiving_school
):
    content = forged_zip([
        Entry("reports/", b"", mode=stat.S_IFDIR | 0o755),
        Entry("reports/a.csv", b"upn,days\n"),
        deflated_entry("reports/b.csv", b"upn,days\n" * 500),
        Entry("c.txt", b"dos file", mode=0, create_system=MSDOS, dos_attributes=0x20),
    ])
    assert upload(sending_school_user, NAME, content).transfer.is_generic


def test_a_zip_written_as_a_stream_with_data_descriptors_is_accepted(upload, sending_school_user,
                                                                   receiving_school):
    """Sizes after the data (macOS, Java, our own downloads): the directory's are checked."""
    entries = [("a.csv", datetime(2026, 1, 5, 9, 30), [b"upn,days\n", b"H801200001001,5\n"]),
               ("b/c.bin", datetime(2026, 1, 5, 9, 31), [random.Random(1).randbytes(70_000)])]
    content = b"".join(zip_stream(entries=entries))
    assert zipfile.ZipFile(io.BytesIO(content)).infolist()[0].flag_bits & 0x8
    assert upload(sending_school_user, NAME, content).transfer.size == len(content)


# --- whatever is thrown at it, the check answers with a refusal or a count ----------------


def _answer(content: bytes) -> int | str:
    """Return the number of entries, or the code of a refusal that gave a reason."""
    try:
        return zip_archive_check(content=io.BytesIO(content), size=len(content))
    except ServiceError as error:
        refusal = error
    assert refusal.message
    return refusal.code


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3_000))
def test_random_bytes_get_a_refusal_with_a_reason(content):
    assert _answer(content) == "zip_invalid" or _answer(b"PK" + content)


ENTRIES = st.builds(
    Entry,
    name=st.text(min_size=1, max_size=12),
    data=st.binary(max_size=200),
    method=st.sampled_from([STORED, DEFLATED, BZIP2, LZMA, 99]),
    file_size=st.none() | st.integers(0, 1 << 32 - 1),
    crc=st.none() | st.integers(0, (1 << 32) - 1),
    mode=st.integers(0, 0xFFFF),
    dos_attributes=st.integers(0, 0xFFFF),
    create_system=st.sampled_from([UNIX, MSDOS, 11]),
    flags=st.integers(0, 0xFFFF),
    extra=st.binary(max_size=20) | st.builds(asi_unix_extra, mode=st.integers(0, 0xFFFF)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ENTRIES, min_size=1, max_size=4), st.data())
def test_random_zip_structures_get_a_refusal_with_a_reason_or_a_count(entries, data):
    content = forged_zip(entries)
    if data.draw(st.booleans()):  # and sometimes a few bytes overwritten anywhere
        content = bytearray(content)
        for _ in range(data.draw(st.integers(1, 4))):
            content[data.draw(st.integers(0, len(content) - 1))] = data.draw(st.integers(0, 255))
        content = bytes(content)
    answer = _answer(content)
    assert answer == len(entries) or isinstance(answer, str)


ORDINARY_NAMES = st.from_regex(r"[A-Za-z0-9_-]{1,8}(/[A-Za-z0-9_. -]{1,8}){0,2}", fullmatch=True)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(ORDINARY_NAMES, st.binary(max_size=500), min_size=1, max_size=5),
       st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2]))
def test_any_honest_zip_of_ordinary_files_is_accepted(files, method):
    if len({name.casefold() for name in files}) != len(files) or any(
            name.endswith((".", " ")) or "/." in name for name in files):
        return  # names that differ only in capitals are one file on Windows: refused
    assert _answer(zip_of(files, method)) == len(files)
