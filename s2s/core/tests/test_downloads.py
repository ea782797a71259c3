"""Every download, page or API, is an attachment that no cache may keep (`core/downloads.py`)."""

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from s2s.accounts.roles import Role
from s2s.api.tests.conftest import api_client
from s2s.lostpupils.tests.conftest import send_lost
from s2s.messaging.tests.conftest import send
from s2s.transfers.services import transfer_upload
from s2s.transfers.tests.conftest import master_key  # noqa: F401 (autouse)
from s2s.transfers.tests.ctfs import ctf

S2S = Path(__file__).resolve().parents[2]
# Building a response with a Content-Disposition is core/downloads.py's job alone.
_BUILDS_A_DOWNLOAD = re.compile(r"Content-Disposition|StreamingHttpResponse\(|FileResponse\(")


@pytest.fixture
def world(db, home_la, sending_school_user, receiving_school_user, la_officer, la_dba,
          service_admin, make_user):
    home_la.receive_ctf_copies = True
    home_la.save()
    transfer = transfer_upload(user=sending_school_user, name="8383321_CTF_8384512_001.XML",
                               content=io.BytesIO(ctf("8383321", "8384512"))).transfer
    lost = send_lost(sending_school_user, "8383321", surname="Thomson", forename="Ayesha",
                     dob="2012-10-05", sex="F").lost_pupil
    send(la_officer, schools=["8383321"])  # an unread message, for the LA message report
    return {
        "school": receiving_school_user, "la": la_officer, "dba": la_dba,
        "admin": service_admin, "transfer": transfer, "lost": lost,
        "lpd": make_user(Role.LA_LOST_PUPIL_TRANSFER, home_la, username="838lpt"),
    }


# (who, method, URL of the world, data): every download the service offers.
DOWNLOADS = {
    "transfers:download": ("school", "get", lambda w: reverse(
        "transfers:download", args=[w["transfer"].pk]), None),
    "transfers:download-zip": ("school", "post", lambda w: reverse("transfers:download-zip"),
                               lambda w: {"ids": [w["transfer"].pk]}),
    "transfers:la-copy-download": ("la", "get", lambda w: reverse(
        "transfers:la-copy-download", args=[w["transfer"].pk]), None),
    # The file of a lost pupil, once the person has attested on its download page.
    "lostpupils:file": ("lpd", "attested", lambda w: reverse(
        "lostpupils:file", args=[w["lost"].pk]), None),
    "audit:export": ("admin", "get", lambda w: reverse("audit:export"), None),
    "messaging:report-csv": ("dba", "get", lambda w: reverse("messaging:report-csv"), None),
    "reports:csv": ("la", "get", lambda w: reverse("reports:csv", args=["usage"]), None),
    "api files content": ("school", "api", lambda w: f"/api/v1/files/{w['transfer'].pk}/content",
                          None),
    "api reports csv": ("la", "api", lambda w: "/api/v1/reports/usage.csv", None),
}


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
def test_every_download_is_an_attachment_marked_no_store(name, world, client):
    who, method, url, data = DOWNLOADS[name]
    user, url = world[who], url(world)
    if method == "api":
        response = api_client(user).get(url)
    else:
        client.force_login(user)
        if method == "attested":
            client.post(reverse("lostpupils:download", args=[world["lost"].pk]), {"attest": "on"})
            method = "get"
        response = getattr(client, method)(url, data(world) if data else None)
    assert response.status_code == 200, response
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content)


def test_only_core_downloads_builds_a_download_response():
    builders = sorted(
        str(path.relative_to(S2S)) for path in S2S.rglob("*.py")
        if "tests" not in path.parts and path.name != "downloads.py"
        and _BUILDS_A_DOWNLOAD.search(path.read_text(encoding="utf-8")))
    assert builders == [], "build downloads with s2s.core.downloads.download_response"
