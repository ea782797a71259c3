"""Write to the audit trail. Every service that changes or reveals data calls `audit_record`."""

from django.http import HttpRequest

from s2s.audit.models import AuditEvent
from s2s.core.addresses import client_address


def audit_record(
    *,
    action: str,
    actor=None,
    obj=None,
    summary: str = "",
    request: HttpRequest | None = None,
    ip_address: str | None = None,
    detail: dict | None = None,
    actor_username: str = "",
) -> AuditEvent:
    """Append one event: who (actor), did what (action), to what (obj), from where."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=actor_username or getattr(actor, "username", "") or "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
        ip_address=ip_address or client_address(request),
        detail=detail or {},
    )
