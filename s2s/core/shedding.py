"""Load shedding: past what the workers can take, a fast 503 with Retry-After, not a pile-up.

Under gunicorn's sync workers the queue in front of the workers is the kernel's: connections
wait in the listening socket's accept queue until a worker is free. Each worker, as it takes a
request, reads that queue's length (`TCP_INFO` on the listening socket: for a socket in LISTEN,
Linux reports the queue's length in `tcpi_unacked`); when more than `S2S_SHED_QUEUE` requests
are waiting behind it, it answers this one at once with 503 and `Retry-After` instead of doing
the work. So the queue stays bounded, and so does the wait of every request that is accepted;
a refused request did nothing (it never reached Django), so nothing accepted is lost and a
well-behaved client's retry succeeds. Threaded workers (gthread) queue inside the process too:
requests running at once in a process are counted as well, against `S2S_SHED_INFLIGHT`.

The listening sockets come from gunicorn's `post_worker_init` hook (`s2s/gunicorn_conf.py`).
Without them (`runserver`, tests, another server) only the in-process count applies.
`/healthz` is never shed, so a load balancer does not take a busy instance for a dead one.
"""

import json
import socket
import struct
import threading
from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

# Seconds a client is told to wait: about the time the queue takes to drain.
RETRY_AFTER = 1
_READ = 64 * 1024
# A body larger than this is not read before the 503 (the connection is closed instead).
_DRAIN_LIMIT = 16 * 1024 * 1024
_NEVER_SHED = ("/healthz",)

_listeners: list[socket.socket] = []


def listeners_set(sockets: Iterable) -> None:
    """Remember the worker's listening sockets (gunicorn's `worker.sockets`)."""
    _listeners[:] = [getattr(sock, "sock", sock) for sock in sockets]


def accept_queue(sock: socket.socket) -> int:
    """Return how many connections wait in a listening TCP socket's accept queue (Linux)."""
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 32)
    # struct tcp_info: eight u8 fields, then u32 rto, ato, snd_mss, rcv_mss, unacked, sacked.
    return struct.unpack_from("8x4xIIIII", info)[3]


def waiting() -> int:
    """Return the connections waiting for a worker on this process's listening sockets."""
    total = 0
    for sock in _listeners:
        try:
            total += accept_queue(sock)
        except OSError:
            pass  # not TCP (a Unix socket), or not Linux: nothing to read
    return total


def _drain(environ: dict) -> None:
    """Read the request's body, so the client sees our answer rather than a reset."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > _DRAIN_LIMIT:
        return
    stream = environ.get("wsgi.input")
    while length > 0 and stream is not None:
        chunk = stream.read(min(_READ, length))
        if not chunk:
            break
        length -= len(chunk)


def _language(environ: dict) -> str:
    """Return the reader's language, cheaply, as Django's middleware has not run.

    The language cookie a person chose, else the first language the request asks for.
    """
    for part in environ.get("HTTP_COOKIE", "").split(";"):
        name, _equals, value = part.strip().partition("=")
        if name == settings.LANGUAGE_COOKIE_NAME and value:
            return value
    first = environ.get("HTTP_ACCEPT_LANGUAGE", "").split(",")[0].split(";")[0].strip()
    return "cy" if first.lower().startswith("cy") else "en-gb"


def _busy(environ: dict, start_response: Callable) -> list[bytes]:
    _drain(environ)
    with translation.override(_language(environ)):
        words = gettext("The service is busy: try again in a moment.")
    if environ.get("PATH_INFO", "").startswith("/api/"):
        # The API's one error shape (api/errors.py).
        body = json.dumps({"message": words, "code": "busy", "field": None}).encode()
        kind = "application/json"
    else:
        body = f"{words}\n".encode()
        kind = "text/plain; charset=utf-8"
    start_response("503 Service Unavailable", [
        ("Content-Type", kind), ("Content-Length", str(len(body))),
        ("Retry-After", str(RETRY_AFTER)), ("Cache-Control", "no-store"),
        ("Connection", "close"),
    ])
    return [body]


class LoadShedder:
    """WSGI middleware: answer 503 with Retry-After when the queue passes its bound.

    `queue_limit` bounds the connections waiting for a worker (0: no bound); `inflight_limit`
    the requests one process runs at once (0: no bound). `waiting` is how the queue is read.
    """

    def __init__(self, app: Callable, *, queue_limit: int, inflight_limit: int,
                 waiting: Callable[[], int] = waiting):
        self.app = app
        self.queue_limit = queue_limit
        self.inflight_limit = inflight_limit
        self.waiting = waiting
        self.inflight = 0
        self.lock = threading.Lock()
        self.shed = 0  # requests answered 503 by this process, for tests and curiosity

    def __call__(self, environ: dict, start_response: Callable):
        if environ.get("PATH_INFO", "") in _NEVER_SHED:
            return self.app(environ, start_response)
        with self.lock:
            over = bool(self.inflight_limit) and self.inflight >= self.inflight_limit
            if not over:
                self.inflight += 1
        if not over and self.queue_limit and self.waiting() > self.queue_limit:
            over = True
            with self.lock:
                self.inflight -= 1
        if over:
            with self.lock:
                self.shed += 1
            return _busy(environ, start_response)
        try:
            return self.app(environ, start_response)
        finally:
            with self.lock:
                self.inflight -= 1


def shed_load(app: Callable) -> LoadShedder:
    """Wrap the WSGI app with the limits in settings (`S2S_SHED_QUEUE`, `S2S_SHED_INFLIGHT`).

    Call it once Django is set up (s2s/wsgi.py, after `get_wsgi_application()`).
    """
    from django.conf import settings

    return LoadShedder(app, queue_limit=settings.S2S_SHED_QUEUE,
                       inflight_limit=settings.S2S_SHED_INFLIGHT)
