"""Reads of the audit trail, narrowed by the policy to what the asking user may see."""

from datetime import date

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from s2s.accounts.models import User
from s2s.accounts.policy import Action, has_capability, scope
from s2s.accounts.roles import ScopeKind
from s2s.audit.models import AuditEvent


def audit_events_for(
    *, user, action: str = "", date_from: date | None = None, date_to: date | None = None,
) -> QuerySet:
    """Return the audit events this user may see, newest first.

    The service (national scope) sees everything. Anyone else with the audit capability sees
    what the users it may see did, and what was done to them (by the system, say).
    """
    if not has_capability(user, Action.VIEW_AUDIT):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.all()
    if user.scope_kind != ScopeKind.NATION:
        users = scope(user, User.objects.all(), Action.VIEW_USERS)
        user_ids = users.annotate(text_id=Cast("pk", CharField())).values("text_id")
        events = events.filter(
            Q(actor__in=users.values("pk"))
            | Q(object_type=User._meta.label_lower, object_id__in=user_ids)
        )
    if action:
        events = events.filter(action=action)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-at", "-id")


def audit_actions_for(*, user) -> list[str]:
    """Return the kinds of event this user may see, for a filter."""
    events = audit_events_for(user=user).order_by()
    return sorted(events.values_list("action", flat=True).distinct())
