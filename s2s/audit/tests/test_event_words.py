"""The audit page says what happened in words; the CSV keeps the event's code (issue 19)."""

import csv
import io
import re
from pathlib import Path

import lxml.html
from django.urls import reverse

import s2s
from s2s.audit.events import EVENT_WORDS
from s2s.audit.services import audit_record

NOT_AUDIT = {"store_true", "store_false", "append", "count"}  # argparse's actions


def text_of_audit_calls() -> str:
    return "\n".join(path.read_text() for path in Path(s2s.__file__).parent.rglob("*.py")
                     if "tests" not in path.parts)


def test_every_kind_of_event_the_services_write_has_words():
    codes = {code for code in re.findall(r'action\s*=\s*"([a-z_.]+)"', text_of_audit_calls())
             if code not in NOT_AUDIT}
    assert len(codes) > 40
    assert sorted(codes - set(EVENT_WORDS)) == []


def test_the_audit_page_shows_words_and_the_csv_keeps_the_code(client, service_admin,
                                                                la_officer):
    audit_record(action="la_not_collected_view", actor=la_officer, summary="3 files")
    client.force_login(service_admin)
    page = lxml.html.fromstring(client.get(reverse("audit:list")).content)
    assert page.xpath("//tbody/tr/td[3]/text()") == ["Viewed files not collected"]
    assert "la_not_collected_view" not in page.text_content()
    offered = page.xpath("//select[@name='action']/option/text()")
    assert "Viewed files not collected" in offered
    export = b"".join(client.get(reverse("audit:export")).streaming_content).decode()
    rows = list(csv.reader(io.StringIO(export)))
    assert [row[2] for row in rows[1:]] == ["la_not_collected_view"]
