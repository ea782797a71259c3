"""The service's metrics for Prometheus (prometheus-client), and who may read them.

Counters and the request-duration histogram are kept by each process as it works. Under
gunicorn each worker is its own process: with `PROMETHEUS_MULTIPROC_DIR` set (before the
processes start, to a directory emptied at each start of the service) every process writes its
values to files there and a scrape of any worker adds them all up, so the figures are the
service's, not one worker's. Without it (`make run`, tests) a process reports its own.

The queue and the outbox are gauges read from their tables at scrape time, so every worker
gives the same answer and nothing has to be kept in step.

`/metrics` is for the addresses in `S2S_METRICS_ALLOW` or a bearer token equal to
`S2S_METRICS_TOKEN`; everyone else gets the same 404 as any unknown page. This is a machine's
endpoint, not a person's: `accounts.policy` (which decides what users may do) is not asked.
"""

import hmac
import ipaddress
import os
import time

from django.conf import settings
from django.db import transaction
from django_tasks.base import TaskResultStatus
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from s2s.core.addresses import client_address, trusted_networks

UPLOADS = Counter("s2s_uploads", "Files uploaded (committed), by any page, the API or a command.")
DOWNLOADS = Counter("s2s_downloads", "Files downloaded by their destination (each file in a zip).")
TASK_FAILURES = Counter("s2s_task_failures", "Background tasks that ended in failure.")
REQUEST_DURATION = Histogram(
    "s2s_request_duration_seconds",
    "Time to answer a request, by URL name (or the API's URL pattern) and method.",
    ["view", "method"],
)
# Methods kept as labels; anything else is "other", so a client cannot invent label values.
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def count_upload() -> None:
    """Count one upload once its transaction commits (a rolled-back upload never happened)."""
    transaction.on_commit(UPLOADS.inc, robust=True)


def count_downloads(count: int) -> None:
    """Count downloads of `count` files once their transaction commits."""
    transaction.on_commit(lambda: DOWNLOADS.inc(count), robust=True)


def count_task_finished(sender, task_result, **kwargs) -> None:
    """Count a failed task (a receiver of django-tasks' `task_finished` signal)."""
    if task_result.status == TaskResultStatus.FAILED:
        TASK_FAILURES.inc()


class TablesCollector:
    """The gauges read from the database at scrape time: tasks queued, emails pending."""

    def collect(self):
        """Yield the queued tasks and the emails waiting to be sent, as the tables say now."""
        from s2s.core.models import EmailStatus, OutboundEmail
        from s2s.core.taskqueue import tasks_queued

        # The task table's READY rows, or the Redis queue's length (core/taskqueue.py).
        yield GaugeMetricFamily("s2s_tasks_queued", "Background tasks waiting for a worker.",
                                value=tasks_queued())
        pending = OutboundEmail.objects.filter(status=EmailStatus.QUEUED).count()
        yield GaugeMetricFamily("s2s_emails_pending", "Emails in the outbox not yet sent.",
                                value=pending)


def metrics_text() -> bytes:
    """Return every metric in Prometheus' text format: the processes' and the tables'."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    tables = CollectorRegistry()
    tables.register(TablesCollector())
    return text + generate_latest(tables)


def metrics_allowed(request) -> bool:
    """Return whether this request may read the metrics: by its token, or by its address."""
    token = getattr(settings, "S2S_METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()):
        return True
    allowed = tuple(getattr(settings, "S2S_METRICS_ALLOW", ()))
    if not allowed:
        return False
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    # trusted_networks only parses (and caches) a list of addresses and networks.
    return any(parsed in network for network in trusted_networks(allowed))


def _view_label(request) -> str:
    """Return the URL's name, or for an unnamed URL (the API's) its pattern; never the path."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unresolved"
    if match.url_name:
        return match.view_name
    return "/" + match.route


class RequestDurationMiddleware:
    """Time every request into the histogram, labelled by its URL's name, never its path."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in _METHODS else "other"
        REQUEST_DURATION.labels(view=_view_label(request), method=method).observe(
            time.perf_counter() - started)
        return response
