"""gunicorn settings for the upload bench: s2s's own hooks, plus a CPU sampler.

`bench/upload.py` serves s2s with `--config bench/gunicorn_bench.py`, which keeps
`s2s/gunicorn_conf.py`'s hook (the load shedder's sockets) and adds, only when its
environment variable asks it:
- `S2S_BENCH_SAMPLE=DIR`: each worker samples its own stack every millisecond of the CPU it
  uses (`ITIMER_PROF`, so a sample is CPU, not waiting) and writes the stacks it saw to
  `DIR/<pid>.json` when it exits: a profile of real requests under gunicorn, without a
  profiler's overhead on every call.
"""

import atexit
import json
import os
import signal
from collections import Counter
from pathlib import Path

from s2s.gunicorn_conf import post_worker_init as s2s_post_worker_init

INTERVAL = 0.001  # seconds of CPU between samples
# A worker's first requests import the URLconf, the API and its schemas: not the steady state.
WARM_REQUESTS = 5
_stacks: Counter = Counter()
_served = 0


def _sample(_signum, frame) -> None:
    stack = []
    while frame is not None:
        code = frame.f_code
        stack.append(f"{code.co_filename}:{code.co_firstlineno}({code.co_name})")
        frame = frame.f_back
    _stacks[tuple(stack)] += 1


def _dump() -> None:
    folder = os.environ.get("S2S_BENCH_SAMPLE")
    if not folder or not _stacks:
        return
    signal.setitimer(signal.ITIMER_PROF, 0, 0)
    path = Path(folder) / f"{os.getpid()}.json"
    path.write_text(json.dumps([[list(stack), count] for stack, count in _stacks.items()]))
    _stacks.clear()


def post_worker_init(worker) -> None:
    """s2s's hook, then the sampler when the environment asks."""
    s2s_post_worker_init(worker)
    if os.environ.get("S2S_BENCH_SAMPLE"):
        signal.signal(signal.SIGPROF, _sample)
        atexit.register(_dump)


def pre_request(_worker, _request) -> None:
    """Start sampling once the worker has served its first requests."""
    global _served
    _served += 1
    if _served == WARM_REQUESTS + 1 and os.environ.get("S2S_BENCH_SAMPLE"):
        signal.setitimer(signal.ITIMER_PROF, INTERVAL, INTERVAL)


def worker_exit(_server, _worker) -> None:
    """Write the samples as the worker stops."""
    _dump()
