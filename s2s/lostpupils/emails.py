"""The emails of the Lost Pupil Database: to an LA's contact email, never with pupil data.

A second file for a pupil already in the LPD is flagged to the uploading LA; a record
downloaded (or forwarded) tells the uploading LA that its case is resolved; each month an LA
hears how many of its schools' records will be purged next month. Each names files and
schools, and links to the LA's page: no name, UPN or date of birth (STYLE.md).
"""

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import formats
from django.utils.functional import lazy

from s2s.core.outbox import email_queue_templated
from s2s.directory.models import LocalAuthority
from s2s.lostpupils.models import LostPupilRecord

# A month worded in the language the email is rendered in ("Rhagfyr 2026"), not the sender's.
date_format_lazy = lazy(formats.date_format, str)


def _records_link() -> str:
    return settings.SITE_URL + reverse("lostpupils:la-records")


def _school(record: LostPupilRecord) -> str:
    school = record.uploading_school
    return f"{school.code} {school.name}" if school else f"{record.uploading_la.number}LLLL"


def send_second_file(*, record: LostPupilRecord) -> int:
    """Tell the uploading LA that a school sent a second file for a pupil already in the LPD."""
    first = record.same_pupil_as
    return _send("lpd-second-file", [record.uploading_la.email], {
        "file_name": record.transfer.name, "school": _school(record),
        "first_name": first.transfer.name if first else "", "link": _records_link(),
    })


def send_resolved(*, record: LostPupilRecord) -> int:
    """Tell the uploading LA that another LA has found the pupil of one of its files."""
    return _send("lpd-resolved", [record.uploading_la.email], {
        "file_name": record.transfer.name, "school": _school(record),
        "found_by": str(record.downloaded_la) if record.downloaded_la else "",
        "when": record.downloaded_at, "link": _records_link(),
    })


def send_purge_preview(*, la: LocalAuthority, month: date, count: int) -> int:
    """Tell an LA how many of its schools' records will be purged in `month`."""
    return _send("lpd-purge-preview", [la.email], {
        "la": str(la), "count": count, "month": date_format_lazy(month, "F Y"),
        "link": f"{_records_link()}?purge={month:%Y-%m}",
    })


def _send(name: str, to: list[str], context: dict) -> int:
    return email_queue_templated(name=name, to=to, context=context)
