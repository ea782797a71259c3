"""A lost phone: an administrator resets the user's two-factor sign-in (issue 19).

An LA DBA resets its LA's and its schools' users, the service anyone, nobody themselves; the
reset is audited and the user emailed; `s2s two_factor_reset` does the same as the system.
The pages that say "ask your administrator" say who that is.
"""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent


def _phone(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _reset_url(user) -> str:
    return reverse("accounts:user-two-factor-reset", kwargs={"pk": user.pk})


def test_a_dba_resets_a_school_users_lost_phone_from_the_users_page(
        client, la_dba, sending_school_user, django_capture_on_commit_callbacks):
    _phone(sending_school_user)
    client.force_login(la_dba)
    detail = client.get(reverse("accounts:user-detail", kwargs={"pk": sending_school_user.pk}))
    assert _reset_url(sending_school_user) in detail.content.decode()
    assert "Reset the two-factor sign-in of 8383321?" in client.get(
        _reset_url(sending_school_user)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_reset_url(sending_school_user), follow=True)

    assert "The two-factor sign-in of 8383321 was reset" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=sending_school_user).exists()
    event = AuditEvent.objects.get(action="user.two_factor_reset")
    assert event.actor == la_dba
    assert event.object_id == str(sending_school_user.pk)
    [email] = mail.outbox
    assert email.to == ["8383321@example.gov.uk"]
    assert email.subject == "Your s2s two-factor sign-in was reset"
    assert "Codes from your old authenticator no longer work" in email.body


def test_after_a_reset_an_la_user_sets_up_a_new_authenticator_at_the_next_sign_in(
        client, la_dba, la_officer, django_capture_on_commit_callbacks):
    _phone(la_officer)
    client.force_login(la_dba)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_reset_url(la_officer))
    client.force_login(la_officer, verified=False)
    response = client.get(reverse("core:start"))
    assert response.url.startswith(reverse("accounts:two-factor"))
    assert "set up an authenticator app again" in mail.outbox[-1].body


def test_the_service_resets_an_la_dba(client, service_admin, la_dba):
    _phone(la_dba)
    client.force_login(service_admin)
    assert client.post(_reset_url(la_dba)).status_code == 302
    assert not TOTPDevice.objects.filter(user=la_dba).exists()


@pytest.mark.parametrize("who", ["other_la_dba", "la_dba_view", "la_officer", "la_dba_self"])
def test_nobody_else_may_reset_and_is_told_nothing_exists(
        who, client, request, la_dba, la_dba_view, other_la_dba, la_officer, sending_school_user):
    target = la_dba if who == "la_dba_self" else sending_school_user
    actor = la_dba if who == "la_dba_self" else request.getfixturevalue(who)
    _phone(target)
    client.force_login(actor)
    assert client.get(_reset_url(target)).status_code == 404
    assert client.post(_reset_url(target)).status_code == 404
    assert TOTPDevice.objects.filter(user=target, name="phone").exists()
    assert not mail.outbox


def test_the_reset_link_shows_only_to_those_who_may_reset(client, la_dba_view, sending_school_user):
    _phone(sending_school_user)
    client.force_login(la_dba_view)
    page = client.get(reverse("accounts:user-detail", kwargs={"pk": sending_school_user.pk}))
    assert _reset_url(sending_school_user) not in page.content.decode()


def test_the_command_resets_as_the_system(make_user, django_capture_on_commit_callbacks):
    admin = make_user(Role.ADMIN, username="root", email="root@s2s.example.gov.uk")
    _phone(admin)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("two_factor_reset", "root", stdout=out)
    assert "Reset the two-factor sign-in of root" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=admin).exists()
    event = AuditEvent.objects.get(action="user.two_factor_reset")
    assert (event.actor, event.actor_username) == (None, "system")
    assert [m.to for m in mail.outbox] == [["root@s2s.example.gov.uk"]]


def test_the_command_names_an_unknown_user(db):
    with pytest.raises(CommandError, match="There is no user Root"):
        call_command("two_factor_reset", "Root")


# --- "ask your administrator" leads somewhere ---------------------------------------------------

def test_the_sign_in_and_code_pages_link_to_who_the_administrator_is(client, la_officer):
    link = reverse("accounts:administrators")
    assert link in client.get(reverse("accounts:sign-in")).content.decode()
    _phone(la_officer)
    client.force_login(la_officer, verified=False)
    assert link in client.get(reverse("accounts:two-factor-verify")).content.decode()


def test_a_signed_in_person_is_told_their_las_administrators_by_name(
        client, make_user, home_la, sending_school_user):
    make_user(Role.LA_DBA, home_la, username="838dba", full_name="Dee Ba",
              email="dee.ba@dorset.example.gov.uk")
    _phone(sending_school_user)
    client.force_login(sending_school_user, verified=False)  # half way: the code is lost
    page = client.get(reverse("accounts:administrators")).content.decode()
    assert "Your LA s2s administrators (Dorset, 838)" in page
    assert "Dee Ba" in page
    assert "dee.ba@dorset.example.gov.uk" in page
    assert "s2s@dorset.example.gov.uk" in page


def test_a_dba_is_sent_to_the_service_administrators(client, la_dba, make_user):
    make_user(Role.ADMIN, username="root", full_name="Sam Service", email="sam@s2s.example")
    client.force_login(la_dba)
    page = client.get(reverse("accounts:administrators")).content.decode()
    assert "The s2s service administrators" in page
    assert "Sam Service" in page


def test_a_signed_out_visitor_sees_each_las_contact_address_and_no_names(
        client, la_dba, home_la, other_la):
    page = client.get(reverse("accounts:administrators")).content.decode()
    assert "838 Dorset" in page
    assert "s2s@cardiff.example.gov.uk" in page
    assert "838dba" not in page
