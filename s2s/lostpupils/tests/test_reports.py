"""The lost pupil reports (seed 003, 7.4-7.5) in the report registry, on screen and as CSV."""

import pytest
from django.urls import reverse

from s2s.audit.models import AuditEvent
from s2s.lostpupils.services import records as services
from s2s.lostpupils.tests.conftest import send_lost


@pytest.fixture
def sent(sending_school_user, outsider_school_user, other_lpd_officer):
    missing = send_lost(sending_school_user, "8383321", surname="=cmd|calc", sex="F",
                        dob="2014-05-05").lost_pupil
    left = send_lost(sending_school_user, "8383321", destination="MMMMMMM", sex="M",
                     dob="2012-01-01").lost_pupil
    send_lost(outsider_school_user, "6812345", sex="M")
    services.lost_pupil_confirm_download(user=other_lpd_officer, record=missing)
    return missing, left


def test_the_details_csv_escapes_formulas_and_picks_the_kind(client, sent, la_dba):
    client.force_login(la_dba)
    url = reverse("reports:csv", kwargs={"name": "lost-pupil-details"})
    both = b"".join(client.get(url, {"which": "both"}).streaming_content).decode("utf-8")
    lines = both.strip().splitlines()
    assert lines[0].startswith("school,school_name,file")
    assert len(lines) == 3
    assert "'=cmd|calc" in both
    left = b"".join(client.get(url, {"which": "left"}).streaming_content).decode()
    assert "MMMMMMM" in left
    assert "XXXXXXX" not in left.split("\n", 1)[1]
    assert AuditEvent.objects.filter(action="lpd_report_details").exists()


def test_now_downloaded_lists_what_another_la_found(client, sent, la_dba):
    client.force_login(la_dba)
    url = reverse("reports:csv", kwargs={"name": "lost-pupil-details"})
    text = b"".join(client.get(url, {"which": "downloaded"}).streaming_content).decode()
    assert len(text.strip().splitlines()) == 2
    assert ",681," in text


def test_the_numbers_report_counts_by_age_and_sex(client, sent, la_dba, other_la_dba):
    client.force_login(la_dba)
    response = client.get(reverse("reports:report", kwargs={"name": "lost-pupil-numbers"}))
    assert response.status_code == 200
    client.force_login(other_la_dba)
    url = reverse("reports:csv", kwargs={"name": "lost-pupil-numbers"})
    text = b"".join(client.get(url).streaming_content).decode()
    rows = [line.split(",") for line in text.strip().splitlines()[1:]]
    assert sum(int(r[1]) for r in rows) == 1  # 681's school uploaded one, sex M
    assert sum(int(r[5]) for r in rows) == 1  # 681 downloaded one, a girl
