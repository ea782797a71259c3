"""A census morning on one box: schools uploading while LA users download and search.

    .venv/bin/python bench/peak.py [--levels 8,16,32] [--seconds 20] [--soak MINUTES]
                                   [--servers sync:5] [--no-ceiling]

Builds bench/upload.py's world (its database, `s2s_bench` or $S2S_BENCH_DB; seven schools
8385101-8385107 with their users' tokens) plus an LA census officer and an LA lost-pupil officer
of LA 838. Each client, in a closed loop, does what a census morning holds, one request in ten
each: a school's 2 MB census return (PLAS, to 838PLAS), six CTFs (50 KB, the 42 pairs of
schools in turn), an LA officer's inbox list and one download of a census return, and a Lost
Pupil Database search. For each client level it prints uploads/s, the requests' p50/p99, errors
(anything but 2xx and the shedder's 503), 503s shed, and the workers' memory (sum of VmRSS,
sampled every 0.5 s); with the nginx ceiling (WebDAV PUT of the same 50 KB files, the same
clients) when nginx is there. The fastest level without errors (one with p99 under 2 s first)
is the rate the box holds.

--soak MINUTES then runs that many minutes at 80% of that rate (each client paced), and
prints errors, p99 and the memory's slope (MB per minute, least squares over the samples).
Asserts nothing; stops everything and drops the database on the way out.
"""

import argparse
import http.client
import json
import random
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import upload  # noqa: E402  (bench/upload.py: the world, the servers, nginx)

LA_SETUP = """
import json
import django
django.setup()
from s2s.accounts.models import User
from s2s.accounts.roles import Role
from s2s.accounts.services import api_token_create
from s2s.directory.models import LocalAuthority

la = LocalAuthority.objects.get(number="838")
tokens = {}
for name, role in (("838census", Role.LA_CENSUS), ("838lpd", Role.LA_LOST_PUPIL)):
    user = User.objects.create_user(username=name, password=None, role=role, la=la,
                                    email=f"{name}@dorset.example.gov.uk",
                                    must_change_password=False)
    tokens[name] = api_token_create(by=None, user=user)
print(json.dumps(tokens))
"""
CENSUS_BYTES = 2_000_000
# The best level is the fastest without errors, preferring one whose p99 is under this.
P99_HELD_MS = 2000
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas"]


def census_file(serial: int) -> bytes:
    """Return a ~2 MB census return, unique by its serial: safe, well-formed UTF-8 XML."""
    row = b"<Pupil><UPN>A%012d</UPN><Surname>Census</Surname><Year>07</Year></Pupil>\n"
    rows = b"".join(row % (serial * 100_000 + i) for i in range(CENSUS_BYTES // len(row)))
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<SchoolCensus><Serial>%d</Serial>\n'
            % serial + rows + b"</SchoolCensus>\n")


@dataclass
class Tally:
    latencies: dict = field(default_factory=dict)  # kind -> seconds
    errors: int = 0
    shed: int = 0
    uploads: int = 0
    samples: list = field(default_factory=list)

    def add(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)


def multipart(name: str, content: bytes) -> tuple[bytes, str]:
    boundary = upload.BOUNDARY
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/xml\r\n\r\n").encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"


class Client:
    """One person after another on one keep-alive connection, a census morning's mix."""

    KINDS = ["census", "ctf", "ctf", "ctf", "ctf", "ctf", "ctf", "list", "download", "search"]

    def __init__(self, port: int, world: dict, slot: int, tally: Tally):
        self.port, self.world, self.slot, self.tally = port, world, slot, tally
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.random = random.Random(slot)

    def send(self, method: str, path: str, token: str, body: bytes | None = None,
             kind_header: str | None = None) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {token}"}
        if kind_header:
            headers["Content-Type"] = kind_header
        while True:
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as error:
                self.conn.close()
                return 0, repr(error).encode()
            if response.status == 503 and response.getheader("Retry-After"):
                self.tally.shed += 1
                self.conn.close()
                time.sleep(float(response.getheader("Retry-After")))
                continue
            return response.status, answer

    def one(self, serial: int) -> None:
        kind = self.KINDS[(serial + 3 * self.slot) % len(self.KINDS)]  # clients out of step
        world = self.world
        start = time.perf_counter()
        if kind == "census":
            school = upload.MIX[serial % len(upload.MIX)]
            body, header = multipart(f"{school}_PLAS_838PLAS_{serial % 1000:03d}.XML",
                                     census_file(serial))
            status, answer = self.send("POST", "/api/v1/files", world["mix"][school], body,
                                       header)
        elif kind == "ctf":
            sender, destination, token, files = world["pairs"][serial % len(world["pairs"])]
            content = upload.stamp(files[serial % len(files)], serial)
            body, header = multipart(f"{sender}_CTF_{destination}_{serial % 1000:03d}.XML",
                                     content)
            status, answer = self.send("POST", "/api/v1/files", token, body, header)
        elif kind == "list":
            status, answer = self.send("GET", "/api/v1/files?box=inbox",
                                       world["la"]["838census"])
        elif kind == "download":
            status, answer = self.send("GET", "/api/v1/files?box=inbox",
                                       world["la"]["838census"])
            items = json.loads(answer).get("items", []) if status == 200 else []
            if items:
                pick = self.random.choice(items)["id"]
                status, answer = self.send("GET", f"/api/v1/files/{pick}/content",
                                           world["la"]["838census"])
        else:
            status, answer = self.send(
                "GET", f"/api/v1/lost-pupils?surname={self.random.choice(SURNAMES)}",
                world["la"]["838lpd"])
        seconds = time.perf_counter() - start
        if 200 <= status < 300:
            self.tally.add(kind, seconds)
            self.tally.uploads += kind in ("census", "ctf")
        else:
            self.tally.errors += 1
            if len(self.tally.samples) < 3:
                self.tally.samples.append(f"{kind} {status}: {answer[:200]!r}")


class Memory(threading.Thread):
    """Sample the sum of the workers' VmRSS every half second: (seconds, MB) pairs."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server, self.points, self.stopping = server, [], threading.Event()
        self.start_time = time.monotonic()

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            total = sum(upload.rss_kb(pid) for pid in self.server.workers())
            self.points.append((time.monotonic() - self.start_time, total / 1024))

    def slope(self) -> float:
        """Return MB per minute, least squares."""
        if len(self.points) < 2:
            return float("nan")
        xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        var = sum((x - mx) ** 2 for x in xs) or 1
        return 60 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var


def drive(server, world: dict, clients: int, seconds: float, base: int,
          pace: float | None = None) -> tuple[Tally, float, Memory]:
    """Run `clients` threads for `seconds`; with `pace`, each waits to send 1 per pace s."""
    tally, memory = Tally(), Memory(server)
    memory.start()
    deadline = time.monotonic() + seconds

    def loop(slot: int) -> None:
        client = Client(server.port, world, slot, tally)
        serial = base + slot * 1_000_000
        while time.monotonic() < deadline:
            started = time.monotonic()
            client.one(serial)
            serial += 1
            if pace:
                time.sleep(max(0.0, pace - (time.monotonic() - started)))

    threads = [threading.Thread(target=loop, args=(slot,)) for slot in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    memory.stopping.set()
    memory.join()
    return tally, elapsed, memory


def p(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered \
        else float("nan")


def report(label: str, clients: int, tally: Tally, elapsed: float, memory: Memory) -> dict:
    every = [s for values in tally.latencies.values() for s in values]
    peak = max((mb for _, mb in memory.points), default=float("nan"))
    row = {"run": label, "clients": clients, "uploads_per_s": round(tally.uploads / elapsed, 1),
           "requests_per_s": round(len(every) / elapsed, 1), "p50_ms": round(p(every, .5)),
           "p99_ms": round(p(every, .99)), "errors": tally.errors, "shed_503": tally.shed,
           "workers_peak_mb": round(peak), "memory_slope_mb_per_min": round(memory.slope(), 2),
           "p99_by_kind_ms": {k: round(p(v, .99)) for k, v in tally.latencies.items()}}
    print(f"  {label:<8} {clients:>7} {row['uploads_per_s']:>9} {row['requests_per_s']:>10} "
          f"{row['p50_ms']:>7} {row['p99_ms']:>7} {tally.errors:>6} {tally.shed:>6} "
          f"{row['workers_peak_mb']:>8} {row['memory_slope_mb_per_min']:>9}  "
          f"{row['p99_by_kind_ms']}", flush=True)
    for sample in tally.samples:
        print(f"      error: {sample}")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="8,16,32")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--soak", type=float, default=0, metavar="MINUTES")
    parser.add_argument("--servers", default=f"sync:{2 * upload.CORES + 1}")
    parser.add_argument("--no-ceiling", action="store_true")
    parser.add_argument("--worktree", action="store_true")
    args = parser.parse_args()
    # bench/upload.py's own preparation, with the mixed schools.
    up = argparse.Namespace(worktree=args.worktree, keep=False, no_service=False, mix=True,
                            levels=[int(n) for n in args.levels.split(",")],
                            seconds=args.seconds, max_uploads=10**9)
    with ExitStack() as stack:
        run = upload.prepare(up, stack)
        import subprocess

        result = subprocess.run([sys.executable, "-c", LA_SETUP], env=run.env,
                                cwd=run.env["S2S_BENCH_SOURCE"], check=True,
                                capture_output=True, text=True)
        tokens = json.loads(result.stdout.strip().splitlines()[-1])
        world = {"pairs": run.pairs, "la": tokens,
                 "mix": {sender: token for sender, _d, token, _f in run.pairs}}
        print(f"  {'run':<8} {'clients':>7} {'uploads/s':>9} {'requests/s':>10} {'p50 ms':>7} "
              f"{'p99 ms':>7} {'errors':>6} {'shed':>6} {'RSS MB':>8} {'MB/min':>9}  p99 by kind")
        rows, base = [], 0
        if not args.no_ceiling and (binary := upload.nginx_binary()):
            nginx = upload.nginx_start(binary, run.workdir)
            try:
                for clients in up.levels:
                    level = upload.load(upload.Target("dav", nginx.port, upload.RECEIVER),
                                        run.pool, clients=clients, seconds=min(10, args.seconds),
                                        total=10**9, serial_base=run.next_base(),
                                        label="nginx", server=nginx)
                    print(f"  nginx    {clients:>7} {level.rate:>9.1f} (WebDAV PUT of the 50 KB "
                          f"files: the ceiling)", flush=True)
            finally:
                nginx.stop()
        server = upload.gunicorn_start(args.servers.split(",")[0], run.env, run.workdir)
        stack.callback(server.stop)
        drive(server, world, 5, 10, base=10**14)  # warm-up (and files for the LA to list)
        best = None
        for clients in up.levels:
            base += 10**9
            tally, elapsed, memory = drive(server, world, clients, args.seconds, base)
            row = report("peak", clients, tally, elapsed, memory)
            rows.append(row)
            if tally.errors == 0:
                held = row["p99_ms"] < P99_HELD_MS
                if best is None or (held, row["requests_per_s"]) > (
                        best["p99_ms"] < P99_HELD_MS, best["requests_per_s"]):
                    best = row
        if best:
            print(f"\nThe box holds {best['uploads_per_s']} uploads/s "
                  f"({best['requests_per_s']} requests/s) at {best['clients']} clients, p99 "
                  f"{best['p99_ms']} ms ({'within' if best['p99_ms'] < P99_HELD_MS else 'over'}"
                  f" {P99_HELD_MS} ms).")
        if args.soak and best:
            clients = best["clients"]
            pace = clients / (0.8 * best["requests_per_s"])
            print(f"Soak: {args.soak:g} min at 80% of it ({clients} clients, one request per "
                  f"{pace:.2f} s each)", flush=True)
            tally, elapsed, memory = drive(server, world, clients, args.soak * 60, 10**15,
                                           pace=pace)
            rows.append(report("soak", clients, tally, elapsed, memory))
        print(json.dumps(rows))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: server stopped, database and temp directory removed")
