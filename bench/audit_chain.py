"""Audited writes a second on PostgreSQL, before and after the audit chain's follower (issue 18).

    .venv/bin/python bench/audit_chain.py [--clients 1,8,32] [--processes 4] [--seconds 15]
                                          [--before 733fd57] [--rounds 1] [--backlog 20000]

Each side (`--before REV`'s code, and this tree's last commit) gets its own fresh PostgreSQL
database (`S2S_BENCH_DB`_before/_after, migrated by its own code) and, at each level, the same
number of clients: threads spread over `--processes` processes, each client committing
transactions that hold one audit record (`audit_record`, as every service writes it) for
`--seconds`. Before: each audited transaction locks the chain's head until it commits. After:
each is one INSERT, and a follower process runs `chain_follow` every second beside the
writers (standing in for the task the commits queue; their queued tasks are left unrun).
Sides take turns at each level (before then after, then after then before, `--rounds`
times). Prints audited commits a second, each commit's p50/p99 in ms, the writers' CPU per
commit, and the follower's rows and CPU; then the follower's cost per row on a backlog of
`--backlog` unchained rows (wall and CPU of its process, best of 3); then `s2s audit verify`
on both databases. The load average is printed at each level: other work on the box moves
every figure, so compare the two sides of one run only.
"""

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_PREFIX = os.environ.get("S2S_BENCH_DB", "s2s_audit-follower_bench")
PG = ["-h", "127.0.0.1", "-U", "postgres"]


# --- inside a worker process (PYTHONPATH is one side's code) ------------------------------

def _django():
    import django

    django.setup()


def worker_write(threads: int, seconds: float, name: str) -> None:
    """Wait for "go" on stdin, commit audited transactions from `threads` threads, print JSON."""
    _django()
    from django.db import connection, transaction

    from s2s.audit.services import audit_record

    times: list[list[float]] = [[] for _ in range(threads)]
    print("ready", flush=True)
    sys.stdin.readline()
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        try:
            k = 0
            while (started := time.monotonic()) < deadline:
                with transaction.atomic():
                    audit_record(action="sign_in", actor_username=f"{name}.{n}",
                                 summary=f"bench {k}", ip_address="127.0.0.1",
                                 detail={"client": n, "k": k})
                times[n].append(time.monotonic() - started)
                k += 1
        finally:
            connection.close()

    cpu = time.process_time()
    pool = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    print(json.dumps({"times": [t for each in times for t in each],
                      "cpu": time.process_time() - cpu}), flush=True)


def worker_follow() -> None:
    """Run the follower every second until stdin closes; print rows linked, CPU and time."""
    _django()
    from s2s.audit.chain import chain_follow

    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    print("ready", flush=True)
    rows, busy, cpu = 0, 0.0, time.process_time()
    while not stop.wait(1.0):
        started = time.monotonic()
        rows += chain_follow()
        busy += time.monotonic() - started
    rows += chain_follow()  # what the last writers left
    print(json.dumps({"rows": rows, "busy": busy, "cpu": time.process_time() - cpu}),
          flush=True)


def worker_backlog(rows: int) -> None:
    """Insert `rows` unchained rows, then time the follower linking them; print JSON."""
    _django()
    from s2s.audit.chain import chain_follow
    from s2s.audit.models import AuditEvent

    print("ready", flush=True)
    AuditEvent.objects.bulk_create(
        [AuditEvent(action="sign_in", actor_username="backlog", summary=f"backlog {k}",
                    ip_address="127.0.0.1", detail={"k": k}) for k in range(rows)],
        batch_size=2000)
    started, cpu = time.monotonic(), time.process_time()
    linked = chain_follow()
    print(json.dumps({"rows": linked, "wall": time.monotonic() - started,
                      "cpu": time.process_time() - cpu}), flush=True)


# --- the run ------------------------------------------------------------------------------

def code_snapshot(workdir: Path, rev: str, folder: str) -> tuple[Path, str]:
    """Export a committed tree to run, so edits in progress cannot change the run."""
    commit = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()
    archive = subprocess.run(["git", "archive", "--format=tar", rev, "s2s"], cwd=ROOT,
                             check=True, capture_output=True).stdout
    source = workdir / folder
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(source, filter="data")
    return source, commit


class Side:
    """One side of the comparison: its code, its database, its environment."""

    def __init__(self, label: str, source: Path, commit: str, workdir: Path):
        self.label, self.commit = label, commit
        self.database = f"{DB_PREFIX}_{label}"
        data = workdir / f"data-{label}"
        data.mkdir()
        self.env = {
            **os.environ, "PYTHONPATH": str(source), "DJANGO_SETTINGS_MODULE": "s2s.settings",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{self.database}",
            "S2S_DATA_DIR": str(data), "S2S_MODE": "local", "S2S_DEBUG": "false",
            "S2S_TASKS_BACKEND": "database", "PYTHONUNBUFFERED": "1",
        }

    def create(self) -> None:
        subprocess.run(["dropdb", *PG, "--if-exists", self.database], check=True)
        subprocess.run(["createdb", *PG, self.database], check=True)
        self.s2s("migrate", "--no-input", "-v", "0")

    def drop(self) -> None:
        subprocess.run(["dropdb", *PG, "--if-exists", self.database], check=False)

    def s2s(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "s2s", *args], env=self.env,
                              capture_output=True, text=True)
        return (done.stdout + done.stderr).strip()

    def worker(self, *args: str) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, __file__, "--worker", *args], env=self.env,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"a {self.label} worker did not start")
        return process


def _spread(clients: int, processes: int) -> list[int]:
    processes = min(processes, clients)
    return [clients // processes + (1 if n < clients % processes else 0)
            for n in range(processes)]


def level_run(side: Side, *, clients: int, processes: int, seconds: float) -> str:
    """Run `clients` audited writers (and, after, the follower) on `side`; return a line."""
    writers = [side.worker("write", str(threads), str(seconds), f"p{n}")
               for n, threads in enumerate(_spread(clients, processes))]
    follower = side.worker("follow") if side.label == "after" else None
    for process in writers:
        process.stdin.write("go\n")
        process.stdin.flush()
    results = [json.loads(process.communicate()[0].splitlines()[-1]) for process in writers]
    times = sorted(t for result in results for t in result["times"])
    line = (f"  {side.label:6} {len(times) / seconds:7.1f} audited commits/s   "
            f"p50 {1000 * statistics.median(times):6.1f} ms  "
            f"p99 {1000 * times[int(0.99 * (len(times) - 1))]:6.1f} ms   "
            f"writers' CPU {1000 * sum(r['cpu'] for r in results) / len(times):.2f} ms/commit")
    if follower is not None:
        follow = json.loads(follower.communicate("")[0].splitlines()[-1])
        line += (f"\n         follower: {follow['rows']} rows, busy {follow['busy']:.2f} s, "
                 f"CPU {1000 * follow['cpu'] / max(follow['rows'], 1):.3f} ms/row")
    return line


def backlog_cost(side: Side, rows: int) -> str:
    """Return the follower's cost per row, linking a backlog of `rows` (best of 3)."""
    runs = []
    for _ in range(3):
        process = side.worker("backlog", str(rows))
        runs.append(json.loads(process.communicate("")[0].splitlines()[-1]))
    best = min(runs, key=lambda run: run["wall"])
    walls = ", ".join(f"{run['wall']:.2f}" for run in runs)
    return (f"follower on a backlog of {best['rows']} rows (best of 3): "
            f"{1000 * best['wall'] / best['rows']:.3f} ms/row wall "
            f"({best['rows'] / best['wall']:.0f} rows/s), "
            f"{1000 * best['cpu'] / best['rows']:.3f} ms/row CPU in its process; "
            f"all 3 walls {walls} s")


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,8,32",
                        help="comma-separated levels of concurrent clients")
    parser.add_argument("--processes", type=int, default=4,
                        help="processes the clients are spread over (threads in each)")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--before", default="733fd57", metavar="REV",
                        help="the commit with the head locked per write")
    parser.add_argument("--rounds", type=int, default=1, help="turns of before/after per level")
    parser.add_argument("--backlog", type=int, default=20000,
                        help="unchained rows for the follower's cost per row (0: skip)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="s2s-audit-bench-"))
    sides = []
    try:
        for label, rev in (("before", args.before), ("after", "HEAD")):
            source, commit = code_snapshot(workdir, rev, label)
            sides.append(Side(label, source, commit, workdir))
        print(f"before: {sides[0].commit}, after: {sides[1].commit}; clients over up to "
              f"{args.processes} processes; {args.seconds:.0f} s a run; load {_load()}",
              flush=True)
        for side in sides:
            side.create()
        for clients in [int(c) for c in args.clients.split(",")]:
            print(f"{clients} clients (load {_load()}):", flush=True)
            for turn in range(args.rounds):  # before first, then after first, ...
                for side in sides if turn % 2 == 0 else sides[::-1]:
                    print(level_run(side, clients=clients, processes=args.processes,
                                    seconds=args.seconds), flush=True)
        if args.backlog:
            print(backlog_cost(sides[1], args.backlog), f"(load {_load()})", flush=True)
        for side in sides:
            print(f"s2s audit verify, {side.label}: {side.s2s('audit', 'verify')}", flush=True)
    finally:
        for side in sides:
            side.drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        kind, rest = sys.argv[2], sys.argv[3:]
        if kind == "write":
            worker_write(int(rest[0]), float(rest[1]), rest[2])
        elif kind == "follow":
            worker_follow()
        else:
            worker_backlog(int(rest[0]))
    else:
        main()
