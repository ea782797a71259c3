"""GET /metrics: who may read it, and what it counts (single process and several)."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks import task
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from s2s.core.errors import ServiceError
from s2s.core.metrics import metrics_text
from s2s.core.models import EmailStatus, OutboundEmail
from s2s.transfers.services import transfer_open_for_download, transfer_upload
from s2s.transfers.tests.ctfs import ctf

REPO = Path(__file__).resolve().parents[3]


@task()
def always_fails() -> None:
    """Fail, for the failure counter."""
    raise RuntimeError("a task that fails")


def _samples(text: bytes) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text.decode())
        for sample in family.samples
    }


def _value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _page(response) -> str:
    # The form fields' values (the CSRF token) and the language switch's way back to the page
    # asked for differ.
    page = re.sub(r'value="[^"]*"', "", response.content.decode())
    return re.sub(r"\?next=[^\"]*", "", page)


def test_metrics_are_the_same_not_found_page_as_any_unknown_page(client, db, settings):
    settings.S2S_METRICS_ALLOW = []
    settings.S2S_METRICS_TOKEN = "the-scrape-token"
    unknown = client.get("/no-such-page")
    for headers in ({}, {"Authorization": "Bearer not-the-token"},
                    {"Authorization": "Basic the-scrape-token"}):
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 404
        assert _page(response) == _page(unknown)


def test_metrics_are_given_to_an_allowed_address(client, db, settings):
    settings.S2S_METRICS_ALLOW = ["10.0.0.0/8", "127.0.0.1"]
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    names = {name for name, _labels in _samples(response.content)}
    assert {"s2s_uploads_total", "s2s_downloads_total", "s2s_task_failures_total",
            "s2s_tasks_queued", "s2s_emails_pending"} <= names


def test_an_address_outside_the_allowed_networks_is_not_given_them(client, db, settings):
    settings.S2S_METRICS_ALLOW = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 404


def test_only_a_trusted_proxy_can_say_the_client_is_allowed(client, db, settings):
    settings.S2S_METRICS_ALLOW = ["10.1.2.3"]
    settings.S2S_TRUSTED_PROXIES = ["192.0.2.10"]
    forwarded = {"HTTP_X_FORWARDED_FOR": "10.1.2.3"}
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.10", **forwarded).status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="198.51.100.7", **forwarded).status_code == 404


def test_metrics_are_given_for_the_right_bearer_token_from_anywhere(client, db, settings):
    settings.S2S_METRICS_ALLOW = []
    settings.S2S_METRICS_TOKEN = "the-scrape-token"
    response = client.get("/metrics", headers={"Authorization": "Bearer the-scrape-token"},
                          REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200


def test_an_upload_and_a_download_are_counted_once_committed(
        db, sending_school_user, receiving_school_user, django_capture_on_commit_callbacks):
    uploads, downloads = _value("s2s_uploads_total"), _value("s2s_downloads_total")
    with django_capture_on_commit_callbacks(execute=True):
        transfer = transfer_upload(user=sending_school_user, name="8383321_CTF_8384512_001.XML",
                                   content=io.BytesIO(ctf("8383321", "8384512"))).transfer
    with django_capture_on_commit_callbacks(execute=True):
        _name, chunks = transfer_open_for_download(user=receiving_school_user, transfer=transfer)
        b"".join(chunks)
    assert _value("s2s_uploads_total") == uploads + 1
    assert _value("s2s_downloads_total") == downloads + 1


def test_a_refused_upload_is_not_counted(db, sending_school_user,
                                         django_capture_on_commit_callbacks):
    uploads = _value("s2s_uploads_total")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ServiceError):
        transfer_upload(user=sending_school_user, name="8383321_CTF_8384512_002.XML",
                        content=io.BytesIO(b"not xml"))
    assert _value("s2s_uploads_total") == uploads


def test_a_failed_task_is_counted(db):
    failures = _value("s2s_task_failures_total")
    always_fails.enqueue()
    assert _value("s2s_task_failures_total") == failures + 1


def test_queued_tasks_and_pending_emails_are_read_from_their_tables(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    always_fails.enqueue()
    always_fails.enqueue()
    now = timezone.now()
    for status in (EmailStatus.QUEUED, EmailStatus.QUEUED, EmailStatus.QUEUED, EmailStatus.SENT):
        OutboundEmail.objects.create(to="someone@example.org", subject="s", text="t",
                                     status=status, created_at=now, next_attempt_at=now)
    samples = _samples(metrics_text())
    assert samples[("s2s_tasks_queued", ())] == 2
    assert samples[("s2s_emails_pending", ())] == 3


def test_request_durations_are_labelled_by_url_name_never_by_path(client, db, settings):
    settings.S2S_METRICS_ALLOW = ["127.0.0.1"]
    before = _value("s2s_request_duration_seconds_count", view="core:health", method="GET")
    client.get("/healthz")
    client.get("/no-such-page-0123456789")
    client.get("/api/v1/files/987654321/content")
    assert _value("s2s_request_duration_seconds_count", view="core:health",
                  method="GET") == before + 1
    text = client.get("/metrics").content.decode()
    assert 'view="unresolved"' in text
    assert 'view="/api/v1/files/<file_id>/content"' in text
    assert "0123456789" not in text
    assert "987654321" not in text


def _write_in_another_process(directory: Path, uploads: int, seconds: float) -> None:
    script = (
        "import django; django.setup()\n"
        "from s2s.core import metrics\n"
        f"metrics.UPLOADS.inc({uploads})\n"
        "metrics.REQUEST_DURATION.labels(view='core:health', method='GET')"
        f".observe({seconds})\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "s2s.settings",
           "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, check=True, timeout=60)


def test_several_worker_processes_are_added_up_in_multiprocess_mode(db, tmp_path, monkeypatch):
    _write_in_another_process(tmp_path, uploads=3, seconds=0.2)
    _write_in_another_process(tmp_path, uploads=4, seconds=0.7)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    samples = _samples(metrics_text())
    assert samples[("s2s_uploads_total", ())] == 7
    health = (("method", "GET"), ("view", "core:health"))
    assert samples[("s2s_request_duration_seconds_count", health)] == 2
    assert samples[("s2s_request_duration_seconds_sum", health)] == pytest.approx(0.9)
    quick = tuple(sorted((*health, ("le", "0.25"))))
    assert samples[("s2s_request_duration_seconds_bucket", quick)] == 1
