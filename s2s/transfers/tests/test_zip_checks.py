import io
import zipfile

import pytest

from s2s.core.errors import ServiceError
from s2s.transfers.models import Transfer
from s2s.transfers.tests.ctfs import zip_of

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
