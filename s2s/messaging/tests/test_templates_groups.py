import pytest
from django.http import Http404

from s2s.audit.models import AuditEvent
from s2s.core.errors import NotFound, ServiceError
from s2s.messaging import selectors, services
from s2s.messaging.models import MessageGroup, MessageTemplate
from s2s.messaging.recipients import LaTarget, Recipients
from s2s.messaging.tests.conftest import send

pytestmark = pytest.mark.django_db


def _template(user, name="CTF request"):
    return services.template_create(user=user, name=name, subject="CTF please",
                                    body="Please send the CTF for this pupil.")


def test_a_template_is_added_viewed_updated_copied_and_deleted(la_officer):
    template = _template(la_officer)
    assert list(selectors.templates(user=la_officer)) == [template]
    services.template_update(user=la_officer, template=template, name="CTF request",
                             subject="CTF, please", body="Send it.")
    copy = services.template_copy(user=la_officer, template=template)
    again = services.template_copy(user=la_officer, template=template)
    assert (copy.name, copy.subject, copy.body) == ("Copy of CTF request", "CTF, please",
                                                    "Send it.")
    assert again.name == "Copy of CTF request (2)"
    services.template_delete(user=la_officer, template=template)
    assert not MessageTemplate.objects.filter(pk=template.pk).exists()
    assert AuditEvent.objects.filter(action="message_template_deleted").count() == 1


def test_two_templates_of_one_owner_cannot_share_a_name(la_officer, lost_pupil_officer):
    _template(la_officer)
    _template(lost_pupil_officer)  # another owner may
    with pytest.raises(ServiceError) as refused:
        _template(la_officer)
    assert refused.value.field == "name"


def test_templates_are_their_owners_alone(la_officer, lost_pupil_officer):
    template = _template(la_officer)
    assert not selectors.templates(user=lost_pupil_officer).exists()
    with pytest.raises(Http404):
        selectors.template_get(user=lost_pupil_officer, pk=template.pk)
    for change in (
        lambda: services.template_update(user=lost_pupil_officer, template=template, name="x",
                                         subject="x", body="x"),
        lambda: services.template_copy(user=lost_pupil_officer, template=template),
        lambda: services.template_delete(user=lost_pupil_officer, template=template),
        lambda: services.message_send(user=lost_pupil_officer, to=Recipients(
            schools=("8383321",)), subject="", body="", template=template),
    ):
        with pytest.raises(NotFound):
            change()


def test_a_group_sends_to_its_las_roles_and_schools(other_la_officer, la_officer,
                                                    lost_pupil_officer, sending_school_user):
    group = services.group_create(user=other_la_officer, name="Dorset", members=Recipients(
        las=(LaTarget("838", ("la_user", "la_lost_pupil")),), schools=("8383321",)))
    assert sorted(str(m) for m in group.members.all()) == [
        "838 LA lost pupil", "838 LA user", "8383321"]
    result = send(other_la_officer, groups=[group.pk])
    assert sorted(result.message.recipients.values_list("user__username", flat=True)) == [
        "8383321", "838lostpupil", "838user"]


def test_a_group_is_edited_and_deleted(la_officer, sending_school, receiving_school):
    group = services.group_create(user=la_officer, name="Mine",
                                  members=Recipients(schools=("8383321",)))
    services.group_update(user=la_officer, group=group, name="Ours",
                          members=Recipients(schools=("8384512",)))
    group.refresh_from_db()
    assert group.name == "Ours"
    assert [str(m) for m in group.members.all()] == ["8384512"]
    services.group_delete(user=la_officer, group=group)
    assert not MessageGroup.objects.exists()


def test_an_empty_group_or_unknown_member_is_refused(la_officer):
    with pytest.raises(ServiceError, match="at least one LA or school"):
        services.group_create(user=la_officer, name="Empty", members=Recipients())
    with pytest.raises(ServiceError, match="There is no school 8380000"):
        services.group_create(user=la_officer, name="Bad",
                              members=Recipients(schools=("8380000",)))


def test_nobody_sends_to_or_changes_another_users_group(la_officer, lost_pupil_officer,
                                                        sending_school_user):
    group = services.group_create(user=la_officer, name="Mine",
                                  members=Recipients(schools=("8383321",)))
    with pytest.raises(ServiceError) as refused:
        send(lost_pupil_officer, groups=[group.pk])
    assert refused.value.code == "unknown_group"
    with pytest.raises(NotFound):
        services.group_update(user=lost_pupil_officer, group=group, name="x",
                              members=Recipients(schools=("8383321",)))
    with pytest.raises(NotFound):
        services.group_delete(user=lost_pupil_officer, group=group)


def test_two_groups_of_one_owner_cannot_share_a_name(la_officer, lost_pupil_officer,
                                                     sending_school):
    members = Recipients(schools=("8383321",))
    group = services.group_create(user=la_officer, name="Mine", members=members)
    services.group_create(user=lost_pupil_officer, name="Mine", members=members)  # another may
    with pytest.raises(ServiceError, match="You already have a group called Mine") as refused:
        services.group_create(user=la_officer, name=" Mine ", members=members)
    assert (refused.value.code, refused.value.field) == ("duplicate_name", "name")
    services.group_update(user=la_officer, group=group, name="Mine", members=members)
    assert MessageGroup.objects.filter(owner=la_officer).count() == 1
