"""Small CTFs and zips for the transfer tests, written with the CTF library."""

import io
import zipfile
from datetime import date

from s2s.ctf.synthetic import synthetic_header, synthetic_pupils
from s2s.ctf.writer import ctf_bytes

TODAY = date(2025, 11, 3)


def ctf(source: str, destination: str, pupils: int = 2, seed: int = 1) -> bytes:
    """Return a valid CTF from source to destination holding this many synthetic pupils."""
    header = synthetic_header(source=source, destination=destination, today=date.today())
    written = [p.written for p in synthetic_pupils(source=source, count=pupils, seed=seed)]
    return ctf_bytes(header=header, pupils=written)


def ctf_upns(content: bytes) -> list[str]:
    from s2s.ctf.reader import read_ctf

    return [p.upn for p in read_ctf(source=content).pupils if p.upn]


def zip_of(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
