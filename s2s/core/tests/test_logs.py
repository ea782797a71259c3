"""Structured logs: one JSON line per record with the request's id, and no pupil data in them."""

import io
import json
import logging
import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from s2s.accounts.roles import Role
from s2s.core.logs import JsonFormatter, RequestIdFilter
from s2s.core.models import OutboundEmail
from s2s.lostpupils.tests.conftest import lost_ctf
from s2s.transfers.models import Transfer
from s2s.transfers.tests.ctfs import ctf_upns


@pytest.fixture
def log_lines():
    """Capture every record at DEBUG and up, through the project's own formatter and filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_each_record_is_one_json_line_with_its_fields():
    record = logging.LogRecord("s2s.example", logging.WARNING, __file__, 1,
                               "Stored %s bytes", (42,), None)
    RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["level"] == "WARNING"
    assert fields["logger"] == "s2s.example"
    assert fields["message"] == "Stored 42 bytes"
    assert fields["request_id"] is None
    assert fields["timestamp"].endswith("+00:00")


def test_a_requests_records_carry_the_id_echoed_in_its_response(client, db, log_lines):
    response = client.get("/no-such-page")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    (not_found,) = [line for line in log_lines() if line["logger"] == "django.request"]
    assert not_found["request_id"] == request_id
    assert client.get("/healthz")["X-Request-ID"] != request_id


def test_a_trusted_proxys_request_id_is_kept_and_anyone_elses_replaced(client, db, settings):
    settings.S2S_TRUSTED_PROXIES = ["192.0.2.10"]
    given = "0f8e2d1c-proxy-id-1234"
    from_proxy = client.get("/healthz", REMOTE_ADDR="192.0.2.10", HTTP_X_REQUEST_ID=given)
    assert from_proxy["X-Request-ID"] == given
    from_client = client.get("/healthz", REMOTE_ADDR="198.51.100.7", HTTP_X_REQUEST_ID=given)
    assert from_client["X-Request-ID"] != given
    malformed = client.get("/healthz", REMOTE_ADDR="192.0.2.10",
                           HTTP_X_REQUEST_ID="id with spaces\tand <tags>")
    assert malformed["X-Request-ID"] != "id with spaces\tand <tags>"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PUPILS = [  # (surname, forename, date of birth): none of them may reach a log
    ("Quennell", "Philippa", "2013-02-17"),
    ("Ogunleye", "Temperance", "2012-07-29"),
]


def _dates(iso: str) -> list[str]:
    year, month, day = iso.split("-")
    return [iso, f"{day}/{month}/{year}", f"{year}{month}{day}", f"{day}-{month}-{year}"]


def test_no_pupil_data_reaches_the_logs(client, settings, make_user, home_la,
                                        sending_school_user, receiving_school_user, log_lines,
                                        django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()  # SMTP is down
    (surname, forename, dob), (lost_surname, lost_forename, lost_dob) = PUPILS
    to_school = lost_ctf("8383321", destination="8384512", surname=surname, forename=forename,
                         dob=dob)
    to_lpd = lost_ctf("8383321", surname=lost_surname, forename=lost_forename, dob=lost_dob,
                      seed=2)
    officer = make_user(Role.LA_LOST_PUPIL_TRANSFER, home_la, username="838lpt")

    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(sending_school_user)
        client.post(reverse("transfers:upload"), {"files": [
            SimpleUploadedFile("8383321_CTF_8384512_001.XML", to_school),
            SimpleUploadedFile("8383321_CTF_XXXXXXX_002.XML", to_lpd)]})
    assert Transfer.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(receiving_school_user)
        sent = Transfer.objects.get(destination_code="8384512")
        downloaded = client.get(reverse("transfers:download", args=[sent.pk]))
        assert b"".join(downloaded.streaming_content) == to_school
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(officer)
        found = client.get(reverse("lostpupils:search"),
                           {"surname": lost_surname, "dob": lost_dob, "search": ""})
        assert lost_forename in found.content.decode()
    # The notices could not be sent: the failure went through the outbox and its log.
    assert OutboundEmail.objects.filter(attempts__gte=1).exists()

    logged = "\n".join(json.dumps(line) for line in log_lines())
    assert "Connection refused" in logged
    secrets = [*ctf_upns(to_school), *ctf_upns(to_lpd)]
    assert len(secrets) == 2  # one pupil, with a UPN, in each file
    for pupil_surname, pupil_forename, pupil_dob in PUPILS:
        secrets += [pupil_surname, pupil_forename, *_dates(pupil_dob)]
    found_in_logs = [secret for secret in secrets if secret.lower() in logged.lower()]
    assert not found_in_logs, f"pupil data in the logs: {found_in_logs}"
