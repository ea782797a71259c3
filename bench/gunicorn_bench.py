"""gunicorn settings for the upload bench: s2s's own hooks, plus a CPU sampler and the chain switch.

`bench/upload.py` serves s2s with `--config bench/gunicorn_bench.py`, which keeps
`s2s/gunicorn_conf.py`'s hook (the load shedder's sockets) and adds, each only when its
environment variable asks:
- `S2S_BENCH_SAMPLE=DIR`: each worker samples its own stack every millisecond of the CPU it
  uses (`ITIMER_PROF`, so a sample is CPU, not waiting) and writes the stacks it saw to
  `DIR/<pid>.json` when it exits: a profile of real requests under gunicorn, without a
  profiler's overhead on every call;
- `S2S_BENCH_AUDIT_CHAIN=unlocked`: audit rows are hashed as always but the chain's head is
  neither locked nor moved, so audited transactions no longer queue on it. The rows it leaves
  do not verify: for measuring what the lock costs, on the bench's own database only. Since
  the chain's follower (audit/chain.py) writers take no lock, so the switch changes only the
  code of commits before it (`--before`); on later code it does nothing.
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


def _chain_unlocked() -> None:
    """Make the audit chain's writer hash each row but neither lock nor move the head."""
    from django.db import transaction

    from s2s.audit import chain, models

    if not hasattr(chain, "_append_postgresql"):  # writers no longer lock the head
        return

    def append(event, save) -> None:
        with transaction.atomic(savepoint=False):
            event.seq = 0
            event.previous_hash = ""
            event.hash = chain.chain_hash(previous_hash="", seq=0,
                                          content=chain.chain_content(chain._normalised(event)))
            save()

    models.chain_append = append


def post_worker_init(worker) -> None:
    """s2s's hook, then the sampler and the chain switch when the environment asks."""
    s2s_post_worker_init(worker)
    if os.environ.get("S2S_BENCH_AUDIT_CHAIN") == "unlocked":
        _chain_unlocked()
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
