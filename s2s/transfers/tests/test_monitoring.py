"""LA monitoring (seed 003, 5.3) and LA copies (seed 003, 3.9): counts, scope, audit, switch."""

import io

import pytest
from django.http import Http404
from django.urls import reverse

from s2s.accounts.roles import Role
from s2s.audit.models import AuditEvent
from s2s.transfers.models import TransferStatus
from s2s.transfers.monitoring import la_copies, la_monitored, la_not_collected, status_counts
from s2s.transfers.services import transfer_upload
from s2s.transfers.services.copies import transfer_copy_open
from s2s.transfers.tests.ctfs import zip_of
from s2s.transfers.tests.la_files import send, set_state


@pytest.fixture
def la_838_box(make_user, home_la):
    """An LA 838 user who sends from 838LLLL (to send the mailbox's own files)."""
    return make_user(Role.LA_SCHOOL, home_la, username="838laschool")


@pytest.fixture
def files(sending_school_user, receiving_school_user, outsider_school_user, la_838_box):
    """A known data set: four CTFs within LA 838, two in, three out, and three elsewhere.

    8383321 and 8384512 are LA 838's schools; 6812345 is LA 681's.
    """
    a, b, o = sending_school_user, receiving_school_user, outsider_school_user
    made = {
        "within_awaiting": set_state(send(a, "8383321", "8384512"), days_ago=10),
        "within_collected": set_state(send(b, "8384512", "8383321"), status="collected",
                                      days_ago=5, took_days=2),
        "within_to_mailbox": set_state(send(a, "8383321", "838LLLL", pupils=3), days_ago=3),
        "within_rejected": set_state(send(a, "8383321", "8384512", sequence=2),
                                     status="rejected", days_ago=4, took_days=1),
        "in_awaiting": set_state(send(o, "6812345", "8384512"), days_ago=7),
        "in_collected": set_state(send(o, "6812345", "838LLLL"), status="collected",
                                  days_ago=6, took_days=3),
        "out_awaiting": set_state(send(a, "8383321", "6812345"), days_ago=2),
        "out_collected": set_state(send(b, "8384512", "6812345"), status="collected",
                                   days_ago=9, took_days=4),
        "out_to_mailbox": set_state(send(la_838_box, "838LLLL", "681LLLL"), days_ago=1),
        # Not monitored: the Lost Pupil Database's, another LA's own, a generic zip.
        "lost": send(a, "8383321", "XXXXXXX", pupils=1),
        "other_la": send(o, "6812345", "681LLLL"),
    }
    made["zip"] = transfer_upload(user=a, name="8383321_838LLLL_notes.ZIP",
                                  content=io.BytesIO(zip_of({"a.txt": b"a"}))).transfer
    return made


def _names(queryset, files):
    by_pk = {t.pk: key for key, t in files.items()}
    return sorted(by_pk[t.pk] for t in queryset)


def test_each_view_counts_exactly_its_own_files(files, la_officer):
    assert _names(la_monitored(user=la_officer, view="within"), files) == [
        "within_awaiting", "within_collected", "within_rejected", "within_to_mailbox"]
    assert _names(la_monitored(user=la_officer, view="incoming"), files) == [
        "in_awaiting", "in_collected"]
    assert _names(la_monitored(user=la_officer, view="outgoing"), files) == [
        "out_awaiting", "out_collected", "out_to_mailbox"]
    within = status_counts(la_monitored(user=la_officer, view="within"))
    assert within == {"awaiting": 2, "collected": 1, "rejected": 1, "deleted": 0, "total": 4}
    incoming = status_counts(la_monitored(user=la_officer, view="incoming"))
    assert incoming == {"awaiting": 1, "collected": 1, "rejected": 0, "deleted": 0, "total": 2}
    outgoing = status_counts(la_monitored(user=la_officer, view="outgoing"))
    assert outgoing == {"awaiting": 2, "collected": 1, "rejected": 0, "deleted": 0, "total": 3}


def test_the_other_la_sees_the_same_files_from_its_side(files, other_la_officer):
    assert _names(la_monitored(user=other_la_officer, view="within"), files) == ["other_la"]
    assert _names(la_monitored(user=other_la_officer, view="incoming"), files) == [
        "out_awaiting", "out_collected", "out_to_mailbox"]
    assert _names(la_monitored(user=other_la_officer, view="outgoing"), files) == [
        "in_awaiting", "in_collected"]


def test_filters_by_school_and_status(files, la_officer, receiving_school):
    at_4512 = la_monitored(user=la_officer, view="within", school=receiving_school)
    assert _names(at_4512, files) == ["within_awaiting", "within_collected", "within_rejected"]
    awaiting = la_monitored(user=la_officer, view="within", status=TransferStatus.AWAITING)
    assert _names(awaiting, files) == ["within_awaiting", "within_to_mailbox"]


def test_the_page_shows_counts_and_each_files_age_in_days(files, la_officer, client):
    client.force_login(la_officer)
    response = client.get(reverse("transfers:la-monitoring"), {"view": "within"})
    assert response.status_code == 200
    assert response.context["counts"]["awaiting"] == 2
    assert response.context["counts"]["collected"] == 1
    ages = {t.name: t.age_days for t in response.context["page"].object_list}
    assert ages == {
        files["within_awaiting"].name: 10, files["within_collected"].name: 2,
        files["within_to_mailbox"].name: 3, files["within_rejected"].name: 1,
    }
    page = response.content.decode()
    assert 'data-count="awaiting">2<' in page
    assert files["within_awaiting"].name in page
    assert files["in_awaiting"].name not in page
    response = client.get(reverse("transfers:la-monitoring"), {"view": "outgoing"})
    assert {t.name for t in response.context["page"].object_list} == {
        files["out_awaiting"].name, files["out_collected"].name, files["out_to_mailbox"].name}


def test_roles_without_monitoring_get_404(files, make_user, home_la, sending_school_user,
                                          client):
    census = make_user(Role.LA_CENSUS, home_la, username="838census")
    for user in (census, sending_school_user):
        client.force_login(user)
        assert client.get(reverse("transfers:la-monitoring")).status_code == 404
        assert client.get(reverse("transfers:la-not-collected")).status_code == 404


def test_the_not_collected_view_shows_pupils_and_is_audited(files, la_officer, client):
    client.force_login(la_officer)
    response = client.get(reverse("transfers:la-not-collected"))
    assert response.status_code == 200
    shown = {t.name for t, _allowed in response.context["rows"]}
    assert shown == {files["within_awaiting"].name, files["within_to_mailbox"].name,
                     files["in_awaiting"].name}
    page = response.content.decode()
    upns = []
    for key in ("within_awaiting", "within_to_mailbox", "in_awaiting"):
        for pupil in files[key].pupils.all():
            assert pupil.surname in page
            assert pupil.upn in page
            assert pupil.dob.strftime("%-d %B %Y") in page
            upns.append(pupil.upn)
    event = AuditEvent.objects.get(action="la_not_collected_view")
    assert event.actor == la_officer
    assert sorted(event.detail["upns"]) == sorted(upns)
    assert len(upns) == 7


def test_another_la_sees_only_the_files_at_its_own_places(files, other_la_officer, client):
    shown = la_not_collected(user=other_la_officer)
    assert _names(shown, files) == ["other_la", "out_awaiting", "out_to_mailbox"]
    client.force_login(other_la_officer)
    for name in ("transfers:la-forward", "transfers:la-delete"):
        url = reverse(name, kwargs={"pk": files["within_awaiting"].pk})
        assert client.get(url).status_code == 404


def test_the_la_deletes_a_file_not_collected_with_a_reason(files, la_officer, client,
                                                           sending_school_user):
    transfer = files["within_awaiting"]
    client.force_login(la_officer)
    url = reverse("transfers:la-delete", kwargs={"pk": transfer.pk})
    assert client.post(url, {"reason": ""}).status_code == 200  # the reason is required
    response = client.post(url, {"reason": "The pupil is on roll at 8385000, which has it"})
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DELETED
    assert transfer.deleted_by == la_officer
    assert transfer.stored_file is None
    assert not transfer.pupils.exists()
    event = AuditEvent.objects.get(action="transfer_delete")
    assert len(event.detail["upns"]) == 2


# --- copies (seed 003, 3.9) ---------------------------------------------------------------


def test_copies_list_the_schools_files_while_the_switch_is_on(files, la_officer):
    names = _names(la_copies(user=la_officer), files)
    assert names == ["in_awaiting", "out_awaiting", "out_collected", "within_awaiting",
                     "within_collected", "within_rejected", "within_to_mailbox"]


def test_a_copy_download_is_audited_and_never_collects_the_file(files, la_officer, client):
    transfer = files["within_awaiting"]
    client.force_login(la_officer)
    response = client.get(reverse("transfers:la-copy-download", kwargs={"pk": transfer.pk}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"<?xml")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.AWAITING
    assert transfer.download_count == 0
    event = AuditEvent.objects.get(action="copy_download")
    assert sorted(event.detail["upns"]) == sorted(p.upn for p in transfer.pupils.all())


def test_with_the_switch_off_copies_answer_404(files, la_officer, home_la, client):
    home_la.receive_ctf_copies = False
    home_la.save()
    la_officer.refresh_from_db()
    assert list(la_copies(user=la_officer)) == []
    with pytest.raises(Http404):
        transfer_copy_open(user=la_officer, transfer=files["within_awaiting"])
    client.force_login(la_officer)
    assert client.get(reverse("transfers:la-copies")).status_code == 404
    url = reverse("transfers:la-copy-download", kwargs={"pk": files["within_awaiting"].pk})
    assert client.get(url).status_code == 404
    response = client.get(reverse("transfers:la-monitoring"))
    assert reverse("transfers:la-copies") not in response.content.decode()


def test_another_la_gets_no_copy(files, other_la_officer):
    with pytest.raises(Http404):
        transfer_copy_open(user=other_la_officer, transfer=files["within_awaiting"])
    assert _names(la_copies(user=other_la_officer), files) == [
        "in_awaiting", "in_collected", "other_la", "out_awaiting", "out_collected"]


def test_the_menu_offers_la_monitoring_to_the_las_ctf_people(la_officer, lost_pupil_officer,
                                                             client):
    from s2s.core.navigation import menu_for

    assert "LA monitoring" in [str(item["label"]) for item in menu_for(la_officer)]
    assert "LA monitoring" not in [str(item["label"]) for item in menu_for(lost_pupil_officer)]
