"""Everything that changes messages, groups and templates: one function per thing people do.

Each asks the policy, validates, writes, audits and queues its notices in one transaction.
Messages are personal (`accounts.policy`): a user reads, deletes or replies to its own copies,
sees its own sent items and keeps its own groups and templates; anything else is NotFound.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.accounts.policy import Action, can, has_capability
from s2s.accounts.roles import Role
from s2s.audit.services import audit_record
from s2s.core.errors import NotFound, ServiceError
from s2s.core.text import in_english, text_required
from s2s.ctf.words import Text
from s2s.messaging import emails
from s2s.messaging.models import (
    BODY_MAX,
    NAME_MAX,
    SUBJECT_MAX,
    Message,
    MessageGroup,
    MessageGroupMember,
    MessageTemplate,
    Recipient,
)
from s2s.messaging.recipients import Recipients, Resolved, places_resolve, users_resolve


@dataclass
class SendResult:
    """A sent message, how many people got it, and the places addressed that reach nobody."""

    message: Message
    recipients: int
    unreached: list[str] = field(default_factory=list)


def _may_message(user) -> None:
    if not has_capability(user, Action.MESSAGES):
        raise NotFound()


def _own(user, obj) -> None:
    """Refuse, as not found, a copy, message, group or template that is not the user's."""
    if obj is None or not can(user, Action.MESSAGES, obj):
        raise NotFound()


def sender_label(user) -> str:
    """Return how recipients see the sender: name, role and place (stored in English)."""
    who = user.full_name or user.username
    if user.establishment_id:
        place = f"{user.establishment.code} {user.establishment.name}"
    elif user.la_id:
        place = f"{user.la.number} {user.la.name}"
    else:
        place = user.scope_code
    return f"{who} ({in_english(Role(user.role).label)}, {place})"


def _text(value: str, *, name: str, label: str, limit: int) -> str:
    return text_required(value, field=name, label=label, limit=limit,
                         blank=_("Enter the %(label)s") % {"label": label})


def message_text(*, subject: str, body: str) -> tuple[str, str]:
    """Return a message's subject and text trimmed; refuse either empty or over-long."""
    return (_text(subject, name="subject", label=_("subject"), limit=SUBJECT_MAX),
            _text(body, name="body", label=_("message"), limit=BODY_MAX))


def _blanket_check(resolved: Resolved, confirmed: bool) -> None:
    """Seed 003, 4.2: a message to many LAs asks its sender to think again, then to confirm."""
    limit = settings.S2S_BLANKET_MESSAGE_LAS
    if resolved.la_count > limit and not confirmed:
        raise ServiceError(
            _("This message is addressed to %(count)s local authorities, more than %(limit)s. "
              "Blanket enquiries to many authorities are poor practice and seldom answered: "
              "check in your own area first and write only to the authorities concerned, or "
              "confirm that you mean to send it to all of them.")
            % {"count": resolved.la_count, "limit": limit},
            code="blanket_confirmation_needed", field="confirm_blanket")


def message_reach(*, user, to: Recipients, reply_to: Recipient | None = None) -> Resolved:
    """Return whom a message to these recipients (and the sender of `reply_to`) would reach.

    It may reach nobody; the places addressed must exist (else ServiceError).
    """
    resolved = users_resolve(resolved=places_resolve(user=user, to=to), sender=user)
    original = reply_to.message.sender if reply_to is not None else None
    if original is not None and original.is_active and original.pk != user.pk:
        resolved.users.setdefault(original.pk, (original, original.username))
    return resolved


def _resolve(*, user, to: Recipients, reply_to: Recipient | None) -> Resolved:
    if to.is_empty() and reply_to is None:
        raise ServiceError(_("Choose at least one recipient: an LA, a school or one of your "
                             "groups."), code="no_recipients", field="to")
    resolved = message_reach(user=user, to=to, reply_to=reply_to)
    if not resolved.users:
        raise ServiceError(_("Nobody can read this message: none of the recipients you chose "
                             "has an s2s account that receives messages."),
                           code="no_readers", field="to")
    return resolved


def message_send(*, user, to: Recipients, subject: str, body: str,
                 template: MessageTemplate | None = None, confirm_blanket: bool = False,
                 reply_to: Recipient | None = None, request=None) -> SendResult:
    """Send a message: a copy to each user the recipients reach, a notice to each by email.

    `reply_to` is the user's own copy of the message answered: its sender is added.
    """
    _may_message(user)
    if template is not None:
        _own(user, template)
        subject, body = subject or template.subject, body or template.body
    if reply_to is not None:
        _own(user, reply_to)
    subject, body = message_text(subject=subject, body=body)
    resolved = _resolve(user=user, to=to, reply_to=reply_to)
    _blanket_check(resolved, confirm_blanket)
    with transaction.atomic():
        message = Message.objects.create(
            sender=user, sender_label=sender_label(user), subject=subject, body=body,
            created_at=timezone.now(), la_count=resolved.la_count,
            blanket_confirmed=resolved.la_count > settings.S2S_BLANKET_MESSAGE_LAS,
            reply_to=reply_to.message if reply_to is not None else None,
        )
        Recipient.objects.bulk_create(
            Recipient(message=message, user=person, addressed_as=label[:200])
            for person, label in resolved.users.values()
        )
        audit_record(
            action="message_sent", actor=user, obj=message, request=request,
            summary=Text(gettext_noop("Sent a message to %(count)s recipient(s)"),
                         count=len(resolved.users)),
            detail={"recipients": len(resolved.users), "las": resolved.la_count,
                    "schools": [s.code for s in resolved.schools], "groups": list(to.groups),
                    "blanket_confirmed": message.blanket_confirmed,
                    "template": template.pk if template is not None else None,
                    "reply_to": message.reply_to_id},
        )
        emails.send_message_waiting(addresses=[p.email for p, _l in resolved.users.values()])
    return SendResult(message=message, recipients=len(resolved.users),
                      unreached=resolved.unreached)


def message_read(*, user, copy: Recipient, request=None) -> Recipient:
    """Open the user's copy of a message: mark it read the first time, audit every reading."""
    _own(user, copy)
    now = timezone.now()
    with transaction.atomic():
        first = Recipient.objects.filter(pk=copy.pk, read_at__isnull=True).update(read_at=now)
        audit_record(action="message_read", actor=user, obj=copy.message, request=request,
                     summary=Text(gettext_noop("Read a message")),
                     detail={"copy": copy.pk, "first": bool(first)})
    copy.refresh_from_db(fields=["read_at"])
    return copy


def message_view_sent(*, user, message: Message, request=None) -> Message:
    """Open a message the user sent (sent items), auditing the reading."""
    _own(user, message)
    audit_record(action="message_read", actor=user, obj=message, request=request,
                 summary=Text(gettext_noop("Read a sent message")),
                 detail={"as": "sender"})
    return message


def message_delete(*, user, copy: Recipient, request=None) -> None:
    """Delete the user's copy of a message; the other recipients keep theirs."""
    _own(user, copy)
    with transaction.atomic():
        Recipient.objects.filter(pk=copy.pk, deleted_at__isnull=True).update(
            deleted_at=timezone.now())
        audit_record(action="message_deleted", actor=user, obj=copy.message, request=request,
                     summary=Text(gettext_noop("Deleted a message")),
                     detail={"copy": copy.pk, "was_read": copy.read_at is not None})


def _own_name(*, user, name: str, model, instead_of, refusal: str) -> str:
    """Return a template's or group's name trimmed; refuse one the user already gave another.

    `refusal` is the message, translated, with %(name)s for the name.
    """
    name = _text(name, name="name", label=_("name"), limit=NAME_MAX)
    taken = model.objects.filter(owner=user, name=name)
    if instead_of is not None:
        taken = taken.exclude(pk=instead_of.pk)
    if taken.exists():
        raise ServiceError(refusal % {"name": name}, code="duplicate_name", field="name")
    return name


# Templates (seed 003, 6.7): the owner's own, private to it.

def _template_fields(*, user, name: str, subject: str, body: str,
                     instead_of: MessageTemplate | None = None) -> dict:
    name = _own_name(user=user, name=name, model=MessageTemplate, instead_of=instead_of,
                     refusal=_("You already have a template called %(name)s"))
    return {
        "name": name,
        "subject": _text(subject, name="subject", label=_("subject"), limit=SUBJECT_MAX),
        "body": _text(body, name="body", label=_("text"), limit=BODY_MAX),
    }


def template_create(*, user, name: str, subject: str, body: str, request=None) -> MessageTemplate:
    """Add a template of the user's own."""
    _may_message(user)
    fields = _template_fields(user=user, name=name, subject=subject, body=body)
    with transaction.atomic():
        template = MessageTemplate.objects.create(owner=user, **fields)
        audit_record(action="message_template_created", actor=user, obj=template,
                     request=request,
                     summary=Text(gettext_noop("Added message template %(name)s"),
                                  name=template.name))
    return template


def template_update(*, user, template: MessageTemplate, name: str, subject: str, body: str,
                    request=None) -> MessageTemplate:
    """Change one of the user's templates."""
    _own(user, template)
    fields = _template_fields(user=user, name=name, subject=subject, body=body,
                              instead_of=template)
    with transaction.atomic():
        for key, value in fields.items():
            setattr(template, key, value)
        template.save()
        audit_record(action="message_template_updated", actor=user, obj=template,
                     request=request,
                     summary=Text(gettext_noop("Changed message template %(name)s"),
                                  name=template.name))
    return template


def _free_name(user, wanted: str) -> str:
    taken = set(MessageTemplate.objects.filter(owner=user).values_list("name", flat=True))
    name, n = wanted[:NAME_MAX], 2
    while name in taken:
        suffix = f" ({n})"
        name, n = wanted[:NAME_MAX - len(suffix)] + suffix, n + 1
    return name


def template_copy(*, user, template: MessageTemplate, name: str = "",
                  request=None) -> MessageTemplate:
    """Copy one of the user's templates under a new name ("Copy of ..." when none is given)."""
    _own(user, template)
    name = name.strip() or _free_name(user, _("Copy of %(name)s") % {"name": template.name})
    return template_create(user=user, name=name, subject=template.subject, body=template.body,
                           request=request)


def template_delete(*, user, template: MessageTemplate, request=None) -> None:
    """Delete one of the user's templates, for good: it cannot be restored (seed 003, 6.7)."""
    _own(user, template)
    with transaction.atomic():
        audit_record(action="message_template_deleted", actor=user, obj=template,
                     request=request,
                     summary=Text(gettext_noop("Deleted message template %(name)s"),
                                  name=template.name))
        template.delete()


# Groups (seed 003, 6.4): the owner's own saved recipients.

def _group_members(*, user, name: str, members: Recipients,
                   instead_of: MessageGroup | None = None) -> tuple[str, Resolved]:
    name = _own_name(user=user, name=name, model=MessageGroup, instead_of=instead_of,
                     refusal=_("You already have a group called %(name)s"))
    if not (members.las or members.schools):
        raise ServiceError(_("Add at least one LA or school to the group"),
                           code="no_recipients", field="las")
    return name, places_resolve(user=user, to=Recipients(las=members.las,
                                                         schools=members.schools))


def _set_members(group: MessageGroup, resolved: Resolved) -> None:
    group.members.all().delete()
    MessageGroupMember.objects.bulk_create(
        [MessageGroupMember(group=group, la=la, role=role) for la, role in resolved.pairs]
        + [MessageGroupMember(group=group, establishment=school) for school in resolved.schools]
    )


def group_create(*, user, name: str, members: Recipients, request=None) -> MessageGroup:
    """Save a group of recipients (LAs with roles, schools) for the user to send to again."""
    _may_message(user)
    name, resolved = _group_members(user=user, name=name, members=members)
    with transaction.atomic():
        group = MessageGroup.objects.create(owner=user, name=name)
        _set_members(group, resolved)
        audit_record(action="message_group_created", actor=user, obj=group, request=request,
                     summary=Text(gettext_noop("Added message group %(name)s"), name=group.name))
    return group


def group_update(*, user, group: MessageGroup, name: str, members: Recipients,
                 request=None) -> MessageGroup:
    """Rename one of the user's groups and replace its members."""
    _own(user, group)
    name, resolved = _group_members(user=user, name=name, members=members, instead_of=group)
    with transaction.atomic():
        group.name = name
        group.save()
        _set_members(group, resolved)
        audit_record(action="message_group_updated", actor=user, obj=group, request=request,
                     summary=Text(gettext_noop("Changed message group %(name)s"), name=group.name))
    return group


def group_delete(*, user, group: MessageGroup, request=None) -> None:
    """Delete one of the user's groups."""
    _own(user, group)
    with transaction.atomic():
        audit_record(action="message_group_deleted", actor=user, obj=group, request=request,
                     summary=Text(gettext_noop("Deleted message group %(name)s"), name=group.name))
        group.delete()
