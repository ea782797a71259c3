"""Checks on an uploaded generic zip, read from its central directory without extracting it.

Seed 003, 5.5: at most 10 MB from an LA and 4 MB from a school. Issue 4: a valid archive, no
absolute or `..` paths, and a sane expansion ratio, so a "zip bomb" never reaches a receiver.
"""

import zipfile
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO

from django.utils.translation import gettext as _

from s2s.core.errors import ServiceError

MB = 1024 * 1024
LA_LIMIT = 10 * MB
SCHOOL_LIMIT = 4 * MB
# The most the entries may expand to: this many times the zip's size, and never past 1 GB.
MAX_RATIO = 100
MAX_EXPANDED = 1024 * MB
MAX_ENTRIES = 10_000


def zip_size_limit(*, from_la: bool) -> int:
    """Return the largest generic zip this kind of sender may upload, in bytes."""
    return LA_LIMIT if from_la else SCHOOL_LIMIT


def zip_size_check(*, size: int, from_la: bool) -> None:
    """Refuse a generic zip over the sender's size limit, naming the limit."""
    limit = zip_size_limit(from_la=from_la)
    if size > limit:
        if from_la:
            message = _("The zip file is larger than %(limit)s MB, the most a local authority "
                        "may send. Split it into smaller zip files.")
        else:
            message = _("The zip file is larger than %(limit)s MB, the most a school may send. "
                        "Split it into smaller zip files.")
        raise ServiceError(message % {"limit": limit // MB}, code="zip_too_large", field="file")


def _refuse(message: str, code: str) -> ServiceError:
    return ServiceError(message, code=code, field="file")


def _unsafe_path(name: str) -> bool:
    if name.startswith(("/", "\\")) or PureWindowsPath(name).drive:
        return True
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return ".." in parts


def zip_archive_check(*, content: IO[bytes], size: int) -> int:
    """Refuse an archive that is not a zip, has unsafe paths or expands too far.

    `content` must be seekable; nothing is extracted. Return the number of entries.
    """
    try:
        with zipfile.ZipFile(content) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(_("The file is not a valid zip archive: zip it again and upload it."),
                      "zip_invalid") from None
    if not entries:
        raise _refuse(_("The zip archive is empty."), "zip_empty")
    if len(entries) > MAX_ENTRIES:
        raise _refuse(_("The zip archive holds more than %(count)s files.")
                      % {"count": MAX_ENTRIES}, "zip_too_many")
    for entry in entries:
        if _unsafe_path(entry.filename):
            raise _refuse(
                _("The zip archive holds “%(name)s”, whose path is absolute or climbs out "
                  "with “..”: zip the files with relative paths.") % {"name": entry.filename},
                "zip_unsafe_path",
            )
    expanded = sum(entry.file_size for entry in entries)
    if expanded > MAX_EXPANDED or expanded > MAX_RATIO * max(size, 1):
        raise _refuse(
            _("The zip archive would expand to %(expanded)s MB, more than %(ratio)s times "
              "its size or 1 GB: the hub does not carry archives like that.")
            % {"expanded": expanded // MB, "ratio": MAX_RATIO},
            "zip_ratio",
        )
    return len(entries)
