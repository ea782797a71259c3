"""An upload's emails are written by the worker, after the upload commits, exactly once."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from s2s.core.models import OutboundEmail
from s2s.transfers.models import Transfer
from s2s.transfers.services import transfer_upload
from s2s.transfers.services.notify import transfer_notify, transfers_notify_pending
from s2s.transfers.tests.ctfs import ctf, zip_of

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
NAME = "8383321_CTF_8384512_001.XML"


@pytest.fixture
def queued(settings):
    """Enqueue into the database queue, as the service runs, so nothing runs at once."""
    settings.TASKS = DATABASE_TASKS


def _upload(user, name=NAME, content=None):
    content = content if content is not None else ctf("8383321", "8384512", pupils=2)
    return transfer_upload(user=user, name=name, content=io.BytesIO(content)).transfer


def _waiting_for_school() -> set[str]:
    return set(OutboundEmail.objects.filter(subject__icontains="waiting")
               .values_list("to", flat=True))


def test_the_upload_queues_one_task_and_writes_no_email_itself(
        queued, sending_school_user, receiving_school_user):
    transfer = _upload(sending_school_user)
    assert not OutboundEmail.objects.exists()
    (task,) = DBTaskResult.objects.all()
    assert task.task_path == "s2s.transfers.tasks.notify_transfer"
    assert task.args_kwargs == {"args": [], "kwargs": {"transfer_id": transfer.pk}}
    assert Transfer.objects.get(pk=transfer.pk).notified_at is None


def test_the_task_writes_the_emails_once_however_often_it_runs(
        queued, sending_school_user, receiving_school_user):
    transfer = _upload(sending_school_user)
    written = transfer_notify(transfer_id=transfer.pk)
    assert written == OutboundEmail.objects.count() > 0
    assert "office4512@school.example.sch.uk" in _waiting_for_school()
    assert transfer_notify(transfer_id=transfer.pk) == 0  # a retry, or the sweep racing it
    assert OutboundEmail.objects.count() == written
    assert Transfer.objects.get(pk=transfer.pk).notified_at is not None


def test_the_sweep_writes_the_emails_of_an_upload_whose_task_was_lost(
        queued, sending_school_user, receiving_school_user):
    _upload(sending_school_user)
    DBTaskResult.objects.all().delete()  # the task is lost
    assert transfers_notify_pending() == 0  # younger than a minute: left to its task
    later = timezone.now() + timedelta(minutes=2)
    assert transfers_notify_pending(now=later) > 0
    assert "office4512@school.example.sch.uk" in _waiting_for_school()
    assert transfers_notify_pending(now=later) == 0


def test_the_command_sweeps_too(queued, sending_school_user, receiving_school_user):
    transfer = _upload(sending_school_user)
    Transfer.objects.filter(pk=transfer.pk).update(
        uploaded_at=timezone.now() - timedelta(minutes=5))
    out = io.StringIO()
    call_command("notify_transfers", stdout=out)
    assert "emails written" in out.getvalue()
    assert not out.getvalue().startswith("0 ")
    assert "office4512@school.example.sch.uk" in _waiting_for_school()


def test_a_generic_zip_queues_nothing_and_is_marked_told(
        queued, sending_school_user, receiving_school_user):
    transfer = _upload(sending_school_user, name="8383321_8384512_notes.ZIP",
                       content=zip_of({"notes.txt": b"minutes of the meeting"}))
    assert not DBTaskResult.objects.exists()
    assert Transfer.objects.get(pk=transfer.pk).notified_at is not None
    later = timezone.now() + timedelta(minutes=2)
    assert transfers_notify_pending(now=later) == 0
    assert not OutboundEmail.objects.exists()


def test_an_upload_that_fails_leaves_no_task(queued, sending_school_user, receiving_school_user,
                                             monkeypatch):
    from s2s.transfers.services import upload

    real_queue = upload.transfer_notify_queue

    def fail(*args, **kwargs):
        real_queue(*args, **kwargs)
        raise RuntimeError("failed once the task was queued")

    # The transaction's last step, just after the task was queued in it.
    monkeypatch.setattr(upload, "transfer_notify_queue", fail)
    with pytest.raises(RuntimeError):
        _upload(sending_school_user)
    assert not DBTaskResult.objects.exists()
    assert not Transfer.objects.exists()
