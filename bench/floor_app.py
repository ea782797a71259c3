"""The upload bench's floor: the least a Django upload endpoint can do, served like s2s.

`POST /api/v1/files` reads the multipart upload through Django's request, looks its bearer
token up with one indexed query, and writes one audit row in a transaction; it validates,
addresses, encrypts and stores nothing. No middleware, no URL routing. Its rate under the
same gunicorn set-up says what Django, psycopg and PostgreSQL alone allow on this machine:
the work s2s does for an upload has to fit in what is left. `/healthz` answers 200.
"""

import hashlib
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "s2s.settings")

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIRequest  # noqa: E402
from django.db import close_old_connections, transaction  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402

from s2s.accounts.models import ApiToken  # noqa: E402
from s2s.audit.models import AuditEvent  # noqa: E402


def _answer(request: WSGIRequest) -> HttpResponse:
    if request.path == "/healthz":
        return HttpResponse("ok")
    key = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    token = (ApiToken.objects.select_related("user")
             .filter(key_hash=ApiToken.hash(key), revoked_at__isnull=True).first())
    if token is None:
        return JsonResponse({"detail": "unauthorised"}, status=401)
    upload = request.FILES["file"]
    digest = hashlib.sha256(upload.read()).hexdigest()
    with transaction.atomic():
        event = AuditEvent.objects.create(actor=token.user, action="bench_floor",
                                          summary=upload.name, detail={"sha256": digest})
    return JsonResponse({"id": event.pk, "name": upload.name}, status=201)


def application(environ, start_response):
    close_old_connections()  # what Django's handler does at each request's start and end
    try:
        response = _answer(WSGIRequest(environ))
    finally:
        close_old_connections()
    start_response(f"{response.status_code} {response.reason_phrase}",
                   [(k, v) for k, v in response.items()])
    return [response.content]
