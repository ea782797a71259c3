"""The user administration pages: what DBAs, view-only DBAs and the service see and do."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from s2s.accounts.models import User
from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent
from s2s.core.tests.smtp import smtp_server  # noqa: F401 (a fixture)


def _page(client, name, **kwargs) -> str:
    response = client.get(reverse(name, kwargs=kwargs or None))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def as_dba(client, la_dba):
    client.force_login(la_dba)
    return client


# --- the list and the detail page -----------------------------------------------------------

def test_a_dba_lists_its_las_users_and_its_schools_users_only(
        as_dba, la_officer, sending_school_user, other_la_officer, outsider_school_user):
    page = _page(as_dba, "accounts:user-list")
    assert "838user" in page
    assert "8383321" in page
    assert "681user" not in page
    assert "6812345" not in page
    assert "Add a user" in page


def test_the_list_filters_by_role_and_by_school(as_dba, la_officer, sending_school_user,
                                                receiving_school_user, sending_school):
    page = as_dba.get(reverse("accounts:user-list"), {"role": "school"}).content.decode()
    assert "8383321" in page
    assert "8384512" in page
    assert ">838user<" not in page
    page = as_dba.get(reverse("accounts:user-list"),
                      {"school": sending_school.pk}).content.decode()
    assert ">8383321</a>" in page
    assert ">8384512</a>" not in page


def test_the_service_filters_by_la(client, service_admin, la_officer, other_la_officer,
                                   other_la):
    client.force_login(service_admin)
    page = client.get(reverse("accounts:user-list"), {"la": other_la.pk}).content.decode()
    assert "681user" in page
    assert ">838user<" not in page


def test_the_list_is_paginated(as_dba, make_user, home_la):
    for n in range(30):
        make_user(Role.LA_USER, home_la, username=f"838u{n:02d}")
    page = _page(as_dba, "accounts:user-list")
    assert "Page 1 of 2" in page
    assert "838u29" not in page
    page = as_dba.get(reverse("accounts:user-list"), {"page": 2}).content.decode()
    assert "838u29" in page


def test_nobody_ever_sees_a_password_or_its_hash(as_dba, la_officer):
    for page in [_page(as_dba, "accounts:user-list"),
                 _page(as_dba, "accounts:user-detail", pk=la_officer.pk)]:
        assert la_officer.password not in page
        assert "md5$" not in page
        assert "argon2" not in page


def test_the_view_only_dba_sees_users_read_only(client, la_dba_view, la_officer):
    client.force_login(la_dba_view)
    assert "838user" in _page(client, "accounts:user-list")
    page = _page(client, "accounts:user-detail", pk=la_officer.pk)
    assert "838user" in page
    assert "Add a user" not in _page(client, "accounts:user-list")
    for name in ["user-role", "user-delete", "user-reset"]:
        assert reverse(f"accounts:{name}", kwargs={"pk": la_officer.pk}) not in page
        assert client.get(reverse(f"accounts:{name}", kwargs={"pk": la_officer.pk})
                          ).status_code == 404
        assert client.post(reverse(f"accounts:{name}", kwargs={"pk": la_officer.pk}),
                           {"role": "la_census"}).status_code == 404
    assert client.post(reverse("accounts:user-confirm", kwargs={"pk": la_officer.pk})
                       ).status_code == 404
    assert client.get(reverse("accounts:user-create")).status_code == 404
    assert User.objects.filter(pk=la_officer.pk).exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("name", ["user-detail", "user-role", "user-delete", "user-reset"])
def test_a_dba_gets_404_for_another_las_users(as_dba, other_la_officer, outsider_school_user,
                                              name):
    for target in [other_la_officer, outsider_school_user]:
        url = reverse(f"accounts:{name}", kwargs={"pk": target.pk})
        assert as_dba.get(url).status_code == 404
        assert as_dba.post(url, {"role": "la_census"}).status_code == 404
    assert User.objects.filter(username__in=["681user", "6812345"]).count() == 2


# --- adding a user --------------------------------------------------------------------------

def test_a_dba_adds_a_user_who_gets_two_separate_emails(
        as_dba, home_la, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_dba.post(reverse("accounts:user-create"), {
            "username": "838bjones", "full_name": "Bea Jones",
            "email": "bjones@dorset.example.gov.uk", "role": "la_user", "scope": "838",
        }, REMOTE_ADDR="10.9.8.7")
    user = User.objects.get(username="838bjones")
    assert response.status_code == 302
    assert response.url == reverse("accounts:user-detail", kwargs={"pk": user.pk})
    activation, username_mail = mail.outbox
    assert "/account/activate/" in activation.body
    assert "838bjones" not in activation.body
    assert "Your s2s username is 838bjones" in username_mail.body
    assert AuditEvent.objects.get(action="user.created").ip_address == "10.9.8.7"
    page = as_dba.get(response.url).content.decode()
    assert "838bjones was added" in page


def test_adding_a_user_with_webmail_shows_the_error_summary(as_dba, home_la):
    response = as_dba.post(reverse("accounts:user-create"), {
        "username": "838bjones", "email": "bea@hotmail.com", "role": "la_user", "scope": "838",
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "hotmail.com" in page
    assert not User.objects.filter(username="838bjones").exists()


def test_a_dba_cannot_add_a_user_to_another_la_through_the_form(as_dba, other_la):
    response = as_dba.post(reverse("accounts:user-create"), {
        "username": "681x", "email": "x@newport.example.gov.uk", "role": "la_user",
        "scope": "681",
    })
    assert "You can add users only to your own LA and its schools" in response.content.decode()
    assert not User.objects.filter(username="681x").exists()


def test_a_dba_is_offered_only_the_roles_it_may_give(as_dba):
    page = _page(as_dba, "accounts:user-create")
    assert 'value="la_user"' in page
    assert 'value="admin"' not in page


def test_the_service_comes_from_an_la_page_to_add_its_dba(client, service_admin, other_la):
    client.force_login(service_admin)
    page = client.get(reverse("accounts:user-create"), {"la": "681", "role": "la_dba"}
                      ).content.decode()
    assert 'value="681"' in page
    assert 'value="la_dba" selected' in page


def test_a_second_la_school_account_is_refused_on_the_form(as_dba, make_user, home_la):
    make_user(Role.LA_SCHOOL, home_la, username="838school")
    response = as_dba.post(reverse("accounts:user-create"), {
        "username": "838school2", "email": "s@dorset.example.gov.uk", "role": "la_school",
        "scope": "838",
    })
    assert "each LA may have only one" in response.content.decode()


# --- changing, deleting, resetting, reviewing -----------------------------------------------

def test_a_dba_changes_a_users_role(as_dba, la_officer, django_capture_on_commit_callbacks):
    url = reverse("accounts:user-role", kwargs={"pk": la_officer.pk})
    assert 'value="la_census"' in as_dba.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_dba.post(url, {"role": "la_census"})
    assert response.status_code == 302
    la_officer.refresh_from_db()
    assert la_officer.role == Role.LA_CENSUS
    assert mail.outbox[0].subject == "Your s2s role has changed"


def test_a_dba_deletes_a_user_after_confirming(as_dba, sending_school_user):
    url = reverse("accounts:user-delete", kwargs={"pk": sending_school_user.pk})
    assert "Delete 8383321?" in as_dba.get(url).content.decode()
    assert User.objects.filter(pk=sending_school_user.pk).exists()
    response = as_dba.post(url)
    assert response.url == reverse("accounts:user-list")
    assert not User.objects.filter(pk=sending_school_user.pk).exists()


def test_a_dba_resets_a_password_and_never_sees_one(as_dba, la_officer,
                                                    django_capture_on_commit_callbacks):
    url = reverse("accounts:user-reset", kwargs={"pk": la_officer.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = as_dba.post(url, follow=True)
    page = response.content.decode()
    assert "A link to set a new one has been emailed" in page
    assert "/account/activate/" not in page
    assert "/account/activate/" in mail.outbox[0].body
    la_officer.refresh_from_db()
    assert not la_officer.has_usable_password()


def test_users_due_for_review_are_listed_and_confirmed_from_the_list(as_dba, la_officer):
    User.objects.filter(pk=la_officer.pk).update(
        confirmed_at=timezone.now() - timedelta(days=380))
    page = _page(as_dba, "accounts:user-list")
    assert "Users due for the annual review" in page
    list_url = reverse("accounts:user-list")
    response = as_dba.post(reverse("accounts:user-confirm", kwargs={"pk": la_officer.pk}),
                           {"next": list_url})
    assert response.url == list_url
    la_officer.refresh_from_db()
    assert timezone.now() - la_officer.confirmed_at < timedelta(minutes=1)
    assert "Users due for the annual review" not in _page(as_dba, "accounts:user-list")


def test_confirming_never_redirects_off_site(as_dba, la_officer):
    response = as_dba.post(reverse("accounts:user-confirm", kwargs={"pk": la_officer.pk}),
                           {"next": "https://evil.example.com/"})
    assert response.url == reverse("accounts:user-detail", kwargs={"pk": la_officer.pk})


def test_a_dba_disables_and_enables_a_user(as_dba, la_officer):
    url = reverse("accounts:user-active", kwargs={"pk": la_officer.pk})
    as_dba.post(url, {"active": "false"})
    la_officer.refresh_from_db()
    assert not la_officer.is_active
    as_dba.post(url, {"active": "true"})
    la_officer.refresh_from_db()
    assert la_officer.is_active


def test_a_dba_sees_its_own_account_but_cannot_manage_it(as_dba, la_dba):
    page = _page(as_dba, "accounts:user-detail", pk=la_dba.pk)
    assert reverse("accounts:user-delete", kwargs={"pk": la_dba.pk}) not in page
    assert as_dba.get(reverse("accounts:user-delete", kwargs={"pk": la_dba.pk})
                      ).status_code == 404


# --- through a real SMTP server -------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_activation_email_goes_out_through_a_real_smtp_server(
        client, smtp_server, make_user, home_la):  # noqa: F811 (the fixture)
    dba = make_user(Role.LA_DBA, home_la, username="838dba")
    client.force_login(dba)
    response = client.post(reverse("accounts:user-create"), {
        "username": "838bjones", "full_name": "Bea Jones",
        "email": "bjones@dorset.example.gov.uk", "role": "la_user", "scope": "838",
    })
    assert response.status_code == 302
    activation, username_mail = smtp_server.messages
    assert smtp_server.recipients == [["bjones@dorset.example.gov.uk"]] * 2
    assert activation["Subject"] == "Activate your s2s account"
    text = activation.get_body(("plain",)).get_content()
    html = activation.get_body(("html",)).get_content()
    assert "http://127.0.0.1:8000/account/activate/" in text
    assert "/account/activate/" in html
    assert "838bjones" not in activation.as_string()
    assert "Your s2s username is 838bjones" in username_mail.get_body(("plain",)).get_content()
    assert "activate" not in username_mail.as_string()
