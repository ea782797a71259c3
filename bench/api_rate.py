"""What the API's rate limit costs each request, on each shared cache (issue 20).

    .venv/bin/python bench/api_rate.py [--calls 2000]

Times `s2s.api.throttling.TokenRate.allow_request` (one count per request) on the database
cache in SQLite (a temporary file), the database cache in PostgreSQL (127.0.0.1:5432, database
`s2s_hw_bench`, created and dropped) and Redis (127.0.0.1:6379, keys under a prefix of its
own, deleted after), each in a fresh process. Prints the mean and percentiles in ms. A
backend that is not reachable is skipped, saying so.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DB = "s2s_hw_bench"

CHILD = """
import json, os, statistics, sys, time
import django
django.setup()
from django.conf import settings
settings.CACHES["default"]["KEY_PREFIX"] = os.environ.get("BENCH_PREFIX", "s2s")
from types import SimpleNamespace
from django.core.management import call_command
from django.core.cache import cache
from s2s.api.throttling import TokenRate

call_command("createcachetable", verbosity=0)
calls = int(sys.argv[1])
throttle, times = TokenRate(), []
for n in range(calls):
    request = SimpleNamespace(api_token_id=n % 50)  # 50 connectors' tokens
    start = time.perf_counter()
    throttle.allow_request(request)
    times.append((time.perf_counter() - start) * 1000)
times.sort()
if os.environ.get("S2S_CACHE_URL"):
    client = cache._cache.get_client()
    for key in client.keys(os.environ["BENCH_PREFIX"] + "*"):
        client.delete(key)
print(json.dumps({"mean": statistics.fmean(times), "p50": times[len(times) // 2],
                  "p95": times[int(len(times) * 0.95)], "p99": times[int(len(times) * 0.99)]}))
"""


def _run(name: str, env: dict, calls: int) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("S2S_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(calls)], cwd=ROOT, capture_output=True, text=True,
        env={**base, "DJANGO_SETTINGS_MODULE": "s2s.settings", **env}, timeout=600)
    if result.returncode != 0:
        print(f"{name:28} skipped: {result.stderr.strip().splitlines()[-1]}")
        return
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"{name:28} mean {figures['mean']:.3f}  p50 {figures['p50']:.3f}  "
          f"p95 {figures['p95']:.3f}  p99 {figures['p99']:.3f} ms")


def _psql(sql: str) -> bool:
    return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql],
                          capture_output=True).returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    print(f"TokenRate.allow_request, {args.calls} calls over 50 tokens")
    with tempfile.TemporaryDirectory() as tmp:
        _run("database cache, SQLite", {"S2S_DATA_DIR": tmp}, args.calls)
        _psql(f"DROP DATABASE IF EXISTS {PG_DB}")
        if _psql(f"CREATE DATABASE {PG_DB}"):
            try:
                _run("database cache, PostgreSQL", {
                    "S2S_DATA_DIR": tmp,
                    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{PG_DB}"}, args.calls)
            finally:
                _psql(f"DROP DATABASE IF EXISTS {PG_DB}")
        else:
            print(f"{'database cache, PostgreSQL':28} skipped: no PostgreSQL on 127.0.0.1:5432")
        prefix = f"s2s-bench-{uuid.uuid4().hex}"
        _run("Redis", {"S2S_DATA_DIR": tmp, "S2S_CACHE_URL": "redis://127.0.0.1:6379/0",
                       "BENCH_PREFIX": prefix}, args.calls)


if __name__ == "__main__":
    start = time.monotonic()
    main()
    print(f"({time.monotonic() - start:.0f} s)")
