"""The demo in Cymraeg: every page each role reaches, the audit trail too, has no English left.

The demo is loaded once for the module (as `directory/tests/test_demo_loaded.py` does), then
events of every kind the demo does not make are made through the services (a feed, CME cases,
an agreement made and ended, an Operation Encompass notification, a partnership, a match run,
a removal, a retention purge, a feed purge, a refused sign-in). Each role then follows every
link from its start page (each kind of page a few times), reading Welsh, and each page's text
is checked for the catalogue's English (`welsh.english_left`). Issue 17.
"""

import contextlib
import csv
import io
import json
import re
from collections import Counter, deque
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from lxml import html
from splink.internals.exceptions import EMTrainingException

from s2s.accounts.models import User
from s2s.audit.models import AuditEvent
from s2s.conftest import VerifiedClient
from s2s.core.tests.welsh import english_left
from s2s.directory.tests.demo_database import demo_loaded

# Each kind of page (URL name) is read this often per role: the first few rows of a list are
# enough to see its words, and the crawl stays at a few hundred pages.
VISITS_PER_PAGE = 2
# Links that change the session or language, or leave the pages (files, CSV, the API).
SKIPPED = ("/account/language/", "/account/sign-out", "/static/", "/api/", "/admin/")
PEOPLES_WORDS = "//*[contains(@class, 's2s-message-body')]"
ROLES = ("admin", "838dba", "838dbaview", "838user", "838laschool", "838lostpupil",
         "838lostpupiltransfer", "838census", "838admissions", "838cme", "681dba", "681cme",
         "8383321", "6812345", "838hlth", "838polc")


def _events() -> None:
    """Make, through the services, the kinds of event the demo's month does not."""
    from s2s.accounts.signin import sign_in_refused
    from s2s.agencies.agreements import agreement_end, agreement_make
    from s2s.agencies.encompass import encompass_send
    from s2s.agencies.models import ExchangeAgreement
    from s2s.cme.cases import case_act, case_open
    from s2s.ctf.identifiers import make_upn
    from s2s.directory.models import Agency, LocalAuthority
    from s2s.directory.services import la_update
    from s2s.feeds.models import Feed
    from s2s.feeds.services import feed_receive, feed_report_view
    from s2s.feeds.tests.conftest import pupil
    from s2s.lostpupils.models import LostPupilRecord, RecordStatus
    from s2s.lostpupils.services.records import lost_pupil_remove
    from s2s.matching.runs import match_run
    from s2s.partnerships.services import partnership_create, partnership_sign
    from s2s.transfers.models import Transfer, TransferStatus
    from s2s.transfers.retention import transfer_purge

    people = {user.username: user for user in User.objects.filter(username__in=[
        "admin", "838dba", "838cme", "838lostpupil", "8383321", "8384512", "8383321-mis",
        "838polc"])}
    today = timezone.localdate()
    upn = make_upn(la="838", establishment="3321", year=20, serial=901)  # on no roll yet
    roll = {"school": "8383321", "full": False,
            "pupils": [pupil(upn, surname="Prys", forename="Siân")]}
    case = case_open(user=people["838cme"], upn=upn, surname="Prys", forename="Siân",
                     dob=date(2016, 10, 15))
    for action in ("start_enquiries", "lpd_searched", "located"):
        case_act(user=people["838cme"], case_id=case.pk, action=action)
    case_act(user=people["838cme"], case_id=case.pk, action="note", note="Mam wedi ffonio.")
    # The child arrives on a roll: the case is flagged.
    feed = feed_receive(user=people["8383321-mis"], kind="roll",
                        content=json.dumps(roll).encode())
    feed_report_view(user=people["838cme"], feed_id=feed.pk)
    agency = Agency.objects.get(reference="838HLTH")
    made = agreement_make(user=people["838dba"], agency=agency, direction="in",
                          ends=["8383321"], purpose="Health visits",
                          until=today + timedelta(days=30))
    agreement_end(user=people["838dba"], agreement=ExchangeAgreement.objects.get(pk=made.pk))
    encompass_send(user=people["838polc"], school="8383321", reference="DP/2026/1",
                   surname="Prys", forename="Siân", dob=date(2016, 10, 15), incident_on=today,
                   summary="Digwyddiad neithiwr.")
    partnership = partnership_create(
        user=people["8383321"], name="Partneriaeth Dorchester", members=["8384512"],
        purpose="Pupils taught in two schools", kinds=["attendance"],
        lawful_basis="UK GDPR 6(1)(e) public task", retention_days=365,
        review_date=today + timedelta(days=90))
    partnership_sign(user=people["8383321"], partnership_id=partnership.pk)
    # The demo's roll is too small to train on: the run fails, and its failure is audited.
    with contextlib.suppress(EMTrainingException):
        match_run(kind="full", user=people["admin"])
    record = LostPupilRecord.objects.filter(
        status=RecordStatus.OPEN, uploading_la__number="838").first()
    if record is not None:
        lost_pupil_remove(user=people["838lostpupil"], record=record,
                          reason="Wedi symud i Gaerdydd")
    collected = Transfer.objects.filter(status=TransferStatus.COLLECTED).first()
    transfer_purge(transfer=collected, now=timezone.now() + timedelta(days=60))
    la_update(user=people["admin"], la=LocalAuthority.objects.get(number="838"),
              name="Dorset Council", email="s2s@dorset.example.gov.uk",
              receive_ctf_copies=False)
    sign_in_refused(request=RequestFactory().post("/"), user=people["8383321-mis"],
                    reason="api_only")
    # A feed received 40 days ago: retention deletes its raw body.
    old = feed_receive(user=people["8383321-mis"], kind="roll", content=json.dumps(roll).encode())
    Feed.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=40))
    call_command("purge_feeds", stdout=io.StringIO())


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo and the events once; each test runs in a savepoint inside."""
    with demo_loaded(django_db_blocker, tmp_path_factory.mktemp("files")) as loaded:
        _events()
        yield loaded.storages


@pytest.fixture
def demo_files(demo, settings):
    """Read the demo's stored files (each test otherwise gets a store of its own)."""
    settings.STORAGES = demo


def _page_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _links(page, here: str) -> list[str]:
    found = []
    for href in page.xpath("//a/@href"):
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIPPED) or "download" in parts.path or parts.path == here:
            continue
        found.append(href.split("#")[0])
    return found


def _crawl(client, start: str = "/") -> dict[str, list[str]]:
    """Follow every link from `start`, reading each kind of page a few times; return leftovers."""
    seen, read, left = {start}, Counter(), {}
    queue = deque([start])
    while queue:
        url = queue.popleft()
        name = _page_name(urlsplit(url).path)
        if name is None or read[name] >= VISITS_PER_PAGE:
            continue
        read[name] += 1
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = html.fromstring(response.content)
        assert page.get("lang") == "cy", url
        # Scripts, hidden parts and what people wrote (a message's text) are not the service's.
        for hidden in page.xpath(f"//script|//style|//*[@hidden]|{PEOPLES_WORDS}"):
            hidden.drop_tree()
        found = english_left(page.text_content())
        if found:
            left[url] = found
        for link in _links(page, urlsplit(url).path):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return left


def _reader(username: str) -> VerifiedClient:
    user = User.objects.get(username=username)
    user.language = "cy"
    user.save(update_fields=["language"])
    client = VerifiedClient()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_reaches_in_welsh_has_no_english_left(demo_files, username):
    with translation.override("cy"):
        left = _crawl(_reader(username))
    report = "\n".join(f"{url}: {' | '.join(found)}" for url, found in left.items())
    assert not left, f"English left on {username}'s Welsh pages:\n{report}"


# Events the services word with a choice's label, a code or a person's words (issue 17).
WORDED = {"agency.agreement_made", "agency.agreement_ended", "feeds_purge", "transfer_delete",
          "lpd_remove", "cme_case_open", "cme_case_action", "cme_case_turned_up",
          "feed_receive", "match_run_failed", "directory.la.update", "sign_in_failed",
          "encompass.sent", "partnership.created"}
# English that is no name or code: a leftover in the Welsh details (the values put into the
# words, names and numbers, are taken out first; a value that is a code stays in).
ENGLISH = frozenset(
    "the and of to with until from for by in out both ended received opened failed downloaded "
    "run match nightly full referred enquiries located roll attendance accepted refused raw "
    "feed feeds bodies marks pupils records signals returns reason given days after collected "
    "rejected retention files note".split())
CODE = re.compile(r"[a-z]+(?:_[a-z]+)+")


def _values(params: dict):
    """Yield the data put into audit words: names and numbers, not codes nor nested words."""
    for value in params.values():
        if isinstance(value, dict):
            yield from _values(value.get("params") or {})
        elif not re.fullmatch(r"[a-z_]+", str(value)):
            yield str(value)


def _english_in(details: str, params: dict) -> list[str]:
    for value in sorted(_values(params), key=len, reverse=True):
        details = details.replace(value, " ")
    return [word for word in re.findall(r"[A-Za-z_]+", details)
            if word in ENGLISH or CODE.fullmatch(word)]


@pytest.mark.django_db
def test_the_audit_trail_of_every_kind_of_event_reads_in_welsh(demo):
    events = list(AuditEvent.objects.all())
    assert WORDED <= {event.action for event in events}
    left = {}
    with translation.override("cy"):
        for event in events:
            found = _english_in(event.details, event.detail.get("words", {}).get("params", {}))
            if found:
                left.setdefault(event.action, f"{event.details} ({', '.join(found)})")
    report = "\n".join(f"{action}: {details}" for action, details in left.items())
    assert not left, f"English left in the Welsh audit trail:\n{report}"


@pytest.mark.django_db
def test_the_audit_page_in_welsh_shows_each_kind_of_event_without_english(demo):
    client = _reader("admin")
    left = {}
    for action in sorted(WORDED):
        with translation.override("cy"):  # the page activates Welsh; put the test's back after
            response = client.get(reverse("audit:list"), {"action": action})
        page = html.fromstring(response.content)
        rows = page.xpath("//tbody/tr")
        assert rows, action
        assert len(rows) == min(AuditEvent.objects.filter(action=action).count(), 50), action
        found = english_left("\n".join(" ".join(row.text_content().split()) for row in rows))
        if found:
            left[action] = found
    assert not left, left


@pytest.mark.django_db
def test_the_audit_csv_keeps_the_codes_and_the_english(demo):
    client = _reader("admin")
    with translation.override("cy"):
        export = b"".join(client.get(reverse("audit:export"), {"action": "cme_case_action"})
                          .streaming_content).decode()
    rows = list(csv.reader(io.StringIO(export)))
    assert rows[0] == ["at", "who", "action", "object_type", "object_id", "summary",
                       "ip_address"]
    summaries = [row[5] for row in rows[1:]]
    assert {row[2] for row in rows[1:]} == {"cme_case_action"}
    assert any(summary.endswith(": Start enquiries (from Referred to Enquiries)")
               for summary in summaries), summaries
