from datetime import timedelta

import pytest
from django.utils import timezone

from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent
from s2s.core.errors import NotFound, ServiceError
from s2s.core.models import OutboundEmail
from s2s.messaging import selectors, services
from s2s.messaging.models import Message, Recipient
from s2s.messaging.recipients import Recipients
from s2s.messaging.tests.conftest import send

pytestmark = pytest.mark.django_db


def _recipients(message):
    return sorted(message.recipients.values_list("user__username", flat=True))


def test_an_la_by_default_reaches_its_la_users_and_lost_pupil_officers(
        other_la_officer, la_officer, lost_pupil_officer, la_dba, make_user, home_la):
    transfer_officer = make_user(Role.LA_LOST_PUPIL_TRANSFER, home_la, username="838lpt")
    make_user(Role.LA_CENSUS, home_la, username="838census")
    result = send(other_la_officer, las=[("838", ["la_user", "la_lost_pupil",
                                                  "la_lost_pupil_transfer"])])
    assert _recipients(result.message) == ["838lostpupil", "838lpt", "838user"]
    assert transfer_officer.username in _recipients(result.message)


def test_a_school_reaches_its_school_users_only(la_officer, sending_school_user, make_user,
                                                 sending_school):
    make_user(Role.CONNECTOR, sending_school, username="8383321-mis")
    result = send(la_officer, schools=["8383321"])
    assert _recipients(result.message) == ["8383321"]
    assert result.message.recipients.get().addressed_as.startswith("8383321 ")


def test_the_sender_never_gets_a_copy_of_its_own_message(la_officer, lost_pupil_officer):
    result = send(la_officer, las=[("838", ["la_user", "la_lost_pupil"])])
    assert _recipients(result.message) == ["838lostpupil"]


def test_an_empty_recipient_list_is_refused_clearly(la_officer):
    with pytest.raises(ServiceError) as refused:
        send(la_officer)
    assert refused.value.code == "no_recipients"
    assert "Choose at least one recipient" in refused.value.message
    assert not Message.objects.exists()


def test_an_unknown_school_or_la_is_refused_naming_it(la_officer):
    with pytest.raises(ServiceError, match="There is no school 8389999"):
        send(la_officer, schools=["8389999"])
    with pytest.raises(ServiceError, match="There is no local authority 999"):
        send(la_officer, las=[("999", ["la_user"])])


def test_a_role_that_reads_no_messages_is_refused(la_officer, other_la_officer):
    with pytest.raises(ServiceError) as refused:
        send(la_officer, las=[("681", ["la_dba_view"])])
    assert refused.value.code == "invalid_role"


def test_places_nobody_reads_are_reported_and_all_unreached_is_refused(la_officer,
                                                                        receiving_school,
                                                                        sending_school_user):
    result = send(la_officer, schools=["8383321", "8384512"])
    assert result.unreached == ["8384512 Thomas Hardye School"]
    with pytest.raises(ServiceError) as refused:
        send(la_officer, schools=["8384512"])
    assert refused.value.code == "no_readers"


def test_a_message_to_eleven_las_needs_confirmation(la_officer, many_las):
    to = [(la.number, ["la_user"]) for la in many_las]
    with pytest.raises(ServiceError) as refused:
        send(la_officer, las=to)
    assert refused.value.code == "blanket_confirmation_needed"
    assert "11 local authorities" in refused.value.message
    assert not Message.objects.exists()
    result = send(la_officer, las=to, confirm_blanket=True)
    assert result.message.blanket_confirmed
    assert result.message.la_count == 11
    event = AuditEvent.objects.get(action="message_sent")
    assert event.detail["blanket_confirmed"] is True
    assert event.detail["las"] == 11


def test_a_message_to_ten_las_needs_no_confirmation(la_officer, many_las):
    result = send(la_officer, las=[(la.number, ["la_user"]) for la in many_las[:10]])
    assert result.recipients == 10
    assert not result.message.blanket_confirmed


def test_the_blanket_limit_is_a_setting(la_officer, many_las, settings):
    settings.S2S_BLANKET_MESSAGE_LAS = 2
    with pytest.raises(ServiceError, match="3 local authorities"):
        send(la_officer, las=[(la.number, ["la_user"]) for la in many_las[:3]])


def test_sending_is_audited_without_content_and_notices_go_in_the_same_transaction(
        other_la_officer, la_officer, lost_pupil_officer):
    result = send(other_la_officer, las=[("838", ["la_user", "la_lost_pupil"])],
                  subject="About Jane Doe", body="UPN H801200001001")
    event = AuditEvent.objects.get(action="message_sent")
    assert event.object_id == str(result.message.pk)
    assert event.detail["recipients"] == 2
    assert "Jane" not in event.summary
    assert "H801" not in str(event.detail)
    emails = OutboundEmail.objects.order_by("to")
    assert [e.to for e in emails] == ["838lostpupil@example.gov.uk", "838user@example.gov.uk"]
    for email in emails:
        assert "Jane" not in email.subject + email.text + email.html
        assert "H801200001001" not in email.text + email.html


def test_reading_marks_read_once_and_audits_every_reading(other_la_officer, la_officer):
    message = send(other_la_officer, las=[("838", ["la_user"])]).message
    copy = selectors.copy_get(user=la_officer, message_id=message.pk)
    first = services.message_read(user=la_officer, copy=copy).read_at
    again = services.message_read(user=la_officer, copy=copy).read_at
    assert first is not None
    assert again == first
    assert AuditEvent.objects.filter(action="message_read", actor=la_officer).count() == 2


def test_deleting_hides_only_the_users_copy_and_is_audited(other_la_officer, la_officer,
                                                           lost_pupil_officer):
    message = send(other_la_officer, las=[("838", ["la_user", "la_lost_pupil"])]).message
    copy = selectors.copy_get(user=la_officer, message_id=message.pk)
    services.message_delete(user=la_officer, copy=copy)
    assert not selectors.inbox(user=la_officer).exists()
    assert selectors.inbox(user=lost_pupil_officer).count() == 1
    assert AuditEvent.objects.filter(action="message_deleted", actor=la_officer).exists()


def test_nobody_reads_another_users_copy_or_sent_message(other_la_officer, la_officer,
                                                         lost_pupil_officer, service_admin):
    from django.http import Http404

    message = send(other_la_officer, las=[("838", ["la_user"])]).message
    for outsider in (lost_pupil_officer, service_admin):
        with pytest.raises(Http404):
            selectors.copy_get(user=outsider, message_id=message.pk)
        with pytest.raises(Http404):
            selectors.sent_get(user=outsider, message_id=message.pk)
    with pytest.raises(Http404):
        selectors.sent_get(user=la_officer, message_id=message.pk)
    copy = Recipient.objects.get(user=la_officer)
    with pytest.raises(NotFound):
        services.message_read(user=lost_pupil_officer, copy=copy)
    with pytest.raises(NotFound):
        services.message_delete(user=lost_pupil_officer, copy=copy)


def test_a_reply_goes_to_the_sender(other_la_officer, la_officer):
    message = send(other_la_officer, las=[("838", ["la_user"])]).message
    copy = selectors.copy_get(user=la_officer, message_id=message.pk)
    reply = services.message_send(user=la_officer, to=Recipients(), subject="Re: x", body="Yes",
                                  reply_to=copy).message
    assert _recipients(reply) == ["681user"]
    assert reply.reply_to == message


def test_a_template_fills_a_blank_subject_and_text(la_officer, sending_school_user):
    template = services.template_create(user=la_officer, name="CTF", subject="CTF request",
                                        body="Please send the CTF.")
    message = services.message_send(user=la_officer, to=Recipients(schools=("8383321",)),
                                    subject="", body="", template=template).message
    assert (message.subject, message.body) == ("CTF request", "Please send the CTF.")


def test_sent_items_count_who_has_not_read(other_la_officer, la_officer, lost_pupil_officer):
    message = send(other_la_officer, las=[("838", ["la_user", "la_lost_pupil"])]).message
    services.message_read(user=la_officer,
                          copy=selectors.copy_get(user=la_officer, message_id=message.pk))
    row = selectors.sent(user=other_la_officer).get()
    assert (row.total, row.unread) == (2, 1)
    unread = [c.user.username for c in selectors.sent_recipients(message=message) if not c.read_at]
    assert unread == ["838lostpupil"]


def test_the_la_report_counts_unread_messages_per_school(la_officer, sending_school_user,
                                                         receiving_school_user, make_user,
                                                         sending_school, outsider_school_user):
    make_user(Role.SCHOOL, sending_school, username="8383321b")
    first = send(la_officer, schools=["8383321"]).message
    send(la_officer, schools=["8383321", "8384512"])
    send(la_officer, schools=["6812345"])
    services.message_read(user=receiving_school_user, copy=selectors.copy_get(
        user=receiving_school_user, message_id=first.pk + 1))
    rows = selectors.unread_by_school(la=la_officer.la)
    assert [(r["code"], r["unread"]) for r in rows] == [("8383321", 2)]
    assert set(rows[0]) == {"code", "name", "unread", "oldest"}


def test_unread_count_ignores_read_and_deleted(other_la_officer, la_officer):
    messages = [send(other_la_officer, las=[("838", ["la_user"])]).message for _ in range(3)]
    services.message_read(user=la_officer, copy=selectors.copy_get(
        user=la_officer, message_id=messages[0].pk))
    services.message_delete(user=la_officer, copy=selectors.copy_get(
        user=la_officer, message_id=messages[1].pk))
    assert selectors.unread_count(user=la_officer) == 1


def test_a_message_keeps_its_time_of_sending(other_la_officer, la_officer):
    before = timezone.now()
    message = send(other_la_officer, las=[("838", ["la_user"])]).message
    assert before <= message.created_at <= before + timedelta(minutes=1)


def test_a_welsh_senders_label_is_stored_in_english_and_worded_for_each_reader(
        other_la_officer, la_officer, client):
    """Issue 17: who sent it, and where it was addressed, read in the reader's language."""
    from django.urls import reverse
    from django.utils import translation

    with translation.override("cy"):
        result = send(other_la_officer, las=[("838", ["la_user"])])
    message, copy = result.message, result.message.recipients.get()
    assert message.sender_label == "681user (LA user, 681 Cardiff)"
    assert copy.addressed_as == "838 Dorset: LA user"
    la_officer.language = "cy"
    la_officer.save(update_fields=["language"])
    client.force_login(la_officer)
    # The page activates the reader's language; the override puts the test's back after.
    with translation.override("cy"):
        page = client.get(reverse("messaging:read", args=[message.pk])).content.decode()
        assert copy.addressed_words == "838 Dorset: Defnyddiwr ALl"
    assert "681user (Defnyddiwr ALl, 681 Cardiff)" in page
