"""Reading feeds, already narrowed by the policy to what the user may see."""

from django.db.models import QuerySet
from django.http import Http404

from s2s.accounts.policy import Action, get_for, has_capability, scope
from s2s.directory.models import Establishment
from s2s.feeds.checks import findings_worded
from s2s.feeds.models import Feed, Mark, MarkVersion


def feed_list(*, user, school: str | None = None, kind: str | None = None,
              status: str | None = None) -> QuerySet:
    """Return the feeds the user may see, newest first; a school outside scope is 404.

    A role that sees no feeds at all gets 404 too, as on the pages.
    """
    if not has_capability(user, Action.VIEW_FEEDS):
        raise Http404
    feeds = scope(user, Feed.objects.select_related("establishment"), Action.VIEW_FEEDS)
    if school:
        establishment = get_for(user, Establishment.objects, Action.VIEW_FEEDS, code=school)
        feeds = feeds.filter(establishment=establishment)
    if kind:
        feeds = feeds.filter(kind=kind)
    if status:
        feeds = feeds.filter(status=status)
    return feeds.order_by("-received_at", "-pk")


def feed_get(*, user, feed_id: int) -> Feed:
    """Return one feed the user may see, or 404."""
    return get_for(user, Feed.objects.select_related("establishment"), Action.VIEW_FEEDS,
                   pk=feed_id)


def feed_summary(feed: Feed) -> dict:
    """Return a feed's report without its errors and warnings."""
    return {
        "id": feed.pk, "school": feed.establishment.code, "kind": feed.kind,
        "format": feed.format, "received_at": feed.received_at, "status": feed.status,
        "sent_by": feed.sent_by_username,
        "counts": {"received": feed.received, "changed": feed.changed,
                   "quarantined": feed.quarantined, "errors": feed.error_count,
                   "warnings": feed.warning_count},
    }


def feed_report(feed: Feed) -> dict:
    """Return a feed's whole report: counts, errors and warnings."""
    return {**feed_summary(feed), "errors": findings_worded(feed.errors),
            "warnings": findings_worded(feed.warnings)}


def latest_reports(*, establishment, limit: int = 5) -> list[Feed]:
    """Return the school's latest feeds, newest first (its start page)."""
    return list(Feed.objects.filter(establishment=establishment)
                .select_related("establishment").order_by("-received_at", "-pk")[:limit])


def mark_history(*, pupil, day, session: int) -> list[dict]:
    """Return every version of one mark, oldest first, with who sent each and when."""
    versions = list(MarkVersion.objects.filter(pupil=pupil, date=day, session=session)
                    .select_related("feed").order_by("replaced_by_id", "pk"))
    current = Mark.objects.filter(pupil=pupil, date=day, session=session).select_related(
        "feed").first()
    rows = [*versions, *([current] if current else [])]
    return [{"code": row.code, "sent_by": row.feed.sent_by_username,
             "received_at": row.feed.received_at, "feed": row.feed_id} for row in rows]
