"""The load shedder: a fast 503 with Retry-After past the queue's bound, nothing else touched."""

import io
import json
import socket
import time

from s2s.core.shedding import LoadShedder, accept_queue, listeners_set, waiting


def _environ(path="/api/v1/files", body=b"x" * 70_000):
    return {"PATH_INFO": path, "REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body)}


class _App:
    def __init__(self):
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        start_response("201 Created", [("Content-Type", "application/json")])
        return [b'{"id": 1}']


def _call(shedder, environ):
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = status, dict(headers)

    answer["body"] = b"".join(shedder(environ, start_response))
    return answer


def test_a_request_past_the_queue_bound_is_answered_503_with_retry_after_and_not_run():
    app = _App()
    shedder = LoadShedder(app, queue_limit=4, inflight_limit=0, waiting=lambda: 5)
    environ = _environ()
    answer = _call(shedder, environ)
    assert answer["status"] == "503 Service Unavailable"
    assert answer["headers"]["Retry-After"] == "1"
    assert json.loads(answer["body"]) == {
        "message": "The service is busy: try again in a moment.", "code": "busy", "field": None}
    assert app.calls == 0
    assert environ["wsgi.input"].read() == b""  # the body was read, so the client sees the 503


def test_the_refusal_is_worded_in_the_language_the_request_asks_for():
    shedder = LoadShedder(_App(), queue_limit=1, inflight_limit=0, waiting=lambda: 9)
    welsh = _call(shedder, {**_environ(), "HTTP_ACCEPT_LANGUAGE": "cy,en-GB;q=0.8"})
    assert json.loads(welsh["body"])["message"] == (
        "Mae'r gwasanaeth yn brysur: rhowch gynnig arall arni mewn munud.")
    chosen = _call(shedder, {**_environ("/files/", b""), "HTTP_ACCEPT_LANGUAGE": "cy",
                             "HTTP_COOKIE": "sessionid=x; django_language=en-gb"})
    assert chosen["body"] == b"The service is busy: try again in a moment.\n"


def test_a_request_within_the_bound_is_served():
    app = _App()
    shedder = LoadShedder(app, queue_limit=4, inflight_limit=0, waiting=lambda: 4)
    assert _call(shedder, _environ())["status"] == "201 Created"
    assert app.calls == 1


def test_a_page_is_shed_in_plain_text_and_the_health_check_never():
    app = _App()
    shedder = LoadShedder(app, queue_limit=1, inflight_limit=0, waiting=lambda: 9)
    page = _call(shedder, _environ("/files/", b""))
    assert page["status"].startswith("503")
    assert page["headers"]["Content-Type"].startswith("text/plain")
    assert _call(shedder, _environ("/healthz", b""))["status"] == "201 Created"


def test_requests_running_at_once_in_a_process_are_bounded():
    seen = []

    def app(environ, start_response):
        # While this request runs, a second one arrives in the same process.
        seen.append(_call(shedder, _environ())["status"])
        start_response("200 OK", [])
        return [b""]

    shedder = LoadShedder(app, queue_limit=0, inflight_limit=1, waiting=lambda: 0)
    assert _call(shedder, _environ())["status"] == "200 OK"
    assert seen == ["503 Service Unavailable"]
    assert shedder.inflight == 0


def test_the_queue_is_read_from_the_listening_socket():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        clients = [socket.create_connection(listener.getsockname()) for _ in range(3)]
        try:
            for _ in range(50):  # the handshakes complete in the kernel, not in our time
                if accept_queue(listener) == 3:
                    break
                time.sleep(0.01)
            assert accept_queue(listener) == 3
            listeners_set([listener])
            assert waiting() == 3
            listener.accept()[0].close()
            assert waiting() == 2
        finally:
            listeners_set([])
            for client in clients:
                client.close()


def test_the_wsgi_application_sheds_with_the_limits_in_settings(settings):
    from s2s.core.shedding import shed_load

    settings.S2S_SHED_QUEUE, settings.S2S_SHED_INFLIGHT = 7, 3
    shedder = shed_load(_App())
    assert (shedder.queue_limit, shedder.inflight_limit) == (7, 3)
