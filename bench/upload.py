"""Benchmark uploads through the API under gunicorn on PostgreSQL, against nginx as the ceiling.

    .venv/bin/python bench/upload.py [--quick] [--levels 1,8,32] [--seconds 10]
                                     [--max-uploads 20000] [--servers sync:5,gthread:3x4]
                                     [--zip-files 500] [--keep]

Builds its own world: a fresh PostgreSQL database `s2s_bench` (or $S2S_BENCH_DB; 127.0.0.1:5432,
user postgres), migrated, with LA 838, a sending school 8383321 and its MIS connector's API
token, receiving schools 8384512 (the load) and 8384513 (the zip), and a data directory in a
temp dir. Every upload is a distinct ~50 KB synthetic CTF (a pool of seeded files, each upload
stamped with its own serial in the header's SupplierID, since an identical file to the same
destination is refused as a duplicate), named 8383321_CTF_<destination>_NNN.XML.

For each client level (1, 8, 32) it runs the same client (keep-alive `http.client`
connections, threads spread over a few processes so the client stays cheap on a small box):
  - the ceiling: the same bytes PUT to nginx with WebDAV, started here on a free port with a
    temp config and root (installed with apt-get when missing and running as root);
  - s2s: POST /api/v1/files under gunicorn, once per worker set-up in --servers
    (`sync:N` is N sync workers, `gthread:NxT` is N workers of T threads each).
Then it uploads --zip-files files to one school, restarts gunicorn (so high-water marks are
fresh), signs in as that school on the pages and downloads them all as one zip through the
inbox's multi-select download, sampling each worker's VmRSS every 50 ms.

With --mix, each level is also run as real traffic comes: seven more schools (8385101-8385107)
whose users (each with their own token) send to each other, all 42 pairs, each request the next
pair, each pair its own seeded CTFs. A 503 (the load shedder, s2s/core/shedding.py) is counted
as shed, not as an error: the client waits its Retry-After and sends the same file again, as a
well-behaved client does; every 201's file is then looked for in the database (lost: accepted
but not there).

Prints uploads/s, p50 and p99 latency and errors per level, the zip download's peak worker
memory, and the targets (>= 200 uploads/s at 32 clients, p99 < 500 ms, no errors; zip peak
< 100 MB). Asserts nothing. Stops gunicorn and nginx and drops the database (unless --keep)
on the way out, Ctrl-C included.
"""

import argparse
import http.client
import http.cookiejar
import io
import json
import multiprocessing
import os
import pwd
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
# S2S_BENCH_DB names the database, so two people benchmarking on one box do not collide.
DB_NAME = os.environ.get("S2S_BENCH_DB", "s2s_bench")
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
SENDER, RECEIVER, ZIP_RECEIVER = "8383321", "8384512", "8384513"
MIX = [f"83851{n:02d}" for n in range(1, 8)]  # seven schools sending to each other
MIX_POOL = 6  # seeded CTFs per pair (42 pairs)
PASSWORD = "bench-password-not-secret-4512"
FILE_BYTES = 50_000
POOL = 64
SUPPLIER = b"<SupplierID>s2s synthetic</SupplierID>"
BOUNDARY = "s2s-bench-boundary-7d41c2"
CORES = os.cpu_count() or 1

TARGET_RATE, TARGET_P99_MS, TARGET_ZIP_MB = 200, 500, 100

SETUP = """
MIX = [f"83851{n:02d}" for n in range(1, 8)]  # as MIX below
import json
import django
django.setup()
from s2s.accounts.models import User
from s2s.accounts.roles import Role
from s2s.accounts.services import api_token_create
from s2s.directory.models import Establishment, LocalAuthority, Nation

la = LocalAuthority.objects.create(number="838", name="Dorset", nation=Nation.ENGLAND,
                                   email="s2s@dorset.example.gov.uk")
schools = {}
for number, name in (("3321", "Stickland's CE VA Primary"), ("4512", "Thomas Hardye School"),
                     ("4513", "The Gryphon School")):
    schools[number] = Establishment.objects.create(
        la=la, number=number, name=name, urn=f"1838{number}", town="Dorchester",
        email=f"office{number}@school.example.sch.uk")
connector = User.objects.create_user(
    username="8383321mis", password=None, role=Role.CONNECTOR, establishment=schools["3321"],
    email="mis@stickland.example.sch.uk", must_change_password=False)
for number in ("4512", "4513"):
    User.objects.create_user(
        username=f"838{number}", password=sys.argv[1], role=Role.SCHOOL,
        establishment=schools[number], email=f"head{number}@school.example.sch.uk",
        must_change_password=False)
mix = {}
for number in MIX:
    school = Establishment.objects.create(
        la=la, number=number[3:], name=f"Bench school {number}", urn=f"1{number}",
        town="Dorchester", email=f"office{number}@school.example.sch.uk")
    user = User.objects.create_user(
        username=number, password=None, role=Role.SCHOOL, establishment=school,
        email=f"head{number}@school.example.sch.uk", must_change_password=False)
    mix[number] = api_token_create(by=None, user=user)
print(json.dumps({"token": api_token_create(by=None, user=connector), "mix": mix}))
"""

PROFILE = r"""
import cProfile, io, os, pstats, site, sys, time
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment

sys.path.insert(0, sys.argv[3])
from upload import RECEIVER, SENDER, ctf_pool, stamp

setup_test_environment()  # lets the test client run outside a test
pool = ctf_pool(RECEIVER)
# X-Forwarded-Proto: what production's proxy sends (--redis serves the production profile).
client = Client(HTTP_AUTHORIZATION="Bearer " + sys.argv[1], HTTP_X_FORWARDED_PROTO="https")
count = int(sys.argv[2])

def upload(serial):
    name = f"{SENDER}_CTF_{RECEIVER}_{serial % 1000:03d}.XML"
    content = stamp(pool[serial % len(pool)], 10**15 + serial)  # clear of the load's serials
    from django.core.files.uploadedfile import SimpleUploadedFile
    answer = client.post("/api/v1/files", {"file": SimpleUploadedFile(name, content)})
    assert answer.status_code == 201, answer.content[:300]

for serial in range(5):
    upload(serial)  # warm: imports, connections, caches

from django.db import connection
statements = []

def census(execute, sql, params, many, context):
    # Outside an atomic block each statement is its own transaction: a commit, an fsync.
    statements.append((connection.in_atomic_block, sql.split(" ", 3)[:3]))
    return execute(sql, params, many, context)

with connection.execute_wrapper(census):
    upload(5)
alone = [words for inside, words in statements if not inside]
print(f"one upload: {len(statements)} SQL statements, {len(alone)} outside a transaction "
      "(each its own commit):")
for words in alone:
    print("   ", " ".join(words)[:90])
print("all of them, in order (* inside the transaction):")
for inside, words in statements:
    print("   ", "*" if inside else " ", " ".join(words)[:90])
# The cyclic garbage collector's share: its passes timed through gc.callbacks.
import gc
collected = {"started": 0.0, "spent": 0.0, "passes": [0, 0, 0]}

def gc_timer(phase, info):
    if phase == "start":
        collected["started"] = time.process_time()
    else:
        collected["spent"] += time.process_time() - collected["started"]
        collected["passes"][info["generation"]] += 1

gc.callbacks.append(gc_timer)
start, cpu = time.perf_counter(), time.process_time()
for serial in range(6, 6 + count):
    upload(serial)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
gc.callbacks.remove(gc_timer)
print(f"{count} uploads in-process with the test client, unprofiled: {seconds / count * 1000:.1f}"
      f" ms wall, {cpu / count * 1000:.1f} ms CPU of this process each, of which the garbage"
      f" collector {collected['spent'] / count * 1000:.2f} ms (passes by generation:"
      f" {collected['passes']}; {len(gc.get_objects())} objects tracked,"
      f" {gc.get_freeze_count()} frozen)")

# PostgreSQL's CPU for each statement: the backend's run time (/proc/PID/schedstat, in ns)
# read around it. Only where the server runs on this host and its /proc is readable.
with connection.cursor() as cursor:
    cursor.execute("SELECT pg_backend_pid()")
    backend = f"/proc/{cursor.fetchone()[0]}/schedstat"
if os.access(backend, os.R_OK):
    def backend_ns():
        with open(backend) as stat:
            return int(stat.read().split()[0])

    spent, runs = {}, {}

    def timed_statement(execute, sql, params, many, context):
        started = backend_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            words = " ".join(sql.split()[:3])[:60]
            spent[words] = spent.get(words, 0) + backend_ns() - started
            runs[words] = runs.get(words, 0) + 1

    from django.db import connections
    database = connections["default"]
    plain_commit = type(database).commit

    def timed_commit(self):
        started = backend_ns()
        try:
            return plain_commit(self)
        finally:
            spent["COMMIT"] = spent.get("COMMIT", 0) + backend_ns() - started
            runs["COMMIT"] = runs.get("COMMIT", 0) + 1

    type(database).commit = timed_commit
    started = backend_ns()
    with connection.execute_wrapper(timed_statement):
        for serial in range(10**6, 10**6 + count):
            upload(serial)
    whole = backend_ns() - started
    type(database).commit = plain_commit
    print(f"PostgreSQL's CPU an upload: {whole / count / 1e6:.2f} ms; by statement (ms an upload,"
          " runs an upload; S2S_DB_PREPARED=false to compare without prepared statements):")
    for words, ns in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"    {ns / count / 1e6:6.3f} {runs[words] / count:4.1f}  {words}")

# The CPU of each step, without a profiler's overhead: each step's function wrapped in a
# process-time counter (nested steps are counted in their callers too).
from s2s.api import auth
from s2s.transfers.services import upload as service
steps = {}

def timed(module, name):
    inner = getattr(module, name)
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            steps[name] = steps.get(name, 0.0) + time.process_time() - started
    setattr(module, name, wrapper)

timed(auth, "working_token")
for name in ("transfer_upload", "sender_for", "destination_for", "_spool", "_check_content",
             "_duplicate_of", "_record", "_pupil_rows", "stored_file_new", "_pupils_then",
             "audit_record_with", "transfer_notify_queue", "count_upload"):
    timed(service, name)
from s2s.api import files as api_files
api_files.services.transfer_upload = service.transfer_upload
base, started = 6 + 3 * count, time.process_time()
for serial in range(base, base + count):
    upload(serial)
total = time.process_time() - started
print(f"CPU per upload by step (ms, {count} uploads; the request as a whole "
      f"{total / count * 1000:.2f}):")
for name, spent in steps.items():
    print(f"    {name:24} {spent / count * 1000:6.2f}")
# Wall clock shows the waits (the database, its commits); process time shows the CPU, which
# caps the rate when many clients keep every core busy.
for timer, label in ((time.perf_counter, "wall clock"), (time.process_time, "CPU time")):
    profiler = cProfile.Profile(timer)
    profiler.enable()
    for serial in range(6 + count, 6 + 2 * count):
        upload(serial if timer is time.perf_counter else serial + count)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(25)
        print(f"--- {label}, by {order} ---")
        text = out.getvalue().split("\n\n", 1)[-1]
        print(text.replace(site.getsitepackages()[0] + "/", "").replace(os.getcwd() + "/", ""))
    # Where the upload service's own time goes, step by step.
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    for step in ("transfer_upload", r"\(_record\)", "emails.py.*notify"):
        stats.print_callees(step)
    print(f"--- {label}, the upload service's steps ---")
    text = "\n".join(line for line in out.getvalue().splitlines()
                     if "->" in line or "s2s/" in line or line.strip().startswith(("0.", "1", "2")))
    print(text.replace(site.getsitepackages()[0] + "/", "").replace(os.getcwd() + "/", ""))
"""


# --- the world: database, files, servers --------------------------------------------------


# S2S_BENCH_PORTS=8660-8699 keeps the servers a bench starts inside a range of its own, so
# benches run by several people on one box never take each other's ports.
PORTS = os.environ.get("S2S_BENCH_PORTS", "")


def free_port() -> int:
    """Return a free port: the first free one of S2S_BENCH_PORTS, or any the system gives."""
    low, _, high = PORTS.partition("-")
    candidates = range(int(low), int(high or low) + 1) if low else [0]
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in S2S_BENCH_PORTS={PORTS}")


def database_reset(*, create: bool) -> None:
    """Drop the bench database, and create it again when asked."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        if create:
            conn.execute(f"CREATE DATABASE {DB_NAME}")


def code_snapshot(workdir: Path, rev: str = "HEAD", folder: str = "src") -> tuple[Path, str]:
    """Export a committed tree (HEAD) to run, so edits in progress cannot break the run."""
    commit = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()
    source = workdir / folder
    if source.is_dir():  # exported by an earlier round of this run
        return source, commit
    archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(source, filter="data")
    if (ROOT / "node_modules").is_dir():  # GOV.UK Frontend, for the pages' static files
        (source / "node_modules").symlink_to(ROOT / "node_modules")
    return source, commit


def server_env(data_dir: Path, source: Path, redis_url: str = "") -> dict[str, str]:
    """Return the servers' environment: the local profile, or production's with `redis_url`.

    Production's (deploy/s2s.env.example) but for the files, which stay on local disk (moto's
    S3 would measure moto): S2S_MODE=production with its keys, the cache and the task queue
    on the Redis database, metrics in a multiprocess directory. The client then sends
    `X-Forwarded-Proto: https`, as the proxy in front of production does.
    """
    # PYTHONPATH comes before the editable install's finder, so `s2s` is the source's.
    env = {
        **os.environ, "PYTHONPATH": str(source), "S2S_BENCH_SOURCE": str(source),
        "DJANGO_SETTINGS_MODULE": "s2s.settings", "DATABASE_URL": DATABASE_URL,
        "S2S_DATA_DIR": str(data_dir), "S2S_MODE": "local", "S2S_DEBUG": "false",
        "S2S_ALLOWED_HOSTS": "127.0.0.1,localhost", "S2S_TASKS_BACKEND": "database",
        # Counted as always (the cost stays in), never reached: one token sends them all.
        "S2S_API_RATE": "100000000/minute",
        "PYTHONUNBUFFERED": "1",
    }
    if redis_url:
        metrics = data_dir.parent / "metrics"
        metrics.mkdir(parents=True, exist_ok=True)
        env.update({
            "S2S_MODE": "production", "S2S_SECRET_KEY": "bench-only-secret-key-not-secret",
            "S2S_ENCRYPTION_KEY": "YmVuY2gtb25seS1lbmNyeXB0aW9uLWtleS0zMmJ5dGU=",
            "S2S_TASKS_BACKEND": "redis", "S2S_REDIS_URL": redis_url,
            "S2S_CACHE_URL": redis_url, "PROMETHEUS_MULTIPROC_DIR": str(metrics),
        })
    return env


def redis_flush(url: str) -> None:
    """Empty the bench's Redis database (the cache and the task queue)."""
    import redis

    redis.Redis.from_url(url).flushdb()


def world_build(env: dict[str, str]) -> dict:
    """Migrate the fresh database, add the schools and people; return their tokens."""
    source = env["S2S_BENCH_SOURCE"]
    subprocess.run([str(BIN / "s2s"), "migrate", "--no-input", "-v", "0"], env=env,
                   cwd=source, check=True)
    result = subprocess.run([sys.executable, "-c", "import sys\n" + SETUP, PASSWORD], env=env,
                            cwd=source, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def ctf_pool(destination: str, source: str = SENDER, count: int = POOL) -> list[bytes]:
    """Return `count` distinct seeded CTFs to `destination`, each about FILE_BYTES long."""
    from s2s.ctf.synthetic import generate_ctf

    today = date.today()

    def one(seed: int, pupils: int) -> bytes:
        out = io.BytesIO()
        generate_ctf(source=source, destination=destination, pupils=pupils, out=out, seed=seed,
                     today=today)
        return out.getvalue()

    # Pupils vary in size; pick the count that makes the first file about FILE_BYTES long.
    small, large = one(0, 1), one(0, 21)
    pupils = max(1, round(1 + (FILE_BYTES - len(small)) * 20 / (len(large) - len(small))))
    return [one(seed, pupils) for seed in range(count)]


def mix_pairs(tokens: dict[str, str]) -> list[tuple[str, str, str, list[bytes]]]:
    """Return every (sender, destination, sender's token, CTFs) of the seven mixed schools."""
    return [(sender, destination, tokens[sender],
             ctf_pool(destination, source=sender, count=MIX_POOL))
            for sender in MIX for destination in MIX if sender != destination]


def stamp(content: bytes, serial: int) -> bytes:
    """Return the file made unique by its serial (the hub refuses identical files)."""
    return content.replace(SUPPLIER, b"<SupplierID>s2s bench %016d</SupplierID>" % serial, 1)


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path
    # Each one's fast shutdown: SIGINT for gunicorn (SIGTERM waits for requests to finish),
    # SIGTERM for nginx (its SIGQUIT is the graceful one).
    stop_signal: int = signal.SIGTERM

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def workers(self) -> list[int]:
        """Return the pids of the master's child processes."""
        pid = self.process.pid
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return []
        return [int(child) for child in text.split()]


def wait_healthy(server: Server, path: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    tail = server.log.read_text(errors="replace")[-2000:] if server.log.exists() else ""
    raise RuntimeError(f"{server.name} did not answer {path}:\n{tail}")


def gunicorn_start(spec: str, env: dict[str, str], workdir: Path,
                   app: str = "s2s.wsgi:application", **extra: str) -> Server:
    """Start gunicorn for a spec like `sync:5` or `gthread:3x4`; wait for /healthz.

    `extra` adds environment variables (bench/gunicorn_bench.py's sampler and chain switch).
    """
    kind, _, shape = spec.partition(":")
    workers, _, threads = shape.partition("x")
    port = free_port()
    log = workdir / f"gunicorn-{kind}-{port}.log"
    command = [
        str(BIN / "gunicorn"), app, "--pythonpath", str(Path(__file__).parent),
        "--bind", f"127.0.0.1:{port}",
        "--worker-class", kind, "--workers", workers or str(2 * CORES + 1),
        "--threads", threads or "1", "--backlog", "2048", "--keep-alive", "30",
        "--timeout", "120", "--worker-tmp-dir", "/dev/shm", "--error-logfile", str(log),
        # s2s's hooks (the load shedder's sockets), the sampler and the chain switch.
        "--config", str(Path(__file__).with_name("gunicorn_bench.py")),
    ]
    process = subprocess.Popen(command, env={**env, **extra}, cwd=env["S2S_BENCH_SOURCE"],
                               start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(f"gunicorn {spec}", port, process, log, signal.SIGINT)
    try:
        wait_healthy(server, "/healthz")
    except BaseException:
        server.stop()
        raise
    return server


NGINX_CONF = """
daemon off;
master_process on;
worker_processes {workers};
pid {root}/nginx.pid;
error_log {root}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    keepalive_requests 100000;
    keepalive_timeout 60s;
    client_max_body_size 10m;
    server {{
        listen 127.0.0.1:{port};
        location /dav/ {{
            root {root}/www;
            dav_methods PUT;
            create_full_put_path on;
            dav_access user:rw;
        }}
        location = /healthz {{ return 200 "ok"; }}
    }}
}}
"""


def nginx_binary() -> str | None:
    """Return nginx's path, installing Debian's package first when root; else None."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found:
        return found
    if os.geteuid() != 0:
        print("nginx is not installed, so the ceiling is skipped. Install it with\n"
              "  sudo apt-get install -y nginx-light   (or nginx)\nand run again.")
        return None
    print("nginx is not installed: installing Debian's nginx-light with apt-get")
    apt = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "nginx-light"]
    if subprocess.run(install, env=apt).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=apt, check=False)
        if subprocess.run(install, env=apt).returncode != 0:
            subprocess.run([*install[:-1], "nginx"], env=apt, check=False)
    return shutil.which("nginx", path="/usr/sbin:/usr/bin:/usr/local/sbin")


def nginx_start(binary: str, workdir: Path) -> Server:
    """Start nginx with WebDAV PUT on a free port, its config and root under workdir."""
    root = workdir / "nginx"
    for sub in ("www/dav", "body"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    user = ""
    if os.geteuid() == 0:  # the workers run as nobody: let them reach and write their dirs
        user = "user nobody nogroup;"
        workdir.chmod(0o711)
        root.chmod(0o711)
        nobody = pwd.getpwnam("nobody")
        for path in (root / "www", root / "www/dav", root / "body"):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(workers=CORES, root=root, user=user, port=port))
    process = subprocess.Popen([binary, "-p", str(root), "-c", str(conf), "-e", "stderr"],
                               start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=(root / "stderr.log").open("wb"))
    server = Server("nginx", port, process, root / "stderr.log")
    try:
        wait_healthy(server, "/healthz", seconds=15)
    except BaseException:
        server.stop()
        raise
    return server


# --- the client -------------------------------------------------------------------------


@dataclass
class Target:
    """Where uploads go: `api` (s2s POST /api/v1/files) or `dav` (nginx PUT)."""

    kind: str
    port: int
    destination: str
    token: str = ""
    # --mix: (sender, destination, token, CTFs) per pair; each request takes the next pair.
    pairs: list = field(default_factory=list)

    def route(self, pool: list[bytes], index: int) -> tuple[str, str, str, bytes]:
        """Return the sender, destination, token and content of request number `index`."""
        if self.pairs:
            sender, destination, token, files = self.pairs[index % len(self.pairs)]
            return sender, destination, token, files[(index // len(self.pairs)) % len(files)]
        return SENDER, self.destination, self.token, pool[index % len(pool)]

    def request(self, name: str, content: bytes, slot: int,
                token: str) -> tuple[str, str, bytes, dict]:
        if self.kind == "dav":
            return "PUT", f"/dav/{slot:03d}/{name}", content, {
                "Content-Type": "application/xml"}
        head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{name}\"\r\nContent-Type: application/xml\r\n\r\n").encode()
        body = head + content + f"\r\n--{BOUNDARY}--\r\n".encode()
        return "POST", "/api/v1/files", body, {
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            # What the proxy in front of production says (--redis: production redirects
            # plain HTTP); the local profile ignores it.
            "X-Forwarded-Proto": "https"}


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    errors: int = 0
    samples: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    finished: float = 0.0
    shed: int = 0  # 503s with Retry-After (each followed by the same file again)

    def add(self, other: "Tally") -> None:
        self.shed += other.shed
        self.latencies += other.latencies
        self.ok += other.ok
        self.errors += other.errors
        self.samples += other.samples[: 3 - len(self.samples)]
        self.ids += other.ids
        self.finished = max(self.finished, other.finished)


def upload_one(conn, target: Target, pool: list[bytes], serial: int, slot: int, tally: Tally,
               deadline: float = float("inf")):
    sender, destination, token, content = target.route(pool, serial)
    name = f"{sender}_CTF_{destination}_{serial % 1000:03d}.XML"
    method, path, body, headers = target.request(name, stamp(content, serial), slot, token)
    while True:
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as error:
            conn.close()
            tally.errors += 1
            tally.samples.append(f"{type(error).__name__}: {error}")
            return
        if response.status != 503 or not response.getheader("Retry-After"):
            break
        # Shed: a well-behaved client waits as told and sends the same file again.
        tally.shed += 1
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
        if time.monotonic() + float(response.getheader("Retry-After")) >= deadline:
            return
        time.sleep(float(response.getheader("Retry-After")))
    tally.latencies.append(time.perf_counter() - start)
    if response.status not in (200, 201, 204):
        tally.errors += 1
        tally.samples.append(f"{response.status}: {answer[:300]!r}")
        return
    tally.ok += 1
    if target.kind == "api":
        tally.ids.append(json.loads(answer)["id"])


def client_thread(target: Target, pool: list[bytes], first_serial: int, slot: int,
                  count: int, deadline: float, tally: Tally) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=120)
    for i in range(count):
        if time.monotonic() >= deadline:
            break
        upload_one(conn, target, pool, first_serial + i, slot, tally, deadline)
    conn.close()
    tally.finished = time.monotonic()


def client_process(target: Target, pool: list[bytes], slots: list[int], serial_base: int,
                   count: int, seconds: float, go, out) -> None:
    # The parent handles Ctrl-C and stops us with SIGTERM: die quietly then.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    tallies = [Tally() for _ in slots]
    go.wait()
    start = time.monotonic()
    threads = [
        threading.Thread(target=client_thread, args=(
            target, pool, serial_base + slot * 1_000_000, slot, count, start + seconds, tally))
        for slot, tally in zip(slots, tallies, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Tally()
    for tally in tallies:
        total.add(tally)
    total.finished -= start
    out.send(total)
    out.close()


def cpu_times() -> list[int]:
    """Return the box's CPU jiffies from /proc/stat: user, nice, system, idle, iowait, ..."""
    return [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]


def cpu_share(before: list[int], after: list[int]) -> tuple[float, float]:
    """Return the busy and iowait percentages of the box between two cpu_times()."""
    delta = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(delta[:8]) or 1
    return 100 * (total - delta[3] - delta[4]) / total, 100 * delta[4] / total


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """Return the CPU seconds (user + system) a process has used."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def database_backends() -> list[int]:
    """Return the pids of the PostgreSQL backends connected to the bench database."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if command.startswith(b"postgres: ") and f" {DB_NAME} ".encode() in command:
                pids.append(int(entry.name))
    return pids


def server_cpu(server: "Server | None") -> tuple[dict[int, float], dict[int, float]]:
    """Return CPU seconds by pid of the server's workers, and of the database's backends."""
    if server is None:
        return {}, {}
    backends = database_backends() if server.name.startswith("gunicorn") else []
    return ({pid: process_cpu(pid) for pid in server.workers()},
            {pid: process_cpu(pid) for pid in backends})


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


@dataclass
class Level:
    label: str
    clients: int
    tally: Tally
    seconds: float
    busy: float = 0.0
    iowait: float = 0.0
    app_cpu: float = 0.0
    db_cpu: float = 0.0
    lost: int = 0  # answered 201 but not in the database
    round: int = 1  # --rounds: the floor and s2s measured again, in turns

    @property
    def server_share(self) -> float:
        """Return the share of all the box's cores the server and database used, in %."""
        return 100 * (self.app_cpu + self.db_cpu) / (self.seconds * CORES) if self.seconds \
            else float("nan")

    def per_upload_ms(self, seconds: float) -> float:
        return 1000 * seconds / self.tally.ok if self.tally.ok else float("nan")

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.tally.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    @property
    def rate(self) -> float:
        return self.tally.ok / self.seconds if self.seconds else 0.0


def level_add(total: "Level | None", part: "Level") -> "Level":
    """Return `total` with the slice `part` of the same side added (`--interleave`)."""
    if total is None:
        return part
    seconds = total.seconds + part.seconds
    share = (lambda a, b: (a * total.seconds + b * part.seconds) / seconds) if seconds \
        else (lambda a, b: 0.0)
    total.tally.add(part.tally)
    total.busy, total.iowait = share(total.busy, part.busy), share(total.iowait, part.iowait)
    total.seconds = seconds
    total.app_cpu += part.app_cpu
    total.db_cpu += part.db_cpu
    total.lost += part.lost
    return total


def transfers_found(ids: list[int]) -> int:
    """Return how many of these transfer ids the bench database holds."""
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={DB_NAME}") as conn:
        return conn.execute("SELECT count(*) FROM transfers_transfer WHERE id = ANY(%s)",
                            [ids]).fetchone()[0]


_AUTOVACUUM_SAID = False


def analyze_as_autovacuum() -> bool:
    """ANALYZE the bench database when the server's autovacuum is off; return whether it ran.

    Production's PostgreSQL keeps the planner's statistics fresh with autovacuum (on by
    default). Where it is off (this box's server has it off), the tables a bench fills are
    never analyzed and their plans go wrong as they grow: the duplicate check scanned every
    transfer to its school, and PostgreSQL's CPU an upload grew from 2 to 10 ms within three
    rounds. The benches call this before each level and each soak minute, as autovacuum would
    (its naptime is a minute), so their figures are about the code.
    """
    import psycopg

    global _AUTOVACUUM_SAID
    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={DB_NAME}",
                         autocommit=True) as conn:
        if conn.execute("SHOW autovacuum").fetchone()[0] == "on":
            return False
        conn.execute("ANALYZE")
    if not _AUTOVACUUM_SAID:
        _AUTOVACUUM_SAID = True
        print("  (autovacuum is off on this PostgreSQL server: the bench runs ANALYZE before "
              "each level, and each soak minute, as autovacuum would)", flush=True)
    return True


def wait_quiet(seconds: float) -> None:
    """Wait, at most `seconds`, until the box is under a quarter busy for a whole second."""
    deadline = time.monotonic() + seconds
    said = False
    while time.monotonic() < deadline:
        before = cpu_times()
        time.sleep(1)
        busy, _iowait = cpu_share(before, cpu_times())
        if busy < 25:
            return
        if not said:
            print(f"  (the box is {busy:.0f}% busy with other work: waiting up to "
                  f"{seconds:.0f} s for it to settle)", flush=True)
            said = True


def load(target: Target, pool: list[bytes], *, clients: int, seconds: float, total: int,
         serial_base: int, label: str, server: "Server | None" = None) -> Level:
    """Run `clients` concurrent uploaders for `seconds` or `total` uploads, whichever first."""
    processes = min(clients, CORES)  # more processes measured no better for nginx at 32
    per_client = -(-total // clients)
    context = multiprocessing.get_context("fork")
    go = context.Event()
    children, pipes = [], []
    for index in range(processes):
        slots = list(range(index, clients, processes))
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=client_process, args=(
            target, pool, slots, serial_base, per_client, seconds, go, send), daemon=True)
        child.start()
        send.close()
        children.append(child)
        pipes.append(receive)
    time.sleep(0.2)
    go.set()
    before, used = cpu_times(), server_cpu(server)
    tally = Tally()
    try:
        for receive in pipes:
            if receive.poll(seconds + 300):
                tally.add(receive.recv())
    except BaseException:
        for child in children:
            child.terminate()
        raise
    finally:
        for child in children:
            child.join(timeout=10)
            if child.is_alive():
                child.terminate()
    after = server_cpu(server)
    return Level(label, clients, tally, tally.finished, *cpu_share(before, cpu_times()),
                 cpu_spent(used[0], after[0]), cpu_spent(used[1], after[1]))


# --- the zip download --------------------------------------------------------------------


def rss_kb(pid: int, key: str = "VmRSS") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler(threading.Thread):
    """Sample the VmRSS of the given pids every 50 ms; keep each one's peak."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.peaks = {pid: rss_kb(pid) for pid in pids}
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.05):
            for pid in self.peaks:
                self.peaks[pid] = max(self.peaks[pid], rss_kb(pid))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer; the page it leads to is not measured


def _referer(url: str) -> str:
    """Return the page's address as the browser saw it: HTTPS, as production is served."""
    return url.replace("http://", "https://", 1)


class _BehindProxy(http.cookiejar.DefaultCookiePolicy):
    """Send production's secure cookies over the bench's plain HTTP, as the proxy would."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


def signed_in_opener(port: int, username: str) -> urllib.request.OpenerDirector:
    """Sign in through the sign-in page (CSRF token, then the form) and return the session."""
    jar = http.cookiejar.CookieJar(policy=_BehindProxy())
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    opener.addheaders = [("X-Forwarded-Proto", "https")]  # what production's proxy says
    url = f"http://127.0.0.1:{port}/account/sign-in"
    page = opener.open(url, timeout=30).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                   "csrfmiddlewaretoken": csrf}).encode()
    try:
        opener.open(urllib.request.Request(url, data=form, headers={"Referer": _referer(url)}),
                    timeout=30)
    except urllib.error.HTTPError as error:
        if error.code != 302:
            raise
    if not any(cookie.name == "sessionid" for cookie in jar):
        raise RuntimeError(f"signing in as {username} failed")
    opener.csrf = next(c.value for c in jar if c.name == "csrftoken")
    return opener


@dataclass
class ZipResult:
    files: int
    entries: int
    megabytes: float
    seconds: float
    idle_mb: float
    peak_mb: float
    hwm_mb: float
    status: int
    signin_mb: float
    first_byte: float


def zip_download(server: Server, ids: list[int], workdir: Path) -> ZipResult:
    """Download the files as one zip from the inbox page while sampling worker memory."""
    opener = signed_in_opener(server.port, ZIP_RECEIVER)
    form = urllib.parse.urlencode([("csrfmiddlewaretoken", opener.csrf)]
                                  + [("ids", str(i)) for i in ids]).encode()
    url = f"http://127.0.0.1:{server.port}/files/download.zip"
    pids = server.workers()
    idle = {pid: rss_kb(pid) for pid in pids}
    # The sign-in's Argon2 hash takes Django's 100 MiB memory_cost in whichever worker served
    # it; note that peak, then reset the high-water marks (root only) so VmHWM is the zip's.
    signin_mb = max(rss_kb(pid, "VmHWM") for pid in pids) / 1024
    for pid in pids:
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            pass
    sampler = RssSampler(pids)
    sampler.start()
    start = time.perf_counter()
    path = workdir / "download.zip"
    with opener.open(urllib.request.Request(url, data=form, headers={"Referer": _referer(url)}),
                     timeout=600) as response, path.open("wb") as out:
        status = response.status
        first = 0.0
        while chunk := response.read(256 * 1024):
            first = first or time.perf_counter() - start
            out.write(chunk)
    seconds = time.perf_counter() - start
    time.sleep(0.1)
    sampler.stopping.set()
    sampler.join()
    # The serving worker is the one that grew most.
    serving = max(sampler.peaks, key=lambda pid: sampler.peaks[pid] - idle[pid])
    try:
        with zipfile.ZipFile(path) as archive:
            entries = len(archive.namelist())
    except zipfile.BadZipFile:
        entries = 0
    return ZipResult(files=len(ids), entries=entries, megabytes=path.stat().st_size / 1e6,
                     seconds=seconds, idle_mb=idle[serving] / 1024,
                     peak_mb=sampler.peaks[serving] / 1024,
                     hwm_mb=rss_kb(serving, "VmHWM") / 1024, status=status,
                     signin_mb=signin_mb, first_byte=first)


# --- the run -----------------------------------------------------------------------------


def print_level(level: Level) -> None:
    p50, p99 = level.percentile(0.50), level.percentile(0.99)
    print(f"  {level.label:<30} {level.clients:>7} {len(level.tally.latencies):>8} "
          f"{level.tally.errors:>6} {level.rate:>10.1f} {p50:>8.1f} {p99:>8.1f} "
          f"{level.busy:>7.0f}% {level.server_share:>6.0f}% {level.iowait:>6.0f}% "
          f"{level.per_upload_ms(level.app_cpu):>7.1f} "
          f"{level.per_upload_ms(level.db_cpu):>7.1f} {level.tally.shed:>6} {level.lost:>5}",
          flush=True)
    for sample in level.tally.samples:
        print(f"      error: {sample}")


def header() -> None:
    print(f"  {'server':<30} {'clients':>7} {'uploads':>8} {'errors':>6} {'uploads/s':>10} "
          f"{'p50 ms':>8} {'p99 ms':>8} {'CPU: box':>6} {'server':>7} {'iowait':>7} "
          f"{'CPU ms/upload':>15} {'shed':>6} {'lost':>5}")
    print(f"  {'':<30} {'':>7} {'':>8} {'':>6} {'':>10} {'':>8} {'':>8} {'':>8} {'+ db':>7} "
          f"{'':>7} {'server':>7} {'db':>7}")


@dataclass
class Run:
    args: argparse.Namespace
    workdir: Path
    env: dict[str, str]
    token: str
    pool: list[bytes]
    stack: ExitStack
    levels: list[Level] = field(default_factory=list)
    serial: int = 0
    pairs: list = field(default_factory=list)  # --mix
    round: int = 1

    def next_base(self) -> int:
        self.serial += 1
        return self.serial * 100_000_000

    def sweep(self, target: Target, label: str, server: Server) -> None:
        for clients in self.args.levels:
            wait_quiet(self.args.settle)
            analyze_as_autovacuum()
            level = load(target, self.pool, clients=clients, seconds=self.args.seconds,
                         total=self.args.max_uploads, serial_base=self.next_base(), label=label,
                         server=server)
            if label.startswith("s2s"):
                level.lost = len(level.tally.ids) - transfers_found(level.tally.ids)
            level.round = self.round
            self.levels.append(level)
            print_level(level)
            if target.kind == "dav":
                shutil.rmtree(self.workdir / "nginx" / "www" / "dav", ignore_errors=True)

    def ceiling(self) -> None:
        binary = nginx_binary()
        if binary is None:
            return
        server = nginx_start(binary, self.workdir)
        try:
            self.sweep(Target("dav", server.port, RECEIVER), "nginx WebDAV PUT (ceiling)",
                       server)
        finally:
            server.stop()

    def before_env(self, before: str) -> tuple[dict, str]:
        """Return the servers' environment for an earlier commit's code, and its label note."""
        source, commit = code_snapshot(self.workdir, before, f"src-{before}")
        return ({**self.env, "PYTHONPATH": str(source), "S2S_BENCH_SOURCE": str(source)},
                f", before ({commit})")

    def service(self, spec: str, *, before: str = "") -> None:
        extra, note, samples, env = {}, "", None, self.env
        if before:  # the same world served by an earlier commit's code
            env, note = self.before_env(before)
        if self.args.sample:
            samples = Path(tempfile.mkdtemp(dir=self.workdir, prefix="samples-"))
            extra["S2S_BENCH_SAMPLE"] = str(samples)
        server = gunicorn_start(spec, env, self.workdir, **extra)
        try:
            target = Target("api", server.port, RECEIVER, self.token)
            workers = max(1, len(server.workers()))
            warm = load(target, self.pool, clients=workers, seconds=30, total=4 * workers,
                        serial_base=self.next_base(), label="warm-up")
            if warm.tally.errors:
                print_level(warm)
            self.sweep(target, f"s2s API, gunicorn {spec}{note}", server)
            if self.pairs:
                mixed = Target("api", server.port, RECEIVER, pairs=self.pairs)
                self.sweep(mixed, f"s2s mixed 42 pairs, {spec}{note}", server)
        finally:
            server.stop()
            if samples is not None:
                print_samples(samples, f"gunicorn {spec}{note}", env["S2S_BENCH_SOURCE"])

    def warm_store(self, spec: str, seconds: float) -> None:
        """Upload for `seconds` before the first round, measured but not counted (`--warmup`).

        A new data directory and new tables are the slowest the store will ever be: the
        first files under each new directory cost the kernel several times what they cost
        once the tree has grown, and the first rows grow each index from nothing. A service
        in production is past that; the rounds after this measure it past that too.
        """
        server = gunicorn_start(spec, self.env, self.workdir)
        try:
            clients = max(self.args.levels)
            warm = load(Target("api", server.port, RECEIVER, self.token), self.pool,
                        clients=clients, seconds=seconds, total=self.args.max_uploads,
                        serial_base=self.next_base(), label="store warm-up", server=server)
            print(f"  store warm-up (not counted): {warm.tally.ok} uploads in "
                  f"{seconds:g} s at {clients} clients, {warm.tally.errors} errors", flush=True)
        finally:
            server.stop()

    def interleaved(self, spec: str) -> None:
        """The floor and s2s (and --mix, --before) served at once, loaded in turns of slices.

        Each round gives each side `--seconds` in `--interleave` slices, taken in turns
        (floor, s2s, mixed, floor, ...), so a drift of the box within the round falls on
        every side alike; a side's figures are the sum of its slices. One level, the first
        of `--levels`; statistics are refreshed before each turn of the slices.
        """
        floor = gunicorn_start(spec, self.env, self.workdir, app="floor_app:application")
        service = gunicorn_start(spec, self.env, self.workdir)
        earlier = None
        try:
            sides = [(Target("api", floor.port, RECEIVER, self.token),
                      f"Django floor, gunicorn {spec}", floor),
                     (Target("api", service.port, RECEIVER, self.token),
                      f"s2s API, gunicorn {spec}", service)]
            if self.pairs:
                sides.append((Target("api", service.port, RECEIVER, pairs=self.pairs),
                              f"s2s mixed 42 pairs, {spec}", service))
            if self.args.before:  # an earlier commit's code, served at once and in turns too
                env, note = self.before_env(self.args.before)
                earlier = gunicorn_start(spec, env, self.workdir)
                sides.append((Target("api", earlier.port, RECEIVER, self.token),
                              f"s2s API, gunicorn {spec}{note}", earlier))
            for target, _label, server in sides:
                workers = max(1, len(server.workers()))
                load(target, self.pool, clients=workers, seconds=30, total=4 * workers,
                     serial_base=self.next_base(), label="warm-up")
            clients, slices = self.args.levels[0], self.args.interleave
            wait_quiet(self.args.settle)
            totals: dict[str, Level] = {}
            for _slice in range(slices):
                # The tables grow by thousands of rows a round: statistics of the round's
                # start would leave the duplicate check's plan scanning (see `--rounds`).
                analyze_as_autovacuum()
                for target, label, server in sides:
                    part = load(target, self.pool, clients=clients,
                                seconds=self.args.seconds / slices,
                                total=self.args.max_uploads, serial_base=self.next_base(),
                                label=label, server=server)
                    if label.startswith("s2s"):
                        part.lost = len(part.tally.ids) - transfers_found(part.tally.ids)
                    totals[label] = level_add(totals.get(label), part)
            for level in totals.values():
                level.round = self.round
                self.levels.append(level)
                print_level(level)
        finally:
            if earlier is not None:
                earlier.stop()
            service.stop()
            floor.stop()

    def floor(self) -> None:
        """The same uploads to bench/floor_app.py: Django doing the least an upload needs."""
        spec = self.args.servers[0]
        server = gunicorn_start(spec, self.env, self.workdir, app="floor_app:application")
        try:
            target = Target("api", server.port, RECEIVER, self.token)
            workers = max(1, len(server.workers()))
            load(target, self.pool, clients=workers, seconds=30, total=4 * workers,
                 serial_base=self.next_base(), label="warm-up")
            self.sweep(target, f"Django floor, gunicorn {spec}", server)
        finally:
            server.stop()

    def zip(self) -> ZipResult:
        spec = self.args.servers[0]
        server = gunicorn_start(spec, self.env, self.workdir)
        try:
            target = Target("api", server.port, ZIP_RECEIVER, self.token)
            pool = ctf_pool(ZIP_RECEIVER)
            seeded = load(target, pool, clients=8, seconds=600, total=self.args.zip_files,
                          serial_base=self.next_base(), label="zip seed")
            ids = seeded.tally.ids[: self.args.zip_files]
            print(f"  uploaded {len(ids)} files to {ZIP_RECEIVER} for the zip "
                  f"({seeded.tally.errors} errors)", flush=True)
        finally:
            server.stop()
        # A fresh server, so the workers' high-water marks belong to the download alone.
        server = gunicorn_start(spec, self.env, self.workdir)
        try:
            return zip_download(server, ids, self.workdir)
        finally:
            server.stop()


def print_samples(folder: Path, label: str, source: str, top: int = 40) -> None:
    """Print where the workers' CPU went, from bench/gunicorn_bench.py's stack samples."""
    prefixes = sorted({str(Path(p)) + "/" for p in (*sys.path, source) if p}, key=len,
                      reverse=True)

    def short(frame: str) -> str:
        return next((frame.removeprefix(p) for p in prefixes if frame.startswith(p)), frame)

    inclusive, own, ours, total = {}, {}, {}, 0
    for path in folder.glob("*.json"):
        for stack, count in json.loads(path.read_text()):
            stack = [short(frame) for frame in stack]
            total += count
            own[stack[0]] = own.get(stack[0], 0) + count
            for frame in set(stack):
                inclusive[frame] = inclusive.get(frame, 0) + count
            # The innermost s2s function on the stack: whose work this sample was.
            mine = next((f for f in stack if f.startswith("s2s/")), "(outside s2s)")
            ours[mine] = ours.get(mine, 0) + count
    if not total:
        print(f"\n  (no CPU samples from {label})")
        return
    # The trunk every request shares (gunicorn, the WSGI handler) says nothing.
    inclusive = {f: n for f, n in inclusive.items() if n < 0.95 * total}
    for title, counts in (("with what it called (inclusive)", inclusive),
                          ("in the function itself", own),
                          ("by the innermost s2s function on the stack", ours)):
        print(f"\n  CPU samples of the workers of {label}, {title}: {total} samples of "
              f"{INTERVAL_MS:g} ms CPU")
        for frame, count in sorted(counts.items(), key=lambda item: -item[1])[:top]:
            print(f"    {100 * count / total:5.1f}%  {frame}")


INTERVAL_MS = 1.0  # bench/gunicorn_bench.py's INTERVAL


def profile(run: Run, count: int) -> None:
    """Profile `count` uploads in one process with Django's test client and cProfile."""
    print(f"\nProfile of {count} uploads (cProfile, in-process, Django test client):",
          flush=True)
    subprocess.run([sys.executable, "-c", PROFILE, run.token, str(count), str(ROOT / "bench")],
                   env=run.env, cwd=run.env["S2S_BENCH_SOURCE"], check=False)


def summary(run: Run, zipped: ZipResult | None) -> None:
    print("\nTargets: >= 200 uploads/s at 32 clients, p99 < 500 ms, no errors; "
          "zip download peak worker RSS < 100 MB.")
    floors = {(lv.round, lv.clients): lv.rate for lv in run.levels
              if lv.label.startswith("Django floor")}
    ratios: dict[str, list[float]] = {}
    for level in run.levels:
        floor = floors.get((level.round, level.clients))
        in_round = f", round {level.round}" if run.args.rounds > 1 else ""
        if level.label.startswith("s2s") and floor:
            ratios.setdefault(f"{level.label} at {level.clients} clients", []).append(
                level.rate / floor)
            print(f"  {level.label} at {level.clients} clients{in_round}: "
                  f"{level.rate / floor:.2f} of the floor's rate in this run "
                  f"(target >= 0.4 at 32), {level.tally.shed} shed, {level.lost} lost")
        if level.label.startswith("Django floor") and level.clients == 32:
            print(f"  {level.label} at 32 clients: {level.rate:.0f} uploads/s, "
                  f"p99 {level.percentile(0.99):.0f} ms, {level.tally.errors} errors "
                  f"({level.per_upload_ms(level.app_cpu) + level.per_upload_ms(level.db_cpu):.1f}"
                  " ms CPU per upload: what Django, psycopg and PostgreSQL alone cost)")
        if level.label.startswith("s2s") and level.clients == 32:
            met = (level.rate >= TARGET_RATE and level.percentile(0.99) < TARGET_P99_MS
                   and level.tally.errors == 0)
            print(f"  {level.label} at 32 clients: {level.rate:.0f} uploads/s, "
                  f"p99 {level.percentile(0.99):.0f} ms, {level.tally.errors} errors: "
                  f"{'meets' if met else 'misses'} the target")
    if run.args.rounds > 1:
        for label, values in ratios.items():
            print(f"  {label}, {len(values)} rounds: ratio to the same round's floor "
                  f"{', '.join(f'{v:.2f}' for v in values)} (median "
                  f"{statistics.median(values):.2f})")
    if zipped:
        print(f"  zip of {zipped.files} files (HTTP {zipped.status}, {zipped.entries} entries, "
              f"{zipped.megabytes:.1f} MB in {zipped.seconds:.1f} s, first byte after "
              f"{zipped.first_byte:.1f} s): serving worker peak "
              f"{zipped.peak_mb:.0f} MB sampled, VmHWM {zipped.hwm_mb:.0f} MB, idle "
              f"{zipped.idle_mb:.0f} MB: {'meets' if zipped.peak_mb < TARGET_ZIP_MB else 'misses'}"
              " the target")
        print(f"  (signing in before it: a worker's VmHWM reached {zipped.signin_mb:.0f} MB, "
              "the Argon2 password hash)")
    print(json.dumps({
        "levels": [{"server": lv.label, "round": lv.round, "clients": lv.clients,
                    "uploads": len(lv.tally.latencies),
                    "errors": lv.tally.errors, "per_s": round(lv.rate, 1),
                    "shed_503": lv.tally.shed, "lost": lv.lost,
                    "p50_ms": round(lv.percentile(0.5), 1),
                    "p99_ms": round(lv.percentile(0.99), 1), "cpu_pct": round(lv.busy),
                    "server_cpu_pct": round(lv.server_share),
                    "iowait_pct": round(lv.iowait),
                    "server_cpu_ms": round(lv.per_upload_ms(lv.app_cpu), 1),
                    "db_cpu_ms": round(lv.per_upload_ms(lv.db_cpu), 1)} for lv in run.levels],
        "zip": zipped and {"files": zipped.files, "entries": zipped.entries,
                           "mb": round(zipped.megabytes, 1), "seconds": round(zipped.seconds, 2),
                           "first_byte_s": round(zipped.first_byte, 2),
                           "peak_rss_mb": round(zipped.peak_mb), "hwm_mb": round(zipped.hwm_mb),
                           "idle_rss_mb": round(zipped.idle_mb),
                           "signin_hwm_mb": round(zipped.signin_mb)},
    }))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: levels 1,8, 2 s, 200 uploads a level, a 50-file zip")
    parser.add_argument("--levels", help="concurrent clients, comma-separated (1,8,32)")
    parser.add_argument("--seconds", type=float, help="per level (10)")
    parser.add_argument("--max-uploads", type=int,
                        help="stop a level after this many uploads (20000)")
    parser.add_argument("--servers", default=f"sync:{2 * CORES + 1},gthread:{CORES + 1}x4",
                        help="gunicorn set-ups to measure: sync:N, gthread:NxT (the first "
                             "serves the zip download); none, with --profile, for the "
                             "profile alone")
    parser.add_argument("--zip-files", type=int, help="files in the zip download (500)")
    parser.add_argument("--no-ceiling", action="store_true", help="skip nginx")
    parser.add_argument("--mix", action="store_true",
                        help="also run each level as 42 pairs of seven schools sending to "
                             "each other, each with its own token")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure the floor, s2s (and --before) this many times in turns; "
                             "each ratio is to the same round's floor")
    parser.add_argument("--floor", action="store_true",
                        help="also measure bench/floor_app.py: Django, a token lookup and one "
                             "insert, under the first --servers set-up")
    parser.add_argument("--no-service", action="store_true",
                        help="skip s2s (measure only nginx: the client and the box)")
    parser.add_argument("--sample", action="store_true",
                        help="sample the s2s workers' stacks every millisecond of CPU and "
                             "print where it went (costs a few per cent of the rate)")
    parser.add_argument("--before", metavar="REV",
                        help="run the first --servers set-up again with the code of commit REV "
                             "(no migrations between them), for a before/after in one run")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also profile N uploads in-process with cProfile, printing where "
                             "the time goes")
    parser.add_argument("--interleave", type=int, default=0, metavar="SLICES",
                        help="serve the floor and s2s at once and load them in turns, each "
                             "round's --seconds cut into this many slices a side, so the box's "
                             "drift falls on both alike (the first --levels only; implies "
                             "--floor)")
    parser.add_argument("--warmup", type=float, default=0, metavar="SECONDS",
                        help="before the first round, upload this long through s2s without "
                             "counting it, so the rounds measure a store past its first "
                             "files (default 0)")
    parser.add_argument("--settle", type=float, default=30, metavar="SECONDS",
                        help="before each level, wait up to this long for other work on the "
                             "box to stop (default 30)")
    parser.add_argument("--worktree", action="store_true",
                        help="serve the working tree instead of an export of HEAD")
    parser.add_argument("--redis", default=os.environ.get("S2S_BENCH_REDIS_URL", ""),
                        metavar="URL",
                        help="serve s2s as production does: S2S_MODE=production, cache and "
                             "task queue on this Redis database (emptied before and after: "
                             "give it one of your own); files stay on local disk")
    parser.add_argument("--keep", action="store_true",
                        help="keep the database s2s_bench and the temp directory")
    args = parser.parse_args()
    defaults = {"levels": "1,8", "seconds": 2.0, "max_uploads": 200, "zip_files": 50} \
        if args.quick else {"levels": "1,8,32", "seconds": 10.0, "max_uploads": 20000,
                            "zip_files": 500}
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.levels = [int(n) for n in args.levels.split(",")]
    args.servers = args.servers.split(",")
    return args


def prepare(args: argparse.Namespace, stack: ExitStack) -> Run:
    """Make the work dir, the code to serve, the database and the files; print what they are."""
    workdir = Path(tempfile.mkdtemp(prefix="s2s-upload-bench-"))
    if not args.keep:
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
    if args.worktree:
        source, code = ROOT, "the working tree, edits in progress included"
    else:
        source, commit = code_snapshot(workdir)
        code = f"commit {commit} (HEAD, exported; --worktree runs the working tree)"
    env = server_env(workdir / "data", source, args.redis)
    token, pairs = "", []
    if args.redis:
        redis_flush(args.redis)
        stack.callback(redis_flush, args.redis)
    if not args.no_service:
        database_reset(create=True)
        if not args.keep:
            stack.callback(database_reset, create=False)
        tokens = world_build(env)
        token = tokens["token"]
        if args.mix:
            pairs = mix_pairs(tokens["mix"])
    pool = ctf_pool(RECEIVER)
    sizes = [len(c) for c in pool]
    print(f"load average before the run: {Path('/proc/loadavg').read_text().strip()} "
          "(other work on the box competes with the bench)")
    print(f"code under test: {code}")
    print("profile: " + (f"production (S2S_MODE=production; cache and tasks on Redis "
                          f"{args.redis}; files on local disk)" if args.redis else
                          "local (cache and tasks in PostgreSQL; files on local disk)"))
    print(f"{CORES} cores; {len(pool)} seeded CTFs of {min(sizes)}-{max(sizes)} bytes, "
          f"each upload stamped unique; levels {args.levels}, {args.seconds:g} s or "
          f"{args.max_uploads} uploads a level; work dir {workdir}\n", flush=True)
    return Run(args, workdir, env, token, pool, stack, pairs=pairs)


def measure_round(run: Run) -> None:
    """Measure the floor, s2s and --before's code once each, in that order (or in slices)."""
    if run.args.rounds > 1:
        print(f"  round {run.round} of {run.args.rounds}", flush=True)
    if run.args.interleave and run.args.servers != ["none"]:
        run.interleaved(run.args.servers[0])
        return
    if run.args.floor and run.args.servers != ["none"]:
        run.floor()
    for spec in run.args.servers:
        if spec != "none":
            run.service(spec)
    if run.args.before and run.args.servers != ["none"]:
        run.service(run.args.servers[0], before=run.args.before)


def measure_service(run: Run) -> ZipResult | None:
    """Run the uploads for every gunicorn set-up, then the zip download and the profile."""
    # Each round measures the floor and s2s again, in turns: the box drifts by a fifth within
    # minutes, so a ratio is taken only between levels of the same round.
    if run.args.warmup and run.args.servers != ["none"]:
        run.warm_store(run.args.servers[0], run.args.warmup)
    for number in range(1, run.args.rounds + 1):
        run.round = number
        measure_round(run)
    zipped = None
    if run.args.zip_files and run.args.servers != ["none"]:
        try:
            zipped = run.zip()
        except (OSError, RuntimeError) as error:  # HTTPError is an OSError
            print(f"  the zip download failed: {error!r}")
    if run.args.profile:
        profile(run, run.args.profile)
    return zipped


def main() -> None:
    args = parse_args()
    # Ctrl-C and SIGTERM both unwind through the ExitStack, which stops servers and drops the
    # database (SIGINT too, in case the shell that started us ignored it).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with ExitStack() as stack:
        run = prepare(args, stack)
        header()
        if not args.no_ceiling:
            run.ceiling()
        zipped = None if args.no_service else measure_service(run)
        summary(run, zipped)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: servers stopped, database and temp directory removed "
                 "(unless --keep)")
