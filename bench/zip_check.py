"""Benchmark the generic-zip check: how long inflating every entry takes, and its peak memory.

    .venv/bin/python bench/zip_check.py

Each case runs `s2s.transfers.zipchecks.zip_archive_check` in a fresh subprocess, so its
peak resident memory is its own:
  - typical: a school zip of CSV-like text, under its 4 MB limit;
  - worst:   a 10 MB LA zip that honestly declares what it expands to, just under the
             limit (100 times its size, 1 GB at most): the most work the check ever does;
  - bzip2:   100 MB in bzip2, which inflates far more slowly (the time limit's case);
  - bomb:    issue 20's half-megabyte zip declaring 1,000 bytes that inflates to 512 MB.
Prints seconds of CPU, MB inflated per second and peak RSS. Asserts nothing.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUN = """
import io, json, os, random, resource, sys, time, zipfile
sys.path.insert(0, sys.argv[1])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "s2s.settings")
import django
django.setup()
from s2s.core.errors import ServiceError
from s2s.transfers.tests.hostile_zips import bomb
from s2s.transfers.zipchecks import MB, zip_archive_check

case = sys.argv[2]
if case == "bomb":
    content = bomb(declared=1_000, megabytes=512)
else:
    rows = random.Random(1)
    names = ["Jones", "Smith", "Evans"]
    line = lambda: f"{rows.randrange(10**12):013d},{rows.choice(names)},{rows.randrange(200)}\\n"
    buffer = io.BytesIO()
    method = zipfile.ZIP_BZIP2 if case == "bzip2" else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        if case == "typical":
            for n in range(8):
                archive.writestr(f"attendance{n}.csv", "".join(line() for _ in range(50_000)))
        else:
            block = "".join(line() for _ in range(200)).encode()  # fits deflate's window
            with archive.open("big.csv", "w", force_zip64=True) as entry:
                for _ in range((100 if method == zipfile.ZIP_BZIP2 else 900) * MB // len(block)):
                    entry.write(block)
            noise = os.urandom((1 if method == zipfile.ZIP_BZIP2 else 4) * MB)
            archive.writestr("noise.bin", noise, compress_type=zipfile.ZIP_STORED)
    content = buffer.getvalue()
with zipfile.ZipFile(io.BytesIO(content)) as archive:
    declared = sum(i.file_size for i in archive.infolist())
start = time.process_time()
try:
    answer = zip_archive_check(content=io.BytesIO(content), size=len(content))
except ServiceError as error:
    answer = error.code
seconds = time.process_time() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"case": case, "zip_mb": len(content) / MB, "declared_mb": declared / MB,
                  "answer": answer, "cpu_s": seconds, "peak_mb": peak}))
"""


def main() -> None:
    """Run each case in its own process and print its figures."""
    print(f"{'case':8} {'zip MB':>7} {'declared MB':>12} {'answer':>18} {'CPU s':>7} "
          f"{'MB/s':>7} {'peak RSS MB':>12}")
    for case in ("typical", "worst", "bzip2", "bomb"):
        out = subprocess.run([sys.executable, "-c", RUN, str(ROOT), case], capture_output=True,
                             text=True, check=True, cwd=ROOT).stdout
        row = json.loads(out.strip().splitlines()[-1])
        rate = row["declared_mb"] / row["cpu_s"] if row["cpu_s"] else 0
        print(f"{row['case']:8} {row['zip_mb']:7.1f} {row['declared_mb']:12.1f} "
              f"{row['answer']!s:>18} {row['cpu_s']:7.2f} {rate:7.0f} {row['peak_mb']:12.0f}")


if __name__ == "__main__":
    main()
