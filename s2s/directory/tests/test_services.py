import pytest

from s2s.audit.models import AuditEvent
from s2s.core.errors import ServiceError
from s2s.directory.models import Establishment, LocalAuthority, Nation
from s2s.directory.services import (
    establishment_set_successor,
    establishment_update,
    la_create,
    la_update,
)


def _school_fields(school, **changes):
    fields = {"name": school.name, "phone": school.phone, "email": school.email,
              "town": school.town, "active": school.active}
    return {**fields, **changes}


def test_the_service_administrator_creates_an_la_and_it_is_audited(service_admin):
    la = la_create(user=service_admin, number="839", name="Bournemouth, Christchurch and Poole",
                   nation=Nation.ENGLAND, email="s2s@bcp.example.gov.uk", ip_address="10.1.2.3")

    assert la.receive_ctf_copies is True
    event = AuditEvent.objects.get(action="directory.la.create")
    assert event.actor == service_admin
    assert event.object_id == str(la.pk)
    assert event.ip_address == "10.1.2.3"


def test_an_la_number_is_three_digits_and_unique(service_admin, home_la):
    with pytest.raises(ServiceError, match="3 digits") as bad:
        la_create(user=service_admin, number="83", name="X", nation="england", email="")
    with pytest.raises(ServiceError, match="LA 838 already exists") as taken:
        la_create(user=service_admin, number="838", name="X", nation="england", email="")

    assert bad.value.field == "number"
    assert taken.value.code == "duplicate"


def test_an_la_dba_cannot_create_an_la(la_dba):
    with pytest.raises(ServiceError) as refused:
        la_create(user=la_dba, number="839", name="X", nation="england", email="")

    assert refused.value.code == "forbidden"
    assert not LocalAuthority.objects.filter(number="839").exists()


def test_a_dba_changes_its_la_details_and_the_change_is_audited(la_dba, home_la):
    la_update(user=la_dba, la=home_la, name="Dorset Council", email="s2s@dorset.example.gov.uk",
              receive_ctf_copies=False, ip_address="10.0.0.8")

    home_la.refresh_from_db()
    assert home_la.name == "Dorset Council"
    assert home_la.receive_ctf_copies is False
    event = AuditEvent.objects.get(action="directory.la.update")
    assert event.detail["changes"] == {"name": ["Dorset", "Dorset Council"],
                                       "receive_ctf_copies": [True, False]}
    assert event.actor_username == "838dba"


def test_nothing_is_audited_when_nothing_changed(la_dba, home_la):
    la_update(user=la_dba, la=home_la, name=home_la.name, email=home_la.email,
              receive_ctf_copies=True)

    assert not AuditEvent.objects.filter(action="directory.la.update").exists()


def test_a_dba_cannot_change_another_las_details(la_dba, other_la):
    with pytest.raises(ServiceError):
        la_update(user=la_dba, la=other_la, name="Ours now", email="", receive_ctf_copies=True)

    other_la.refresh_from_db()
    assert other_la.name == "Cardiff"


def test_a_view_only_dba_cannot_change_its_la_details(la_dba_view, home_la):
    with pytest.raises(ServiceError):
        la_update(user=la_dba_view, la=home_la, name="X", email="", receive_ctf_copies=True)


def test_an_la_email_at_personal_webmail_is_refused(la_dba, home_la):
    with pytest.raises(ServiceError, match="work email") as refused:
        la_update(user=la_dba, la=home_la, name="Dorset", email="dorset.s2s@gmail.com",
                  receive_ctf_copies=True)

    assert refused.value.field == "email"


def test_a_dba_updates_its_school_and_the_change_is_audited(la_dba, sending_school):
    establishment_update(user=la_dba, establishment=sending_school, **_school_fields(
        sending_school, name="Stickland's CE VA Primary School", phone="01258 880437",
        active=False,
    ))

    sending_school.refresh_from_db()
    assert sending_school.name == "Stickland's CE VA Primary School"
    assert sending_school.phone == "01258 880437"
    assert sending_school.active is False
    event = AuditEvent.objects.get(action="directory.establishment.update")
    assert set(event.detail["changes"]) == {"name", "phone", "active"}


def test_a_dba_cannot_update_another_las_school(la_dba, outsider_school):
    with pytest.raises(ServiceError) as refused:
        establishment_update(user=la_dba, establishment=outsider_school,
                             **_school_fields(outsider_school, name="Taken over"))

    assert refused.value.code == "forbidden"
    outsider_school.refresh_from_db()
    assert outsider_school.name == "Llanwern High School"


def test_a_view_only_dba_cannot_update_a_school(la_dba_view, sending_school):
    with pytest.raises(ServiceError):
        establishment_update(user=la_dba_view, establishment=sending_school,
                             **_school_fields(sending_school, name="X"))


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": "  "}, "name", "Enter the school name"),
    ({"phone": "call the office"}, "phone", "telephone number"),
    ({"email": "not-an-address"}, "email", "right format"),
    ({"email": "head@hotmail.co.uk"}, "email", "work email"),
])
def test_a_school_update_with_a_wrong_field_says_which(la_dba, sending_school, changes, field,
                                                       message):
    with pytest.raises(ServiceError, match=message) as refused:
        establishment_update(user=la_dba, establishment=sending_school,
                             **_school_fields(sending_school, **changes))

    assert refused.value.field == field


def test_the_service_administrator_sets_and_clears_a_successor(service_admin, sending_school,
                                                               receiving_school):
    establishment_set_successor(user=service_admin, establishment=sending_school,
                                successor=receiving_school, ip_address="10.9.9.9")
    sending_school.refresh_from_db()
    assert sending_school.successor == receiving_school
    assert sending_school.current_successor() == receiving_school

    establishment_set_successor(user=service_admin, establishment=sending_school, successor=None)
    sending_school.refresh_from_db()
    assert sending_school.successor is None
    events = AuditEvent.objects.filter(action="directory.establishment.successor")
    assert [e.detail["to"] for e in events.order_by("id")] == ["8384512", None]


def test_a_successor_loop_is_refused(service_admin, sending_school, receiving_school):
    establishment_set_successor(user=service_admin, establishment=sending_school,
                                successor=receiving_school)

    with pytest.raises(ServiceError, match="loop"):
        establishment_set_successor(user=service_admin, establishment=receiving_school,
                                    successor=sending_school)
    with pytest.raises(ServiceError, match="its own successor"):
        establishment_set_successor(user=service_admin, establishment=sending_school,
                                    successor=sending_school)


def test_only_the_service_administrator_sets_successors(la_dba, sending_school,
                                                        receiving_school):
    with pytest.raises(ServiceError):
        establishment_set_successor(user=la_dba, establishment=sending_school,
                                    successor=receiving_school)

    assert Establishment.objects.get(pk=sending_school.pk).successor is None
