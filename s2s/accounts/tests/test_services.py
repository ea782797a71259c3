"""User administration services: the policy, the rules of seed 003 (3.2-3.7) and the audit."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail

from s2s.accounts import services
from s2s.accounts.models import ApiToken, User
from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent
from s2s.core.errors import NotFound, ServiceError


@pytest.fixture
def add(db, django_capture_on_commit_callbacks):
    """Return a function that adds a user through the service and sends its emails."""

    def run(by, **fields):
        fields.setdefault("email", "bjones@dorset.example.gov.uk")
        with django_capture_on_commit_callbacks(execute=True):
            return services.user_create(by=by, **fields)

    return run


def _link_in(body: str) -> str:
    return re.search(r"https?://\S+/account/activate/\S+", body).group(0)


# --- adding users ---------------------------------------------------------------------------

def test_a_dba_adds_an_la_user_who_gets_a_link_and_then_the_username_apart(add, la_dba, home_la):
    user = add(la_dba, username="838bjones", role=Role.LA_USER, scope=home_la,
               full_name="Bea Jones")

    assert user.la == home_la
    assert user.role == Role.LA_USER
    assert not user.has_usable_password()
    assert user.must_change_password
    activation, username_mail = mail.outbox
    assert activation.to == username_mail.to == ["bjones@dorset.example.gov.uk"]
    assert "/account/activate/" in activation.body
    assert "838bjones" not in activation.body + activation.subject
    assert "838bjones" not in activation.alternatives[0][0]
    assert "Your s2s username is 838bjones" in username_mail.body
    assert "http" not in username_mail.body
    assert "activate" not in username_mail.body


def test_the_activation_link_carries_a_working_one_time_token(add, la_dba, home_la):
    user = add(la_dba, username="838bjones", role=Role.LA_USER, scope=home_la)
    link = _link_in(mail.outbox[0].body)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert default_token_generator.check_token(user, token)


def test_adding_a_user_is_audited_with_who_and_from_where(add, la_dba, home_la, rf):
    request = rf.post("/", REMOTE_ADDR="10.1.2.3")
    user = add(la_dba, username="838bjones", role=Role.LA_USER, scope=home_la, request=request)
    event = AuditEvent.objects.get(action="user.created")
    assert event.actor == la_dba
    assert event.actor_username == "838dba"
    assert event.object_id == str(user.pk)
    assert event.ip_address == "10.1.2.3"
    assert {**event.detail, "words": None} == {"role": "la_user", "scope": "838", "words": None}


def test_a_dba_adds_a_user_to_one_of_its_schools(add, la_dba, sending_school):
    user = add(la_dba, username="8383321b", role=Role.SCHOOL, scope=sending_school)
    assert user.establishment == sending_school


def test_a_dba_cannot_add_a_user_to_another_la(add, la_dba, other_la, outsider_school):
    with pytest.raises(ServiceError) as refused:
        add(la_dba, username="681x", role=Role.LA_USER, scope=other_la)
    assert refused.value.field == "scope"
    with pytest.raises(ServiceError):
        add(la_dba, username="6812345b", role=Role.SCHOOL, scope=outsider_school)
    assert not User.objects.filter(username__in=["681x", "6812345b"]).exists()
    assert mail.outbox == []


def test_a_dba_cannot_make_a_service_administrator(add, la_dba):
    with pytest.raises(ServiceError) as refused:
        add(la_dba, username="boss", role=Role.ADMIN, scope=None)
    assert refused.value.field == "role"


def test_the_service_administrator_adds_an_las_dba(add, service_admin, other_la):
    user = add(service_admin, username="681dba2", role=Role.LA_DBA, scope=other_la)
    assert user.la == other_la


@pytest.mark.parametrize("role", [Role.LA_DBA_VIEW, Role.LA_USER, Role.SCHOOL])
def test_people_who_may_not_manage_users_cannot_add_any(add, make_user, home_la, role,
                                                       sending_school):
    viewer = make_user(role, sending_school if role == Role.SCHOOL else home_la, username="v")
    with pytest.raises(NotFound):
        add(viewer, username="838new", role=Role.LA_USER, scope=home_la)


def test_usernames_are_unique_and_case_sensitive(add, la_dba, home_la):
    add(la_dba, username="838bjones", role=Role.LA_USER, scope=home_la)
    with pytest.raises(ServiceError) as refused:
        add(la_dba, username="838bjones", role=Role.LA_USER, scope=home_la)
    assert refused.value.field == "username"
    assert add(la_dba, username="838BJones", role=Role.LA_USER, scope=home_la).pk


def test_a_username_with_a_space_is_refused(add, la_dba, home_la):
    with pytest.raises(ServiceError) as refused:
        add(la_dba, username="b jones", role=Role.LA_USER, scope=home_la)
    assert refused.value.field == "username"


@pytest.mark.parametrize("email", ["bea@hotmail.com", "bea@yahoo.co.uk", "bea@gmail.com",
                                   "bea@outlook.com"])
def test_a_personal_webmail_address_is_refused(add, la_dba, home_la, email):
    with pytest.raises(ServiceError) as refused:
        add(la_dba, username="838bjones", role=Role.LA_USER, scope=home_la, email=email)
    assert refused.value.field == "email"
    assert not User.objects.filter(username="838bjones").exists()


def test_each_la_has_only_one_la_school_account(add, la_dba, home_la, service_admin, other_la):
    add(la_dba, username="838school", role=Role.LA_SCHOOL, scope=home_la)
    with pytest.raises(ServiceError) as refused:
        add(la_dba, username="838school2", role=Role.LA_SCHOOL, scope=home_la)
    assert refused.value.code == "one_per_la"
    assert add(service_admin, username="681school", role=Role.LA_SCHOOL, scope=other_la).pk


def test_the_scope_must_fit_the_role(add, la_dba, home_la, sending_school):
    with pytest.raises(ServiceError) as refused:
        add(la_dba, username="x1", role=Role.SCHOOL, scope=home_la)
    assert "7-digit establishment number" in refused.value.message
    with pytest.raises(ServiceError):
        add(la_dba, username="x2", role=Role.LA_USER, scope=sending_school)


def test_the_system_adds_the_first_administrator_and_is_audited_as_system(add):
    user = add(None, username="admin1", role=Role.ADMIN, scope=None)
    assert user.role == Role.ADMIN
    assert AuditEvent.objects.get(action="user.created").actor_username == "system"


def test_a_password_given_on_the_command_line_is_checked_and_hashed(add):
    with pytest.raises(ServiceError) as refused:
        add(None, username="admin1", role=Role.ADMIN, scope=None, password="password")
    assert refused.value.field == "password"
    user = add(None, username="admin2", role=Role.ADMIN, scope=None,
               password="a long and unusual passphrase")
    assert user.check_password("a long and unusual passphrase")
    assert user.must_change_password
    # No activation link when a password was set; the username email still goes.
    assert [m.subject for m in mail.outbox] == ["Your s2s username"]


# --- changing, deleting, resetting ----------------------------------------------------------

def test_a_dba_changes_the_role_of_an_la_user_who_is_told(la_dba, la_officer,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.user_change_role(by=la_dba, user=la_officer, role=Role.LA_LOST_PUPIL)
    la_officer.refresh_from_db()
    assert la_officer.role == Role.LA_LOST_PUPIL
    assert mail.outbox[0].to == [la_officer.email]
    assert "LA lost pupil" in mail.outbox[0].body
    detail = AuditEvent.objects.get(action="user.role_changed").detail
    assert (detail["from"], detail["to"]) == ("la_user", "la_lost_pupil")


def test_a_role_of_another_kind_of_scope_is_refused(la_dba, la_officer):
    with pytest.raises(ServiceError) as refused:
        services.user_change_role(by=la_dba, user=la_officer, role=Role.SCHOOL)
    assert refused.value.field == "role"


def test_changing_a_role_to_a_second_la_school_is_refused(la_dba, make_user, home_la, la_officer):
    make_user(Role.LA_SCHOOL, home_la, username="838school")
    with pytest.raises(ServiceError) as refused:
        services.user_change_role(by=la_dba, user=la_officer, role=Role.LA_SCHOOL)
    assert refused.value.code == "one_per_la"


def test_a_dba_cannot_touch_another_las_users(la_dba, other_la_officer, outsider_school_user):
    for target in [other_la_officer, outsider_school_user]:
        with pytest.raises(NotFound):
            services.user_change_role(by=la_dba, user=target, role=Role.LA_CENSUS)
        with pytest.raises(NotFound):
            services.user_delete(by=la_dba, user=target)
        with pytest.raises(NotFound):
            services.user_reset_password(by=la_dba, user=target)
        with pytest.raises(NotFound):
            services.user_confirm_still_valid(by=la_dba, user=target)
        with pytest.raises(NotFound):
            services.user_set_active(by=la_dba, user=target, active=False)
    assert User.objects.filter(pk__in=[other_la_officer.pk, outsider_school_user.pk],
                               is_active=True).count() == 2


def test_the_view_only_dba_cannot_change_anything(la_dba_view, la_officer):
    with pytest.raises(NotFound):
        services.user_change_role(by=la_dba_view, user=la_officer, role=Role.LA_CENSUS)
    with pytest.raises(NotFound):
        services.user_delete(by=la_dba_view, user=la_officer)
    with pytest.raises(NotFound):
        services.user_reset_password(by=la_dba_view, user=la_officer)
    assert not AuditEvent.objects.exists()


def test_a_dba_deletes_a_school_user_and_the_audit_history_stays(la_dba, sending_school_user):
    pk = sending_school_user.pk
    services.user_delete(by=la_dba, user=sending_school_user)
    assert not User.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="user.deleted")
    assert event.object_id == str(pk)
    assert event.detail["username"] == "8383321"


def test_nobody_deletes_their_own_account(service_admin):
    with pytest.raises(ServiceError) as refused:
        services.user_delete(by=service_admin, user=service_admin)
    assert refused.value.code == "self"


def test_a_dba_cannot_delete_itself(la_dba):
    with pytest.raises(NotFound):
        services.user_delete(by=la_dba, user=la_dba)


def test_resetting_a_password_kills_the_old_one_and_emails_a_link_only(
        la_dba, la_officer, password, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.user_reset_password(by=la_dba, user=la_officer)
    la_officer.refresh_from_db()
    assert not la_officer.check_password(password)
    assert la_officer.must_change_password
    (message,) = mail.outbox
    assert "/account/activate/" in message.body
    assert "838user" not in message.body
    assert AuditEvent.objects.filter(action="user.password_reset").count() == 1


def test_confirming_a_user_restarts_its_review_year(la_dba, la_officer):
    la_officer.confirmed_at = la_officer.confirmed_at.replace(year=2020)
    la_officer.review_warned_days = 30
    la_officer.save()
    services.user_confirm_still_valid(by=la_dba, user=la_officer)
    la_officer.refresh_from_db()
    assert la_officer.confirmed_at.year > 2020
    assert la_officer.review_warned_days is None


def test_disabling_and_enabling_a_user(la_dba, la_officer):
    services.user_set_active(by=la_dba, user=la_officer, active=False, reason="Left the LA")
    la_officer.refresh_from_db()
    assert not la_officer.is_active
    assert la_officer.disabled_reason == "Left the LA"
    services.user_set_active(by=la_dba, user=la_officer, active=True)
    la_officer.refresh_from_db()
    assert la_officer.is_active
    assert la_officer.disabled_reason == ""
    assert [e.action for e in AuditEvent.objects.order_by("id")] == [
        "user.disabled", "user.enabled"]


# --- API tokens -----------------------------------------------------------------------------

def test_a_token_is_shown_once_and_stored_hashed(make_user, sending_school):
    connector = make_user(Role.CONNECTOR, sending_school, username="8383321mis")
    key = services.api_token_create(by=None, user=connector)
    token = ApiToken.objects.get(user=connector)
    assert key not in token.key_hash
    assert token.key_hash == ApiToken.hash(key)
    services.api_token_revoke(by=None, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert [e.action for e in AuditEvent.objects.order_by("id")] == [
        "api_token.created", "api_token.revoked"]


def test_a_view_only_dba_gets_no_token(make_user, home_la):
    user = make_user(Role.LA_DBA_VIEW, home_la, username="838viewer")
    with pytest.raises(ServiceError) as refused:
        services.api_token_create(by=None, user=user)
    assert refused.value.code == "no_api"


def test_an_agency_user_gets_a_token_of_its_own(make_user, agency):
    """Issue 16: agency users use the file exchange through the API with their own token."""
    user = make_user(Role.AGENCY, agency, username="838hlth1")
    assert services.api_token_create(by=None, user=user).startswith("s2s_")


def test_a_dba_cannot_issue_a_token_to_another_las_school(la_dba, outsider_school_user):
    with pytest.raises(NotFound):
        services.api_token_create(by=la_dba, user=outsider_school_user)
