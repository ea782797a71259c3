"""Benchmark CTF reading: validate-and-index throughput against bare iterparse, and peak memory.

    .venv/bin/python bench/ctf_parse.py [--mb 200] [--file BULK.XML] [--keep]

Generates a bulk CTF of about --mb MB (streamed to disk), then runs, each in a fresh
subprocess so their peak resident memory is their own:
  - bare:     lxml iterparse of the same file, clearing each element, doing nothing else;
  - validate: s2s.ctf.validate.validate_ctf, which refuses hostile XML, checks every pupil
              and keeps the index of every pupil (the whole report held in memory).
Prints MB/s, the ratio (target >= 0.5) and peak RSS (target < 150 MB). Asserts nothing.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BARE = """
import resource, sys, time
from lxml import etree
start = time.perf_counter()
count = 0
for _event, element in etree.iterparse(sys.argv[1], events=("end",)):
    element.clear()
    count += 1
seconds = time.perf_counter() - start
print({"seconds": seconds, "elements": count,
       "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
"""

VALIDATE = """
import resource, sys, time
from datetime import date
from s2s.ctf.validate import validate_ctf
start = time.perf_counter()
report = validate_ctf(source=sys.argv[1], today=date(2026, 11, 27))
seconds = time.perf_counter() - start
print({"seconds": seconds, "pupils": report.pupil_count, "indexed": len(report.pupils),
       "accepted": report.accepted, "warnings": len(report.warnings),
       "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
"""

IDLE = """
import resource
from lxml import etree
import s2s.ctf.validate
print({"rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
"""


def generate(path: Path, megabytes: int) -> tuple[int, float]:
    from s2s.ctf.synthetic import synthetic_header, synthetic_pupils
    from s2s.ctf.writer import write_ctf

    target = megabytes * 1_000_000
    today = date(2026, 11, 27)
    start = time.perf_counter()
    with path.open("wb") as handle:

        def pupils():
            for pupil in synthetic_pupils(source="8383321", count=None, seed=1, today=today,
                                          error_rate=0.02):
                if handle.tell() >= target:
                    return
                yield pupil.written

        header = synthetic_header(source="8383321", destination="838LLLL", today=today)
        count = write_ctf(header=header, pupils=pupils(), out=handle)
    return count, time.perf_counter() - start


def run(script: str, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=ROOT,
        check=True,
    )
    return eval(result.stdout.strip().splitlines()[-1])  # noqa: S307 - our own output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--file", type=Path, help="use this CTF instead of generating one")
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="ctf-bench-"))
    path = args.file or workdir / "8383321_CTF_838LLLL_001.XML"
    if args.file is None:
        pupils, seconds = generate(path, args.mb)
        print(f"generated {path.stat().st_size / 1e6:.1f} MB, {pupils} pupils "
              f"in {seconds:.1f} s ({path.stat().st_size / 1e6 / seconds:.1f} MB/s)")
    size_mb = path.stat().st_size / 1e6

    idle = run(IDLE)
    bare = run(BARE, str(path))
    mine = run(VALIDATE, str(path))
    bare_rate = size_mb / bare["seconds"]
    mine_rate = size_mb / mine["seconds"]
    print(f"bare iterparse:      {bare_rate:7.1f} MB/s  ({bare['seconds']:.1f} s, "
          f"{bare['elements']} elements), peak RSS {bare['rss_kb'] / 1024:.0f} MB")
    print(f"validate-and-index:  {mine_rate:7.1f} MB/s  ({mine['seconds']:.1f} s, "
          f"{mine['pupils']} pupils indexed, {mine['warnings']} warnings, "
          f"accepted={mine['accepted']}), peak RSS {mine['rss_kb'] / 1024:.0f} MB")
    print(f"ratio validate/bare: {mine_rate / bare_rate:.2f} (target >= 0.5)")
    print(f"peak RSS validating {size_mb:.0f} MB: {mine['rss_kb'] / 1024:.0f} MB "
          f"(target < 150 MB; an idle interpreter with lxml is {idle['rss_kb'] / 1024:.0f} MB)")
    print(json.dumps({"mb": round(size_mb, 1), "bare_mb_s": round(bare_rate, 1),
                      "validate_mb_s": round(mine_rate, 1),
                      "ratio": round(mine_rate / bare_rate, 2),
                      "peak_rss_mb": round(mine["rss_kb"] / 1024)}))
    if args.file is None and not args.keep:
        path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
