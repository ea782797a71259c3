"""Receiving a feed: read it, check it, store what changed, report, audit and tell the school.

`feed_receive` is what the API, the `s2s feed load` command and tests call. A record with an
error is refused on its own; the whole feed is refused only when its body is no feed at all
(not JSON, CSV or CTF of its kind), and a school the sender may not send for is 404.
"""

import io

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.accounts.policy import Action, get_for, has_capability
from s2s.audit.services import audit_record, english_words
from s2s.calendars.selectors import school_days
from s2s.core.errors import NotFound, ServiceError
from s2s.ctf.words import Text
from s2s.directory.models import Establishment
from s2s.feeds import emails, selectors
from s2s.feeds.adapters import FeedInput, FeedUnreadable, read_feed
from s2s.feeds.checks import Findings
from s2s.feeds.ingest import ingest_attendance, ingest_exclusions, ingest_roll
from s2s.feeds.models import Feed, FeedFormat, FeedKind, FeedStatus
from s2s.transfers.storage import atomic_with_files, stored_file_delete, stored_file_write

INGEST = {FeedKind.ROLL: ingest_roll, FeedKind.ATTENDANCE: ingest_attendance,
          FeedKind.EXCLUSIONS: ingest_exclusions}
FORMAT_OF_MEDIA = {"text/csv": FeedFormat.CSV, "application/xml": FeedFormat.CTF,
                   "text/xml": FeedFormat.CTF}


def _establishment(user, code: str | None) -> Establishment:
    """Return the school the user may send this feed for; 404 for anything else.

    No user is the system (`s2s feed load`, run by the LA's operators): any school.
    """
    if not code:
        raise ServiceError(_("Say which school the feed is for: \"school\" in the body, or "
                             "?school= with CSV."), code="school_missing", field="school")
    schools = Establishment.objects.select_related("la")
    if user is None:
        try:
            return schools.get(code=str(code).strip())
        except Establishment.DoesNotExist:
            raise NotFound(_("There is no school %(code)s.") % {"code": code}) from None
    return get_for(user, schools, Action.SEND_FEEDS, code=str(code).strip())


def _new_feed(*, user, establishment, kind: str, fmt: str, full: bool) -> Feed:
    return Feed.objects.create(
        establishment=establishment, kind=kind, format=fmt, full=full, sent_by=user,
        sent_by_username=getattr(user, "username", "") or "system",
        status=FeedStatus.ACCEPTED)


def _store_raw(feed: Feed, content: bytes) -> None:
    feed.raw = stored_file_write(content=io.BytesIO(content),
                                 name_hint=f"{feed.kind} feed for {feed.establishment.code}")


def _refused(*, user, kind, content, content_type, school, full, error, request) -> Feed:
    """Record a feed whose body could not be read, when its school is known and allowed."""
    try:
        establishment = _establishment(user, school)
    except (Http404, ServiceError):
        raise error from None
    media = (content_type or "").split(";")[0].strip().lower()
    with atomic_with_files():
        feed = _new_feed(user=user, establishment=establishment, kind=kind,
                         fmt=FORMAT_OF_MEDIA.get(media, FeedFormat.JSON), full=full)
        _store_raw(feed, content)
        findings = Findings()
        findings.error(error.message, error.code)
        _finish(feed, findings, received=0, changed=0, quarantined=0,
                status=FeedStatus.REFUSED)
        _audit(feed, user, request)
    return feed


def _finish(feed: Feed, findings: Findings, *, received: int, changed: int, quarantined: int,
            status: str = FeedStatus.ACCEPTED) -> None:
    feed.status, feed.received, feed.changed, feed.quarantined = (
        status, received, changed, quarantined)
    feed.errors, feed.warnings = findings.errors, findings.warnings
    feed.error_count, feed.warning_count = findings.error_count, findings.warning_count
    feed.save()
    if findings.error_count or findings.warning_count:
        emails.send_feed_report(feed=feed)


def _audit(feed: Feed, user, request) -> None:
    audit_record(
        action="feed_receive", actor=user, obj=feed, request=request,
        actor_username="" if getattr(user, "pk", None) else "system",
        summary=Text(gettext_noop("%(kind)s feed for %(code)s: %(status)s, %(received)s "
                                  "received, %(changed)s changed"),
                     kind=english_words(FeedKind(feed.kind).label), code=feed.establishment.code,
                     status=english_words(FeedStatus(feed.status).label),
                     received=feed.received, changed=feed.changed),
        detail={"kind": feed.kind, "school": feed.establishment.code, "status": feed.status,
                "received": feed.received, "changed": feed.changed,
                "quarantined": feed.quarantined},
    )


def feed_receive(*, user, kind: str, content: bytes, content_type: str = "application/json",
                 school: str | None = None, full: bool = False, request=None) -> Feed:
    """Receive one feed for one school and return it with its report.

    The same feed twice changes nothing (`changed` 0); a later mark for the same pupil, day
    and session replaces the earlier one, which stays in the history. `user` None is the
    system (`s2s feed load`).
    """
    if kind not in FeedKind.values or not (user is None
                                            or has_capability(user, Action.SEND_FEEDS)):
        raise NotFound()
    if len(content) > settings.S2S_FEED_MAX_BYTES:
        raise ServiceError(_("The feed is larger than %(limit)s bytes; send it in parts.")
                           % {"limit": settings.S2S_FEED_MAX_BYTES}, code="too_large")
    try:
        data = read_feed(kind=kind, content=content, content_type=content_type, school=school,
                         full=full)
    except FeedUnreadable as error:
        return _refused(user=user, kind=kind, content=content, content_type=content_type,
                        school=school, full=full, error=error, request=request)
    establishment = _establishment(user, data.school)
    with atomic_with_files():
        return _ingest(user=user, kind=kind, data=data, content=content,
                       establishment=establishment, request=request)


def _ingest(*, user, kind: str, data: FeedInput, content: bytes, establishment,
            request) -> Feed:
    # One feed of a school at a time: what was read is still true when the changes are
    # written, so a resend never duplicates and every replaced mark reaches the history.
    Establishment.objects.select_for_update().filter(pk=establishment.pk).exists()
    feed = _new_feed(user=user, establishment=establishment, kind=kind, fmt=data.format,
                     full=data.full and kind == FeedKind.ROLL)
    _store_raw(feed, content)
    findings = Findings()
    changed, quarantined = INGEST[kind](
        feed=feed, records=data.records, findings=findings, nation=establishment.la.nation,
        school_days=school_days)
    _finish(feed, findings, received=len(data.records), changed=changed,
            quarantined=quarantined)
    _audit(feed, user, request)
    return feed


@transaction.atomic
def feed_report_view(*, user, feed_id: int, request=None) -> Feed:
    """Return one feed the user may see, or 404, and audit that its report was viewed.

    The page and the API both show a report through this, so neither can skip the audit.
    """
    feed = selectors.feed_get(user=user, feed_id=feed_id)
    audit_record(action="feed_report_view", actor=user, obj=feed, request=request)
    return feed


def feed_raw_delete(*, feed: Feed) -> bool:
    """Delete a feed's stored raw body (retention); return whether it had one."""
    if feed.raw is None:
        return False
    raw = feed.raw
    Feed.objects.filter(pk=feed.pk).update(raw=None)
    stored_file_delete(raw)
    return True
