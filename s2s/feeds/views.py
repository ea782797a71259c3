"""The feeds pages: parse, ask the policy (through the selectors), render."""

from django.shortcuts import render

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action
from s2s.feeds import services
from s2s.feeds.checks import findings_worded
from s2s.feeds.health import feed_health


@requires(Action.VIEW_FEEDS)
def report(request, pk: int):
    """Show one feed's report: counts, then the errors and warnings (the view is audited)."""
    feed = services.feed_report_view(user=request.user, feed_id=pk, request=request)
    return render(request, "feeds/report.html", {
        "feed": feed, "errors": findings_worded(feed.errors),
        "warnings": findings_worded(feed.warnings)})


@requires(Action.FEED_HEALTH)
def health(request):
    """Show the LA's schools' last feed of each kind, its lag, and the silent schools."""
    rows = feed_health(la=request.user.la)
    return render(request, "feeds/health.html",
                  {"rows": rows, "stale": sum(row.stale for row in rows)})
