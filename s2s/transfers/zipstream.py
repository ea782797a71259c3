"""A zip written on the fly: entries are compressed chunk by chunk and yielded as they go.

`zipfile` writes to any object with `write()`; one that cannot `tell()` or `seek()` makes it
use data descriptors, so the archive never needs to be held or rewound (issue 4: "streamed
rather than built in memory").
"""

import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime


class _Sink:
    """A write-only file whose bytes are taken away by the generator after each write."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        if data:
            self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def zip_stream(
    *, entries: Iterable[tuple[str, datetime, Iterable[bytes]]]
) -> Iterator[bytes]:
    """Yield a zip archive of (name, modified, chunks) entries, a piece at a time.

    Each entry's chunks are read only when the archive reaches it. Names are unique'd by
    the caller.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, modified, chunks in entries:
            info = zipfile.ZipInfo(name, date_time=modified.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, mode="w", force_zip64=True) as entry:
                for chunk in chunks:
                    entry.write(chunk)
                    if data := sink.take():
                        yield data
            if data := sink.take():
                yield data
    if data := sink.take():
        yield data
