"""Write to the audit trail. Every service that changes or reveals data calls `audit_record`.

The details (`summary`) may be given as words for people: a `Text` (`ctf/words.py`) whose
template is marked with `gettext_noop`, e.g.
`summary=Text(gettext_noop("%(name)s: %(count)s records"), name=p.name, count=n)`. The English
rendering is stored in `summary` as before (the CSV and older readers are unchanged) and the
template with its values in `detail["words"]`, which the hash chain covers like the rest of
`detail`; the audit page words it in the reader's language (`AuditEvent.details`). The values
are only those the English words show, so no data is kept that the summary did not hold.
"""

import json

from django.http import HttpRequest
from django.utils.translation import gettext_noop

from s2s.audit.chain import chain_append_with
from s2s.audit.models import AuditEvent
from s2s.core.addresses import client_address
from s2s.core.prepared import Linked
from s2s.core.text import in_english
from s2s.ctf.words import Text


def _event_new(*, action: str, actor, obj, summary, request, ip_address, detail,
               actor_username: str) -> AuditEvent:
    detail = dict(detail or {})
    if isinstance(summary, Text):
        # Values that are not JSON (a date, a code object) are kept as the English shows them.
        detail["words"] = json.loads(json.dumps(summary.as_json(), default=str))
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=actor_username or getattr(actor, "username", "") or "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        summary=str(summary)[:300],
        ip_address=ip_address or client_address(request),
        detail=detail,
    )


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
    event = _event_new(action=action, actor=actor, obj=obj, summary=summary, request=request,
                       ip_address=ip_address, detail=detail, actor_username=actor_username)
    event.save()
    return event


def audit_record_with(
    rows: list[Linked],
    *,
    action: str,
    actor=None,
    obj,
    summary: str = "",
    request: HttpRequest | None = None,
    detail: dict | None = None,
    then: tuple | None = None,
) -> AuditEvent:
    """Write new rows and the event of their writing together, in one statement on PostgreSQL.

    `rows` and `then` are `core.prepared.insert_new_linked`'s (new objects, later ones taking
    earlier ones' ids); `obj`, the event's object, is one of them. For the upload, whose
    stored file, transfer, pupils and audit record were four round trips (issue 18).
    """
    event = _event_new(action=action, actor=actor, obj=obj, summary=summary, request=request,
                       ip_address=None, detail=detail, actor_username="")
    chain_append_with(event, rows, links={"object_id": obj}, then=then)
    return event


def english_words(label) -> Text:
    """Return a label translated elsewhere (a lazy role or choice label) as audit words.

    The English is what is stored; the audit page looks the label up in the reader's language.
    Pass the lazy label (`Role(user.role).label`), not `get_FOO_display()`: that is a string
    already in the writer's language.
    """
    return Text(in_english(label))


def english_list(items: list[Text]) -> Text:
    """Return audit words (one or more) joined by commas, each worded for the reader."""
    first, *rest = items
    if not rest:
        return first
    return Text(gettext_noop("%(first)s, %(rest)s"), first=first, rest=english_list(rest))
