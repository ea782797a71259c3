"""CME on a school's start page: its own open signals and the returns it owes (counts only)."""

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from s2s.accounts.policy import Action, has_capability
from s2s.cme import returns, selectors
from s2s.cme.signals import Kind


def _for_school(user) -> bool:
    return bool(user.establishment_id and has_capability(user, Action.USE_PAGES)
                and has_capability(user, Action.VIEW_CME_SIGNALS))


def school_needs(request) -> list[dict]:
    """Return "what needs you": the school's open signals and the returns it owes its LA."""
    user = request.user
    if not _for_school(user):
        return []
    signals = selectors.signal_list(user=user, status="open").count()
    owed = returns.return_list(user=user, status=returns.OUTSTANDING)
    count, overdue = owed.count(), owed.filter(due_on__lt=timezone.localdate()).count()
    url = reverse("cme:school")
    return [
        {"count": signals, "url": url, "hint": None,
         "text": ngettext("%(count)s open signal about your pupils",
                          "%(count)s open signals about your pupils", signals)
         % {"count": signals}},
        {"count": count, "url": url,
         "text": ngettext("%(count)s return owed to your LA", "%(count)s returns owed to your LA",
                          count) % {"count": count},
         "hint": ngettext("%(count)s is overdue.", "%(count)s are overdue.", overdue)
         % {"count": overdue} if overdue else None},
    ]


def school_start_panel(request) -> dict | None:
    """Return the school's open signals counted by kind (no pupil data), for its users."""
    user = request.user
    if not _for_school(user):
        return None
    counts = dict(selectors.signal_list(user=user, status="open").values_list("kind")
                  .annotate(n=Count("pk")).order_by())
    return {"template": "cme/school_panel.html",
            "kinds": [(label, counts[value]) for value, label in Kind.choices if value in counts]}
