"""Benchmark CTF reading: validate-and-index CPU time against the tightest streaming read.

    .venv/bin/python bench/ctf_parse.py [--pupils 5000,20000] [--file BULK.XML] [--repeat 3]
                                        [--keep]

For each file (synthetic bulk CTFs of --pupils pupils, 2% of them with a realistic mistake,
written as `s2s ctf generate` writes them; or --file), runs, each in a fresh subprocess so its
peak resident memory is its own, and each --repeat times (the least CPU time is kept):
  - bare:     `for _, el in lxml.etree.iterparse(f, tag="Pupil")`: clear the pupil and delete
              its preceding siblings, doing nothing else (the tightest streaming read);
  - validate: s2s.ctf.validate.validate_ctf, what `s2s ctf validate` and an upload do: refuse
              hostile XML, read the header, run every check on every pupil and keep the index
              of every pupil (the whole report held in memory).
With --before DIR, also validates with the s2s package exported to DIR (an earlier commit), and
says whether every run of both gave the same report (a SHA-256 of its JSON: index and warnings).
Prints the CPU seconds of each, MB/s, the ratio bare/validate (target >= 0.5) and peak RSS
(target < 150 MB). Asserts nothing.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BARE = """
import resource, sys, time
from lxml import etree
start = time.process_time()
count = 0
for _event, element in etree.iterparse(sys.argv[1], events=("end",), tag="Pupil"):
    element.clear(keep_tail=True)
    while element.getprevious() is not None:
        del element.getparent()[0]
    count += 1
seconds = time.process_time() - start
print({"seconds": seconds, "pupils": count,
       "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
"""

VALIDATE = """
import hashlib, resource, sys, time
from datetime import date
from s2s.ctf.validate import validate_ctf
start = time.process_time()
report = validate_ctf(source=sys.argv[1], today=date(2026, 11, 27))
seconds = time.process_time() - start
rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # before the report's JSON is made
print({"seconds": seconds, "pupils": report.pupil_count, "indexed": len(report.pupils),
       "accepted": report.accepted, "warnings": len(report.warnings),
       "report": hashlib.sha256(report.as_json().encode()).hexdigest(), "rss_kb": rss_kb})
"""


def generate(path: Path, pupils: int) -> None:
    from s2s.ctf.synthetic import generate_ctf

    with path.open("wb") as handle:
        generate_ctf(source="8383321", destination="8384512", pupils=pupils, out=handle,
                     seed=1, error_rate=0.02, today=date(2026, 11, 27))


def run(script: str, path: Path, code: Path) -> dict:
    """Run `script` on `path` in a fresh process importing s2s from `code`."""
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, cwd=code,
        check=True,
    )
    return eval(result.stdout.strip().splitlines()[-1])  # noqa: S307 - our own output


def measure(path: Path, repeat: int, before: Path | None) -> dict:
    size_mb = path.stat().st_size / 1e6
    # Taken in turns, so that other work on the box weighs on each alike; the least CPU is kept.
    runs: dict[str, list[dict]] = {"bare": [], "mine": [], "before": []}
    for _ in range(repeat):
        runs["bare"].append(run(BARE, path, ROOT))
        runs["mine"].append(run(VALIDATE, path, ROOT))
        if before is not None:
            runs["before"].append(run(VALIDATE, path, before))
    bare, mine = (min(runs[key], key=lambda r: r["seconds"]) for key in ("bare", "mine"))
    ratio = bare["seconds"] / mine["seconds"]
    print(f"{path.name}: {size_mb:.1f} MB, {bare['pupils']} pupils (CPU seconds, best of "
          f"{repeat})")
    print(f"  bare iterparse(tag='Pupil'): {bare['seconds']:6.3f} s "
          f"{size_mb / bare['seconds']:6.1f} MB/s  peak RSS {bare['rss_kb'] / 1024:.0f} MB")
    print(f"  validate-and-index:          {mine['seconds']:6.3f} s "
          f"{size_mb / mine['seconds']:6.1f} MB/s  peak RSS {mine['rss_kb'] / 1024:.0f} MB  "
          f"({mine['indexed']} indexed, {mine['warnings']} warnings, "
          f"accepted={mine['accepted']})")
    print(f"  ratio bare/validate: {ratio:.2f} (target >= 0.5)")
    figures = {}
    if before is not None:
        old = min(runs["before"], key=lambda r: r["seconds"])
        same = {r["report"] for r in runs["mine"] + runs["before"]} == {mine["report"]}
        print(f"  before ({before}): {old['seconds']:6.3f} s, ratio "
              f"{bare['seconds'] / old['seconds']:.2f}; same report (index and warnings) as "
              f"before: {'yes' if same else 'NO'}")
        figures = {"before_s": round(old["seconds"], 3),
                   "before_ratio": round(bare["seconds"] / old["seconds"], 2),
                   "same_report": same}
    return figures | {"file": path.name, "mb": round(size_mb, 1), "pupils": bare["pupils"],
            "bare_s": round(bare["seconds"], 3), "validate_s": round(mine["seconds"], 3),
            "ratio": round(ratio, 2), "peak_rss_mb": round(mine["rss_kb"] / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", default="5000,20000",
                        help="comma-separated pupil counts of the files to generate")
    parser.add_argument("--file", type=Path, help="measure this CTF instead of generating")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="also validate with the s2s package in DIR (an export of an "
                             "earlier commit: git archive REV s2s | tar -x -C DIR)")
    args = parser.parse_args()

    if args.file is not None:
        print(json.dumps(measure(args.file, args.repeat, args.before)))
        return
    workdir = Path(tempfile.mkdtemp(prefix="ctf-bench-"))
    figures = []
    try:
        for count in (int(n) for n in args.pupils.split(",")):
            path = workdir / f"8383321_CTF_8384512_{count}.XML"
            generate(path, count)
            figures.append(measure(path, args.repeat, args.before))
    finally:
        if not args.keep:
            for path in workdir.iterdir():
                path.unlink()
            workdir.rmdir()
        else:
            print(f"kept {workdir}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
