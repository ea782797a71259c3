import pytest
from django.urls import reverse

from s2s.messaging.models import Message, Recipient
from s2s.messaging.tests.conftest import send

pytestmark = pytest.mark.django_db


def test_the_inbox_marks_unread_messages_and_every_page_has_the_banner(
        client, other_la_officer, la_officer):
    send(other_la_officer, las=[("838", ["la_user"])], subject="First")
    client.force_login(la_officer)
    page = client.get(reverse("messaging:inbox")).content.decode()
    assert "govuk-!-font-weight-bold" in page
    assert ">New</strong>" in page
    start = client.get(reverse("core:start")).content.decode()
    assert "You have 1 new secure message." in start


def test_the_inbox_sorts_by_any_column(client, other_la_officer, la_officer):
    for subject in ("Bravo", "Alpha", "Charlie"):
        send(other_la_officer, las=[("838", ["la_user"])], subject=subject)
    client.force_login(la_officer)
    page = client.get(reverse("messaging:inbox"), {"sort": "subject"}).content.decode()
    assert page.index("Alpha") < page.index("Bravo") < page.index("Charlie")
    page = client.get(reverse("messaging:inbox"), {"sort": "-subject"}).content.decode()
    assert page.index("Charlie") < page.index("Bravo") < page.index("Alpha")
    assert client.get(reverse("messaging:inbox"), {"sort": "nonsense"}).status_code == 200


def test_reading_shows_the_body_escaped_and_marks_it_read(client, other_la_officer, la_officer):
    message = send(other_la_officer, las=[("838", ["la_user"])],
                   body="<script>alert(1)</script>\nSecond line").message
    client.force_login(la_officer)
    page = client.get(reverse("messaging:read", args=[message.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Second line" in page
    assert "<script>alert(1)" not in page
    assert "data-s2s-print" in page
    assert Recipient.objects.get(user=la_officer).read_at is not None


def test_another_users_message_answers_404(client, other_la_officer, la_officer,
                                           lost_pupil_officer):
    message = send(other_la_officer, las=[("838", ["la_user"])]).message
    client.force_login(lost_pupil_officer)
    for name in ("messaging:read", "messaging:delete", "messaging:sent-detail"):
        assert client.get(reverse(name, args=[message.pk])).status_code == 404
    inbox = client.get(reverse("messaging:inbox"))
    assert inbox.status_code == 200
    assert "You have no messages." in inbox.content.decode()


def test_delete_asks_first_then_deletes_the_copy(client, other_la_officer, la_officer):
    message = send(other_la_officer, las=[("838", ["la_user"])]).message
    client.force_login(la_officer)
    url = reverse("messaging:delete", args=[message.pk])
    assert "Delete this message?" in client.get(url).content.decode()
    assert client.post(url, {"confirm": ""}).status_code == 302
    assert Recipient.objects.get().deleted_at is not None
    assert client.get(reverse("messaging:read", args=[message.pk])).status_code == 404


def test_sent_items_show_who_has_not_read(client, other_la_officer, la_officer,
                                          lost_pupil_officer):
    message = send(other_la_officer, las=[("838", ["la_user", "la_lost_pupil"])]).message
    Recipient.objects.filter(user=la_officer).update(read_at=message.created_at)
    client.force_login(other_la_officer)
    page = client.get(reverse("messaging:sent-detail", args=[message.pk])).content.decode()
    assert page.count("Not read yet") == 1
    assert "838lostpupil" in page


def _compose(client, **data):
    return client.post(reverse("messaging:compose"), data)


def test_compose_add_recipients_preview_and_send(client, la_officer, other_la_officer,
                                                 sending_school_user, outsider_school_user):
    client.force_login(la_officer)
    client.get(reverse("messaging:compose") + "?new")
    _compose(client, add_la="", la="681", roles=["la_user"], subject="Hi", body="Text")
    _compose(client, add_school="", school="8383321", subject="Hi", body="Text")
    response = client.get(reverse("messaging:compose"), {"school_la": "681"})
    assert "6812345 Llanwern High School" in response.content.decode()
    _compose(client, add_schools="", schools=["6812345"], subject="Hi", body="Text")
    assert _compose(client, preview="", subject="Hello", body="A line").url == reverse(
        "messaging:preview")
    preview = client.get(reverse("messaging:preview")).content.decode()
    assert "It reaches 3 people" in preview
    response = client.post(reverse("messaging:preview"), {"send": ""})
    message = Message.objects.get()
    assert response.url == reverse("messaging:sent-detail", args=[message.pk])
    assert sorted(message.recipients.values_list("user__username", flat=True)) == [
        "6812345", "681user", "8383321"]


def test_compose_refuses_an_unknown_school_on_the_page(client, la_officer):
    client.force_login(la_officer)
    page = _compose(client, add_school="", school="8380000").content.decode()
    assert "govuk-error-summary" in page
    assert "There is no school 8380000" in page


def test_an_over_long_message_is_refused_at_preview_and_kept_whole(client, la_officer):
    client.force_login(la_officer)
    client.get(reverse("messaging:compose") + "?new")
    _compose(client, add_la="", la="681", roles=["la_user"])
    body = "x" * 10_001
    page = _compose(client, preview="", subject="Long", body=body).content.decode()
    assert "govuk-error-summary" in page
    assert "The message must be 10000 characters or fewer" in page
    assert client.session["messaging_draft"]["body"] == body
    assert not Message.objects.exists()
    page = _compose(client, preview="", subject="", body="Text").content.decode()
    assert "Enter the subject" in page


def test_a_blanket_message_shows_the_guidance_and_sends_once_confirmed(client, la_officer,
                                                                       many_las):
    client.force_login(la_officer)
    for la in many_las:
        _compose(client, add_la="", la=la.number, roles=["la_user"])
    _compose(client, preview="", subject="Missing child", body="Have you seen him?")
    page = client.post(reverse("messaging:preview"), {"send": ""}).content.decode()
    assert "Is this a blanket enquiry?" in page
    assert "Check thoroughly in your own area first" in page
    assert not Message.objects.exists()
    client.post(reverse("messaging:preview"), {"send": "", "confirm_blanket": "yes"})
    assert Message.objects.get().recipients.count() == 11


def test_reply_starts_a_draft_to_the_sender(client, other_la_officer, la_officer):
    message = send(other_la_officer, las=[("838", ["la_user"])], subject="Question").message
    client.force_login(la_officer)
    client.get(reverse("messaging:compose"), {"reply": message.pk})
    _compose(client, preview="", subject="Re: Question", body="Answer")
    client.post(reverse("messaging:preview"), {"send": ""})
    reply = Message.objects.exclude(pk=message.pk).get()
    assert list(reply.recipients.values_list("user__username", flat=True)) == ["681user"]


def test_template_pages_add_copy_and_delete_with_confirmation(client, la_officer):
    client.force_login(la_officer)
    response = client.post(reverse("messaging:template-add"),
                           {"name": "CTF", "subject": "CTF please", "body": "Send it."})
    template = la_officer.message_templates.get()
    assert response.url == reverse("messaging:template-detail", args=[template.pk])
    client.post(reverse("messaging:template-copy", args=[template.pk]))
    assert la_officer.message_templates.count() == 2
    url = reverse("messaging:template-delete", args=[template.pk])
    assert "cannot be restored" in client.get(url).content.decode()
    client.post(url, {"confirm": ""})
    assert list(la_officer.message_templates.values_list("name", flat=True)) == ["Copy of CTF"]


def test_group_pages_create_and_edit(client, la_officer, other_la):
    client.force_login(la_officer)
    client.post(reverse("messaging:group-add"), {
        "name": "Wales", "las": "681", "roles": ["la_user", "la_lost_pupil"], "schools": ""})
    group = la_officer.message_groups.get()
    assert sorted(str(m) for m in group.members.all()) == ["681 LA lost pupil", "681 LA user"]
    edit = client.get(reverse("messaging:group-edit", args=[group.pk])).content.decode()
    assert "681" in edit


def test_the_la_report_shows_counts_and_no_content_or_sender(client, la_dba, la_officer,
                                                             sending_school_user):
    send(la_officer, schools=["8383321"], subject="Secret subject", body="Secret body")
    client.force_login(la_dba)
    page = client.get(reverse("messaging:report")).content.decode()
    assert "8383321" in page
    assert "Secret" not in page
    assert "838user" not in page
    csv = b"".join(client.get(reverse("messaging:report-csv")).streaming_content).decode()
    assert csv.splitlines()[1].startswith("8383321,Stickland's CE VA Primary,1,")


def test_the_service_admin_picks_the_la_of_the_report(client, service_admin, la_officer,
                                                      sending_school_user, other_la):
    send(la_officer, schools=["8383321"])
    client.force_login(service_admin)
    assert "8383321" in client.get(reverse("messaging:report"), {"la": "838"}).content.decode()
    other = client.get(reverse("messaging:report"), {"la": "681"})
    assert other.status_code == 200
    assert "8383321" not in other.content.decode()


def test_an_la_outside_the_dbas_scope_or_unknown_answers_404_on_the_report(
        client, la_dba, other_la):
    client.force_login(la_dba)
    for url in ("messaging:report", "messaging:report-csv"):
        assert client.get(reverse(url), {"la": "838"}).status_code == 200
        assert client.get(reverse(url), {"la": "681"}).status_code == 404
        assert client.get(reverse(url), {"la": "999"}).status_code == 404


def test_template_and_group_pages_show_the_services_refusal_on_the_form(client, la_officer):
    client.force_login(la_officer)
    fields = {"name": "CTF", "subject": "CTF please", "body": "Send it."}
    client.post(reverse("messaging:template-add"), fields)
    page = client.post(reverse("messaging:template-add"), fields).content.decode()
    assert "govuk-error-summary" in page
    assert "You already have a template called CTF" in page
    page = client.post(reverse("messaging:group-add"), {
        "name": "Bad", "las": "", "roles": ["la_user"], "schools": "8380000"}).content.decode()
    assert "govuk-error-summary" in page
    assert "There is no school 8380000" in page
    assert la_officer.message_templates.count() == 1
    assert not la_officer.message_groups.exists()
