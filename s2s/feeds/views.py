"""The feeds pages: parse, ask the policy (through the selectors), render."""

from django.shortcuts import render

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action
from s2s.audit.services import audit_record
from s2s.feeds import selectors
from s2s.feeds.health import feed_health


@requires(Action.VIEW_FEEDS)
def report(request, pk: int):
    """Show one feed's report: counts, then the errors and warnings (the view is audited)."""
    feed = selectors.feed_get(user=request.user, feed_id=pk)
    audit_record(action="feed_report_view", actor=request.user, obj=feed, request=request)
    return render(request, "feeds/report.html", {"feed": feed})


@requires(Action.FEED_HEALTH)
def health(request):
    """Show the LA's schools' last feed of each kind, its lag, and the silent schools."""
    rows = feed_health(la=request.user.la)
    return render(request, "feeds/health.html",
                  {"rows": rows, "stale": sum(row.stale for row in rows)})
