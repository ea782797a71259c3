"""`s2s create_user`: the same rules as the Users page, acting as the system."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from s2s.accounts.models import User
from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent


@pytest.fixture
def create_user(db, django_capture_on_commit_callbacks):
    """Return a function that runs the command and returns what it printed."""

    def run(*args):
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("create_user", *args, stdout=out)
        return out.getvalue()

    return run


def test_it_adds_an_la_dba_and_emails_link_and_username_separately(create_user, home_la):
    out = create_user("838dba", "--role", "la_dba", "--scope", "838",
                      "--email", "dba@dorset.example.gov.uk", "--full-name", "Dee Ba")
    user = User.objects.get(username="838dba")
    assert user.role == Role.LA_DBA
    assert user.la == home_la
    assert user.full_name == "Dee Ba"
    assert not user.has_usable_password()
    assert "Added 838dba" in out
    assert "/activate/" not in out
    assert [m.subject for m in mail.outbox] == ["Activate your s2s account", "Your s2s username"]
    event = AuditEvent.objects.get(action="user.created")
    assert event.actor is None
    assert event.actor_username == "system"


def test_it_adds_the_first_service_administrator(create_user):
    create_user("admin", "--role", "admin", "--scope", "national",
                "--email", "ims@gov.example.wales")
    assert User.objects.get(username="admin").scope_code == "national"


def test_it_adds_school_and_agency_users_by_their_codes(create_user, sending_school, agency):
    create_user("8383321", "--role", "school", "--scope", "8383321",
                "--email", "office@school.example.sch.uk")
    create_user("838hlth", "--role", "agency", "--scope", "838HLTH",
                "--email", "nurse@nhs.example.uk")
    assert User.objects.get(username="8383321").establishment == sending_school
    assert User.objects.get(username="838hlth").agency == agency


@pytest.mark.parametrize(("scope", "message"), [
    ("999", "There is no LA with the number 999"),
    ("9991234", "there is no LA 999"),
    ("8389999", "LA 838 has no establishment numbered 9999"),
    ("838XXXX", "There is no agency with the reference 838XXXX"),
    ("83", "is none of these"),
    ("8383321", "must be a 3-digit LA number"),
])
def test_each_bad_part_of_a_scope_gets_its_own_message(create_user, sending_school, scope,
                                                      message):
    with pytest.raises(CommandError, match=message) as refused:
        create_user("x1", "--role", "la_user", "--scope", scope,
                    "--email", "x@dorset.example.gov.uk")
    assert str(refused.value).startswith("--scope: ")


def test_an_unknown_role_is_refused_by_the_parser(create_user, home_la):
    with pytest.raises(CommandError, match="invalid choice"):
        create_user("x1", "--role", "wizard", "--scope", "838",
                    "--email", "x@dorset.example.gov.uk")


def test_personal_webmail_is_refused(create_user, home_la):
    with pytest.raises(CommandError, match="--email: .*hotmail.com"):
        create_user("x1", "--role", "la_user", "--scope", "838", "--email", "x@hotmail.com")


def test_a_taken_username_is_refused(create_user, home_la, la_officer):
    with pytest.raises(CommandError, match="USERNAME: The username 838user is taken"):
        create_user("838user", "--role", "la_user", "--scope", "838",
                    "--email", "x@dorset.example.gov.uk")


def test_a_second_la_school_account_is_refused(create_user, home_la):
    create_user("838school", "--role", "la_school", "--scope", "838",
                "--email", "a@dorset.example.gov.uk")
    with pytest.raises(CommandError, match="only one"):
        create_user("838school2", "--role", "la_school", "--scope", "838",
                    "--email", "b@dorset.example.gov.uk")


def test_a_password_can_come_from_standard_input(create_user, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long and unusual passphrase\n"))
    create_user("admin", "--role", "admin", "--scope", "national",
                "--email", "ims@gov.example.wales", "--password-stdin")
    user = User.objects.get(username="admin")
    assert user.check_password("a long and unusual passphrase")
    assert user.must_change_password
    assert [m.subject for m in mail.outbox] == ["Your s2s username"]


def test_a_weak_password_is_refused(create_user, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("password\n"))
    with pytest.raises(CommandError, match="password: "):
        create_user("admin", "--role", "admin", "--scope", "national",
                    "--email", "ims@gov.example.wales", "--password-stdin")
    assert not User.objects.exists()


def test_a_password_can_be_typed_twice(create_user, monkeypatch):
    answers = iter(["a long and unusual passphrase"] * 2)
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    create_user("admin", "--role", "admin", "--scope", "national",
                "--email", "ims@gov.example.wales", "--password-prompt")
    assert User.objects.get(username="admin").check_password("a long and unusual passphrase")
