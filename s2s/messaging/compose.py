"""The compose page's draft: recipients, subject and text kept in the session between steps.

Seed 003, 6.3-6.6: choose a template or a blank message, add recipients (an LA with roles,
a school by number or from its LA's list, one of your groups), write, preview, send. Each
step changes only the draft in the session; `services.message_send` sends it.
"""

from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from s2s.accounts.roles import Role
from s2s.core.errors import ServiceError
from s2s.directory.models import Establishment, LocalAuthority
from s2s.messaging import selectors, services
from s2s.messaging.models import SUBJECT_MAX
from s2s.messaging.recipients import (
    LaTarget,
    Recipients,
    Resolved,
    places_resolve,
)

DRAFT_KEY = "messaging_draft"
STEPS = ("add_la", "add_school", "populate", "add_schools", "add_group", "remove", "preview")


def draft_load(session) -> dict:
    draft = session.get(DRAFT_KEY) or {}
    return {"las": [], "schools": [], "groups": [], "subject": "", "body": "",
            "template": None, "reply_to": None, **draft}


def draft_save(session, draft: dict) -> None:
    session[DRAFT_KEY] = draft


def draft_clear(session) -> None:
    session.pop(DRAFT_KEY, None)


def draft_recipients(draft: dict) -> Recipients:
    return Recipients(
        las=tuple(LaTarget(t["la"], tuple(t["roles"])) for t in draft["las"]),
        schools=tuple(draft["schools"]), groups=tuple(draft["groups"]))


def draft_start(*, user, draft: dict, params: QueryDict) -> bool:
    """Begin from a link: ?new, ?template=ID, ?group=ID or ?reply=ID. Return whether one was."""
    if "new" in params:
        draft.clear()
        draft.update(draft_load({}))
    if params.get("template"):
        template = selectors.template_get(user=user, pk=_number(params["template"]))
        draft.update(subject=template.subject, body=template.body, template=template.pk)
    if params.get("group"):
        group = selectors.group_get(user=user, pk=_number(params["group"]))
        _add(draft, "groups", group.pk)
    if params.get("reply"):
        copy = selectors.copy_get(user=user, message_id=_number(params["reply"]))
        subject = copy.message.subject
        prefix = _("Re:")
        if not subject.startswith(prefix):
            subject = f"{prefix} {subject}"
        draft.update(las=[], schools=[], groups=[], reply_to=copy.message_id,
                     subject=subject[:SUBJECT_MAX], template=None)
    return any(key in params for key in ("new", "template", "group", "reply"))


def _number(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _add(draft: dict, kind: str, value) -> None:
    if value not in draft[kind]:
        draft[kind].append(value)


def step_of(data: QueryDict) -> str:
    """Return the step the button pressed asks for.

    Enter in a text box presses the form's first button, a hidden "enter" (so never "Add
    local authority" or "Remove"): it adds the school typed in the school box, if any, else
    previews the message.
    """
    if "enter" in data:
        return "add_school" if data.get("school", "").strip() else "preview"
    return next((step for step in STEPS if step in data), "")


def draft_step(*, user, draft: dict, data: QueryDict, step: str) -> str:
    """Apply one step of the compose page to the draft; return the step's outcome.

    "preview" when the draft is ready to preview, "populate" to show an LA's schools, "" to
    show the page again. Raise ServiceError for anything the step cannot take.
    """
    # Kept as typed, however long: the preview step refuses an over-long one in the
    # service's words, and nothing the person wrote is cut off.
    draft["subject"] = data.get("subject", draft["subject"])
    draft["body"] = data.get("body", draft["body"])
    handler = _STEP_HANDLERS.get(step)
    return handler(user, draft, data) if handler else ""


def _add_la(user, draft, data) -> str:
    if not data.get("la"):
        raise ServiceError(_("Choose a local authority"), field="la")
    target = LaTarget(data["la"], tuple(data.getlist("roles")))
    places_resolve(user=user, to=Recipients(las=(target,)))
    for existing in draft["las"]:
        if existing["la"] == target.la:
            existing["roles"] = list(dict.fromkeys([*existing["roles"], *target.roles]))
            return ""
    draft["las"].append({"la": target.la, "roles": list(target.roles)})
    return ""


def _add_school(user, draft, data) -> str:
    code = data.get("school", "").strip()
    if not code:
        raise ServiceError(_("Enter the school's 7-digit establishment number"), field="school")
    places_resolve(user=user, to=Recipients(schools=(code,)))
    _add(draft, "schools", code)
    return ""


def _populate(user, draft, data) -> str:
    if not data.get("school_la"):
        raise ServiceError(_("Choose a local authority"), field="school_la")
    return "populate"


def _add_schools(user, draft, data) -> str:
    codes = data.getlist("schools")
    if not codes:
        raise ServiceError(_("Choose one or more schools"), field="schools")
    places_resolve(user=user, to=Recipients(schools=tuple(codes)))
    for code in codes:
        _add(draft, "schools", code)
    return ""


def _add_group(user, draft, data) -> str:
    if not data.get("group"):
        raise ServiceError(_("Choose one of your groups"), field="group")
    group_id = _number(data["group"])
    places_resolve(user=user, to=Recipients(groups=(group_id,)))
    _add(draft, "groups", group_id)
    return ""


def _remove(user, draft, data) -> str:
    kind, _sep, index = data.get("remove", "").partition(":")
    if kind in ("las", "schools", "groups") and index.isdigit() and int(index) < len(draft[kind]):
        del draft[kind][int(index)]
    return ""


def _preview(user, draft, data) -> str:
    services.message_text(subject=draft["subject"], body=draft["body"])
    if draft_recipients(draft).is_empty() and not draft["reply_to"]:
        raise ServiceError(_("Choose at least one recipient: an LA, a school or one of your "
                             "groups."), field="la")
    return "preview"


_STEP_HANDLERS = {
    "add_la": _add_la, "add_school": _add_school, "populate": _populate,
    "add_schools": _add_schools, "add_group": _add_group, "remove": _remove,
    "preview": _preview,
}


def draft_describe(*, user, draft: dict) -> list[dict]:
    """Return the draft's recipients as lines to show, each with the value that removes it."""
    las = {la.number: la for la in LocalAuthority.objects.filter(
        number__in=[t["la"] for t in draft["las"]])}
    schools = {s.code: s for s in Establishment.objects.filter(code__in=draft["schools"])}
    groups = {g.pk: g for g in selectors.groups(user=user).filter(pk__in=draft["groups"])}
    lines = []
    for n, target in enumerate(draft["las"]):
        la = las.get(target["la"])
        roles = ", ".join(str(Role(r).label) for r in target["roles"] if r in Role.values)
        lines.append({"label": f"{la or target['la']}: {roles}", "remove": f"las:{n}"})
    for n, code in enumerate(draft["schools"]):
        lines.append({"label": str(schools.get(code, code)), "remove": f"schools:{n}"})
    for n, group_id in enumerate(draft["groups"]):
        group = groups.get(group_id)
        label = _("Group: %(name)s") % {"name": group.name} if group else str(group_id)
        lines.append({"label": label, "remove": f"groups:{n}"})
    return lines


def draft_reply_to(*, user, draft: dict):
    """Return the user's copy of the message the draft answers, if it still has it."""
    if not draft["reply_to"]:
        return None
    try:
        return selectors.copy_get(user=user, message_id=draft["reply_to"])
    except Http404:
        return None


def draft_template(*, user, draft: dict):
    if not draft["template"]:
        return None
    try:
        return selectors.template_get(user=user, pk=draft["template"])
    except Http404:
        return None


def draft_reach(*, user, draft: dict) -> Resolved:
    """Return whom the draft reaches now, as sending it would (it may reach nobody)."""
    return services.message_reach(user=user, to=draft_recipients(draft),
                                  reply_to=draft_reply_to(user=user, draft=draft))


def schools_of(la_number: str) -> QuerySet[Establishment]:
    """Return an LA's open, active schools, for the picker (seed 003, 6.5)."""
    return Establishment.objects.filter(la__number=la_number, active=True).exclude(
        status="closed").order_by("name")
