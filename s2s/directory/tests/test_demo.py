import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command

from s2s.accounts.models import User
from s2s.accounts.roles import Role
from s2s.directory.demo import build_plan, planned_accounts
from s2s.directory.models import Agency, Establishment, EstablishmentStatus, LocalAuthority, Nation


def _demo(*args):
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_has_las_in_england_and_wales_with_about_20_schools_each():
    _demo()

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
def test_there_is_a_demo_user_for_every_role_who_can_sign_in_at_once():
    _demo()

    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    for account in planned_accounts():
        user = User.objects.get(username=account.username)
        assert user.check_password(account.password)
        assert not user.must_change_password
        assert user.scope_code == account.scope
        assert user.email.endswith((".example.gov.uk", ".example.sch.uk"))
        validate_password(account.password, user)  # long enough, not common, not like the name
    assert User.objects.filter(role=Role.LA_SCHOOL).count() == 1


@pytest.mark.django_db
def test_the_accounts_are_printed_as_a_table():
    output = _demo()

    assert "Username" in output
    assert "Password" in output
    assert "838dba" in output
    assert "demo-password-838" in output
    assert "admin" in output
    assert "demo-password-admin" in output


def test_the_demo_plan_is_the_same_every_time():
    first, second = build_plan(), build_plan()

    assert [(s.number, s.name, s.urn, s.postcode) for p in first for s in p.schools] == [
        (s.number, s.name, s.urn, s.postcode) for p in second for s in p.schools
    ]


@pytest.mark.django_db
def test_loading_the_demo_twice_changes_nothing():
    _demo()
    before = sorted(Establishment.objects.values_list("code", "name", "successor__code"))

    _demo()

    assert sorted(Establishment.objects.values_list("code", "name", "successor__code")) == before
    assert User.objects.count() == len(planned_accounts())


@pytest.mark.django_db
def test_if_empty_loads_nothing_when_an_la_exists_but_still_prints_the_accounts(home_la):
    output = _demo("--if-empty")

    assert "no demo data was loaded" in output
    assert LocalAuthority.objects.count() == 1
    assert "No demo accounts" in output


@pytest.mark.django_db
def test_if_empty_prints_the_accounts_of_a_demo_loaded_before():
    _demo()

    output = _demo("--if-empty")

    assert "no demo data was loaded" in output
    assert "838lostpupil" in output
