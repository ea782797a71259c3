"""`s2s demo --if-empty` on an empty database: the LAs, schools, accounts and a month of life.

The demo is loaded once for this module (it takes seconds) inside a transaction rolled back
after the last test; each test runs in a savepoint inside it. Tests of other settings, which
load their own demo, are in `test_demo.py`.
"""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from s2s.accounts.models import User
from s2s.accounts.policy import Action, has_capability
from s2s.accounts.roles import Role
from s2s.accounts.twofactor import pending_device
from s2s.audit.models import AuditEvent
from s2s.core.days import midnight
from s2s.core.models import OutboundEmail
from s2s.core.navigation import menu_for
from s2s.directory.demo import DEMO_PASSWORD, demo_accounts, planned_accounts
from s2s.directory.models import Agency, Establishment, EstablishmentStatus, LocalAuthority, Nation
from s2s.directory.tests.demo_database import demo_loaded
from s2s.lostpupils.models import LostPupilRecord, RecordStatus
from s2s.lostpupils.search import Criteria, search_records
from s2s.messaging.models import Message, Recipient
from s2s.reports.models import HourCount
from s2s.reports.rollup import counted_through, last_closed_day
from s2s.transfers.models import Transfer, TransferStatus

REPOSITORY = Path(__file__).resolve().parents[3]
README = REPOSITORY / "README.md"


def _demo(*args):
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo once; return what it printed. Each test runs in a savepoint inside."""
    before = timezone.now()
    with demo_loaded(django_db_blocker, tmp_path_factory.mktemp("files")) as demo:
        yield {"output": demo.output, "before": before}


@pytest.mark.django_db
def test_the_demo_has_las_in_england_and_wales_with_about_20_schools_each(loaded):
    las = {la.number: la for la in LocalAuthority.objects.all()}
    assert set(las) == {"838", "839", "680", "681"}
    assert las["838"].nation == Nation.ENGLAND
    assert las["681"].nation == Nation.WALES
    assert las["680"].name == "Newport"
    for la in las.values():
        assert 18 <= la.establishments.count() <= 25
        assert la.establishments.filter(status=EstablishmentStatus.CLOSED,
                                        successor__isnull=False).count() >= 2
    assert Agency.objects.count() >= 2
    names = list(Establishment.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))


@pytest.mark.django_db
def test_every_role_has_a_user_in_an_english_and_a_welsh_la_who_can_sign_in_at_once(loaded):
    for number in ("838", "681"):
        people = User.objects.filter(la__number=number)
        schools = User.objects.filter(establishment__la__number=number)
        agencies = User.objects.filter(agency__la__number=number)
        roles = {*people.values_list("role", flat=True), *schools.values_list("role", flat=True),
                 *agencies.values_list("role", flat=True)}
        assert roles == set(Role.values) - {Role.ADMIN}, number
    assert User.objects.filter(role=Role.ADMIN).exists()
    for account in planned_accounts():
        user = User.objects.get(username=account.username)
        assert user.check_password(DEMO_PASSWORD)
        assert not user.must_change_password
        assert user.scope_code == account.scope
        assert user.email.endswith((".example.gov.uk", ".example.sch.uk"))
    validate_password(DEMO_PASSWORD, User.objects.get(username="admin"))
    assert User.objects.filter(role=Role.LA_SCHOOL, la__number="838").count() == 1


@pytest.mark.django_db
def test_every_open_school_has_a_school_user_named_by_its_number(loaded):
    open_schools = Establishment.objects.exclude(status=EstablishmentStatus.CLOSED)
    for school in open_schools:
        user = User.objects.get(username=school.code)
        assert user.role == Role.SCHOOL
        assert user.establishment == school


@pytest.mark.django_db
def test_the_accounts_of_both_las_and_the_shared_password_are_printed(loaded):
    output = loaded["output"]

    header = next(line for line in output.splitlines() if line.startswith("Username"))
    assert "Password" not in header  # one password for all, said once
    assert f"with the password {DEMO_PASSWORD}" in output
    for username in ("admin", "838dba", "838lostpupiltransfer", "838cme", "8383321",
                     "8383321-mis", "838hlth", "681dba", "681lostpupil", "681cme", "6812345",
                     "681socs", "839dba", "680dba"):
        assert re.search(rf"^{re.escape(username)}\s", output, re.MULTILINE), username


@pytest.mark.django_db
def test_the_printed_address_is_the_port_make_run_uses_by_default(loaded):
    makefile = (REPOSITORY / "Makefile").read_text()
    port = re.search(r"runserver 127\.0\.0\.1:(\d+)", makefile).group(1)

    assert f"sign in at http://127.0.0.1:{port}/" in loaded["output"]


@pytest.mark.django_db
def test_every_school_and_account_the_readme_names_is_in_the_demo(loaded):
    readme = README.read_text()
    codes = set(re.findall(r"\b(\d{7})\b", readme))
    usernames = set(re.findall(r"s2s create_token ([0-9a-z-]+)", readme))
    agencies = {ref for ref in re.findall(r"\b(\d{3}[A-Z]{4})\b", readme)
                if not ref.endswith(("LLLL", "PLAS", "ADMS"))}
    assert {"8383321", "8384512"} <= codes
    assert "8383321-mis" in usernames

    existing = set(Establishment.objects.exclude(status=EstablishmentStatus.CLOSED)
                   .values_list("code", flat=True))
    assert codes <= existing
    assert usernames <= set(User.objects.values_list("username", flat=True))
    assert agencies <= set(Agency.objects.values_list("reference", flat=True))
    assert Transfer.objects.filter(name="8383321_CTF_8384512_001.XML").exists()


@pytest.mark.django_db
def test_the_month_has_files_in_every_state(loaded):
    files = Transfer.objects.all()
    waiting = files.filter(status=TransferStatus.AWAITING)
    assert waiting.filter(download_count=0).exists()
    assert waiting.filter(download_count__gt=0, first_downloaded_at__isnull=False).exists()
    assert files.filter(status=TransferStatus.COLLECTED, collected_at__isnull=False).exists()
    assert files.filter(status=TransferStatus.REJECTED).exclude(reject_reason="").exists()
    # The LA start page's "rejected this week" has something to show.
    assert files.filter(status=TransferStatus.REJECTED,
                        rejected_at__gt=loaded["before"] - timedelta(days=7)).exists()
    assert files.filter(status=TransferStatus.DELETED,
                        delete_reason__startswith="Forwarded to").exists()
    assert files.filter(source_code__endswith="LLLL", source_la__number="838").exists()
    redirected = files.filter(redirected_from__isnull=False).select_related(
        "redirected_from", "destination_establishment")
    assert redirected.exists()
    for transfer in redirected:
        assert transfer.redirected_from.status == EstablishmentStatus.CLOSED
        assert transfer.destination_establishment == transfer.redirected_from.successor
    assert {"CTF", "PLAS", "ZIP"} <= set(files.values_list("file_type", flat=True))


@pytest.mark.django_db
def test_the_home_schools_find_files_waiting_and_sent_files_rejected(loaded):
    dorset_inbox = Transfer.objects.filter(destination_establishment__code="8384512")
    assert dorset_inbox.filter(status=TransferStatus.AWAITING).exists()
    assert Transfer.objects.filter(source_code="8383321", status=TransferStatus.REJECTED).exists()
    assert Transfer.objects.filter(destination_establishment__code="8383321",
                                   status=TransferStatus.AWAITING).exists()
    assert Transfer.objects.filter(destination_establishment__code="6812345",
                                   status=TransferStatus.AWAITING).exists()


@pytest.mark.django_db
def test_the_month_is_spread_over_the_last_30_days_and_nothing_is_in_the_future(loaded):
    before = loaded["before"]

    uploads = sorted(Transfer.objects.values_list("uploaded_at", flat=True))
    assert uploads[0] >= before - timedelta(days=31)
    assert uploads[-1] <= timezone.now()
    assert uploads[-1] - uploads[0] >= timedelta(days=25)
    for transfer in Transfer.objects.exclude(collected_at=None):
        assert transfer.uploaded_at < transfer.collected_at <= timezone.now()
        # Younger than the 28 days after which retention deletes a collected file's content.
        assert transfer.collected_at > before - timedelta(days=27)
    assert Message.objects.filter(created_at__lt=before - timedelta(days=7)).exists()


@pytest.mark.django_db
def test_lost_pupils_come_from_several_las_and_show_the_sound_alike_search(loaded):
    held = LostPupilRecord.objects.filter(status__in=(RecordStatus.OPEN,
                                                      RecordStatus.DOWNLOADED))
    assert held.values("uploading_la").distinct().count() >= 3
    for searched, alike in (("Smith", "Smyth"), ("Thompson", "Thomson"),
                            ("Mohammed", "Muhammad")):
        hits = search_records(Criteria(surname=searched)).object_list
        found = {hit.record.surname: hit.reason for hit in hits}
        assert searched in found
        assert alike in found, searched
        assert "sounds alike" in found[alike]
    hits = search_records(Criteria(forename="Catherine")).object_list
    assert "Kathryn" in {hit.record.forename for hit in hits}


@pytest.mark.django_db
def test_lost_pupil_records_are_found_forwarded_flagged_and_removed(loaded):
    records = LostPupilRecord.objects.all()
    assert records.filter(status=RecordStatus.DOWNLOADED, forwarded_to="").exists()
    assert records.filter(status=RecordStatus.DOWNLOADED, forwarded_to="6812345").exists()
    assert records.filter(same_pupil_as__isnull=False).exists()
    assert records.filter(status=RecordStatus.REMOVED).exists()


@pytest.mark.django_db
def test_the_month_has_messages_read_and_unread(loaded):
    copies = Recipient.objects.all()
    assert copies.filter(read_at__isnull=False).exists()
    assert copies.filter(read_at__isnull=True).exists()
    for copy in copies.exclude(read_at=None).select_related("message"):
        assert copy.message.created_at < copy.read_at
    readers = set(copies.values_list("user__username", flat=True))
    assert {"838lostpupil", "8383321", "681user"} <= readers


@pytest.mark.django_db
def test_the_report_counts_are_refreshed_to_the_last_closed_day(loaded):
    last = last_closed_day()  # yesterday, or the day before in the first hour after midnight
    assert counted_through() == last
    counted = Transfer.objects.filter(uploaded_at__lt=midnight(last + timedelta(days=1)))
    assert counted.exists()
    assert HourCount.objects.aggregate(files=Sum("files"))["files"] == counted.count()


@pytest.mark.django_db
def test_a_second_run_if_empty_changes_nothing(loaded):
    counts = _counts()

    output = _demo("--if-empty")

    assert "no demo data was loaded" in output
    assert _counts() == counts
    assert "838lostpupil" in output


@pytest.mark.django_db
def test_running_the_demo_again_brings_back_passwords_and_adds_no_second_month(loaded):
    user = User.objects.get(username="838user")
    user.set_password("a changed password, not the demo's")
    user.save()
    files = Transfer.objects.count()

    output = _demo()

    assert "no month of demo activity was added" in output
    assert Transfer.objects.count() == files
    assert User.objects.get(username="838user").check_password(DEMO_PASSWORD)


def _counts():
    return {model.__name__: model.objects.count() for model in (
        LocalAuthority, Establishment, User, Transfer, LostPupilRecord, Message, Recipient,
        OutboundEmail, AuditEvent)}


@pytest.mark.django_db
def test_every_page_in_each_demo_account_s_menu_opens_on_the_month(loaded, client):
    for account in demo_accounts():
        user = User.objects.get(username=account.username)
        if not has_capability(user, Action.USE_PAGES):
            continue  # the MIS connectors use the API alone
        client.force_login(user)
        pages = [item["url"] for item in menu_for(user)]
        assert len(pages) > 2, account.username
        for url in pages:
            response = client.get(url, follow=True)  # a few menu entries redirect
            assert response.status_code == 200, (account.username, url, response.status_code)
            assert response.request["PATH_INFO"] != reverse("accounts:sign-in")
        client.logout()


@pytest.mark.django_db
def test_the_code_printed_for_a_demo_account_is_one_its_authenticator_accepts(loaded):
    device = pending_device(User.objects.get(username="838dba"))

    code = _demo("--code", "838dba").strip()

    assert re.fullmatch(r"\d{6}", code)
    assert device.verify_token(code)


@pytest.mark.django_db
def test_no_code_is_printed_for_an_account_that_is_not_the_demo_s_or_has_no_authenticator(
        loaded):
    person = User.objects.create_user(username="838realperson", role=Role.LA_DBA,
                                      la=LocalAuthority.objects.get(number="838"),
                                      email="real.person@dorset.example.gov.uk")
    pending_device(person)

    with pytest.raises(CommandError, match="not a demo account"):
        _demo("--code", "838realperson")
    with pytest.raises(CommandError, match="not a demo account"):
        _demo("--code", "681dba")
