"""The feeds' start page panels: a school's latest reports; the LA's count of silent schools."""

from s2s.accounts.policy import Action, has_capability
from s2s.feeds.health import stale_count
from s2s.feeds.selectors import latest_reports


def school_start_panel(request) -> dict | None:
    """Return the school's latest feed reports, for its school users."""
    user = request.user
    if not user.establishment_id or not has_capability(user, Action.VIEW_FEEDS):
        return None
    return {"template": "feeds/school_panel.html",
            "feeds": latest_reports(establishment=user.establishment)}


def la_start_panel(request) -> dict | None:
    """Return how many of the LA's schools sent no feed for two school days, for LA roles."""
    user = request.user
    if not user.la_id or not has_capability(user, Action.FEED_HEALTH):
        return None
    return {"template": "feeds/la_panel.html", "stale": stale_count(la=user.la)}
