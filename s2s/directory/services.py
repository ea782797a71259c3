"""Changes to the directory: LAs, establishments and their successors, each one audited."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.accounts.policy import Action, can
from s2s.accounts.rules import is_personal_email
from s2s.audit.services import audit_record, english_list, english_words
from s2s.core.errors import ServiceError
from s2s.core.text import text_required
from s2s.ctf.names import AGENCY_REFERENCE, LA_MAILBOX_SUFFIXES
from s2s.ctf.words import Text
from s2s.directory.models import Agency, AgencyKind, Establishment, LocalAuthority, Nation

PHONE_CHARACTERS = set("0123456789 +()-")


def _require(user, action: str, obj=None) -> None:
    if not can(user, action, obj):
        raise ServiceError(
            _("You do not have permission to do this. Ask your LA s2s administrator."),
            code="forbidden",
        )


def _clean_text(value: str, *, field: str, label: str, required: bool = True) -> str:
    if not required:
        return " ".join((value or "").split())
    return text_required(value, field=field, collapse=True,
                         blank=_("Enter the %(label)s.") % {"label": label})


def _clean_email(value: str, *, field: str = "email", required: bool = False) -> str:
    """Return the address tidied, refusing malformed ones and personal webmail (seed 003, 3.7)."""
    value = (value or "").strip()
    if not value:
        if required:
            raise ServiceError(_("Enter an email address."), field=field)
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise ServiceError(
            _("Enter an email address in the right format, like office@school.sch.uk."),
            field=field,
        ) from None
    if is_personal_email(value):
        raise ServiceError(
            _("Use a work email address: personal addresses at %(domain)s are not allowed.")
            % {"domain": value.rsplit("@", 1)[1].lower()},
            code="personal_email", field=field,
        )
    return value


def _clean_phone(value: str) -> str:
    value = " ".join((value or "").split())
    if value and (not set(value) <= PHONE_CHARACTERS or sum(c.isdigit() for c in value) < 6):
        raise ServiceError(
            _("Enter a telephone number, like 01305 224 000, using digits and spaces only."),
            field="phone",
        )
    return value


def _changes(obj, values: dict) -> dict:
    """Return {field: [old, new]} for the values that differ from the object's."""
    return {
        name: [getattr(obj, name), value]
        for name, value in values.items()
        if getattr(obj, name) != value
    }


def _changed_words(obj, changes: dict) -> Text:
    """Return the changed fields' names as audit words (the model's names for them)."""
    return english_list([english_words(obj._meta.get_field(name).verbose_name)
                         for name in changes])


def _apply(obj, changes: dict) -> None:
    for name, (_old, new) in changes.items():
        setattr(obj, name, new)
    obj.save(update_fields=[*changes, "updated_at"])


@transaction.atomic
def la_create(
    *, user, number: str, name: str, nation: str, email: str,
    request: HttpRequest | None = None, ip_address: str | None = None,
) -> LocalAuthority:
    """Create a local authority (service administrators only)."""
    _require(user, Action.MANAGE_LAS)
    number = (number or "").strip()
    if len(number) != 3 or not number.isdigit():
        raise ServiceError(_("An LA number is 3 digits, for example 838."), field="number")
    if LocalAuthority.objects.filter(number=number).exists():
        raise ServiceError(
            _("LA %(number)s already exists.") % {"number": number},
            code="duplicate", field="number",
        )
    if nation not in Nation.values:
        raise ServiceError(_("Choose England or Wales."), field="nation")
    la = LocalAuthority.objects.create(
        number=number,
        name=_clean_text(name, field="name", label=_("LA name")),
        nation=nation,
        email=_clean_email(email),
    )
    audit_record(
        action="directory.la.create", actor=user, obj=la, request=request, ip_address=ip_address,
        summary=Text(gettext_noop("Created LA %(la)s"), la=str(la)),
        detail={"nation": nation, "email": la.email},
    )
    return la


def _agency_reference(reference: str, la_of_user: LocalAuthority | None) -> LocalAuthority:
    """Return the LA an agency reference belongs to, refusing it saying which part is wrong."""
    if not re.fullmatch(r"[0-9]{3}[A-Z0-9]{4}", reference):
        raise ServiceError(
            _("An agency reference is the LA number and 4 capital letters or digits, for "
              "example 838HLTH; %(reference)s is not.") % {"reference": reference or "''"},
            code="reference_format", field="reference")
    if reference[3:] in LA_MAILBOX_SUFFIXES or not AGENCY_REFERENCE.fullmatch(reference):
        raise ServiceError(
            _("The last 4 characters of an agency reference need a letter and cannot be LLLL, "
              "PLAS or ADMS (those name a school or the LA's own mailboxes): %(reference)s.")
            % {"reference": reference}, code="reference_reserved", field="reference")
    la = LocalAuthority.objects.filter(number=reference[:3]).first()
    if la is None:
        raise ServiceError(
            _("There is no local authority %(number)s: an agency reference starts with the "
              "number of the LA that registers it.") % {"number": reference[:3]},
            code="unknown_la", field="reference")
    if la_of_user is not None and la != la_of_user:
        raise ServiceError(
            _("An agency reference must start with your LA number, %(number)s.")
            % {"number": la_of_user.number}, code="other_la", field="reference")
    if Agency.objects.filter(reference=reference).exists():
        raise ServiceError(_("Agency %(reference)s already exists.") % {"reference": reference},
                           code="duplicate", field="reference")
    return la


@transaction.atomic
def agency_create(
    *, user, reference: str, name: str, kind: str, email: str,
    request: HttpRequest | None = None,
) -> Agency:
    """Add an agency of an LA (issue 16): its DBA on a page, or `s2s create_agency` (user None).

    The reference is the LA number and four capital letters or digits (838HLTH); a DBA adds
    agencies of its own LA only.
    """
    if user is not None:
        _require(user, Action.MANAGE_AGENCIES)
    reference = (reference or "").strip().upper()
    la = _agency_reference(reference, getattr(user, "la", None) if user is not None else None)
    if kind not in AgencyKind.values:
        raise ServiceError(
            _("The kind of agency must be one of: %(kinds)s.")
            % {"kinds": ", ".join(AgencyKind.values)}, code="kind", field="kind")
    agency = Agency.objects.create(
        la=la, reference=reference, kind=kind,
        name=_clean_text(name, field="name", label=_("agency name")),
        email=_clean_email(email, required=True),
    )
    audit_record(
        action="directory.agency.create", actor=user, obj=agency, request=request,
        actor_username="" if user is not None else "system",
        summary=Text(gettext_noop("Added agency %(agency)s"), agency=str(agency)),
        detail={"kind": kind, "email": agency.email},
    )
    return agency


@transaction.atomic
def la_update(
    *, user, la: LocalAuthority, name: str, email: str, receive_ctf_copies: bool,
    request: HttpRequest | None = None, ip_address: str | None = None,
) -> LocalAuthority:
    """Change an LA's name, contact email and the switch for copies of its schools' CTFs."""
    _require(user, Action.MANAGE_LA, la)
    changes = _changes(la, {
        "name": _clean_text(name, field="name", label=_("LA name")),
        "email": _clean_email(email),
        "receive_ctf_copies": bool(receive_ctf_copies),
    })
    if changes:
        _apply(la, changes)
        audit_record(
            action="directory.la.update", actor=user, obj=la, request=request,
            ip_address=ip_address,
            summary=Text(gettext_noop("Changed LA %(la)s: %(changes)s"), la=str(la),
                         changes=_changed_words(la, changes)),
            detail={"changes": changes},
        )
    return la


@transaction.atomic
def establishment_update(
    *, user, establishment: Establishment, name: str, phone: str, email: str, town: str,
    active: bool, safeguarding_email: str | None = None, request: HttpRequest | None = None,
    ip_address: str | None = None,
) -> Establishment:
    """Change a school's name, telephone, email, town and whether it is active on the hub.

    `safeguarding_email` (its designated safeguarding lead's) is kept as it is when None.
    """
    _require(user, Action.MANAGE_SCHOOLS, establishment)
    changes = _changes(establishment, {
        "name": _clean_text(name, field="name", label=_("school name")),
        "phone": _clean_phone(phone),
        "email": _clean_email(email),
        "town": _clean_text(town, field="town", label=_("town"), required=False),
        "active": bool(active),
        "safeguarding_email": (establishment.safeguarding_email if safeguarding_email is None
                               else _clean_email(safeguarding_email,
                                                 field="safeguarding_email")),
    })
    if changes:
        _apply(establishment, changes)
        audit_record(
            action="directory.establishment.update", actor=user, obj=establishment,
            request=request, ip_address=ip_address,
            summary=Text(gettext_noop("Changed school %(code)s: %(changes)s"),
                         code=establishment.code,
                         changes=_changed_words(establishment, changes)),
            detail={"code": establishment.code, "changes": changes},
        )
    return establishment


def check_successor(establishment: Establishment, successor: Establishment | None) -> None:
    """Refuse a successor that is the school itself or that would make a loop of successors."""
    if successor is None:
        return
    if successor.pk == establishment.pk:
        raise ServiceError(
            _("A school cannot be its own successor."), code="loop", field="successor"
        )
    if any(later.pk == establishment.pk for later in successor.successor_chain()):
        raise ServiceError(
            _("%(successor)s already leads on to %(school)s, so this would make a loop. "
              "Remove that link first.")
            % {"successor": successor.code, "school": establishment.code},
            code="loop", field="successor",
        )


@transaction.atomic
def establishment_set_successor(
    *, user, establishment: Establishment, successor: Establishment | None,
    request: HttpRequest | None = None, ip_address: str | None = None,
) -> Establishment:
    """Record the school that took over this one's pupils, or clear it with None."""
    _require(user, Action.MANAGE_ESTABLISHMENTS, establishment)
    check_successor(establishment, successor)
    old = establishment.successor
    if (old and old.pk) == (successor and successor.pk):
        return establishment
    establishment.successor = successor
    establishment.save(update_fields=["successor", "updated_at"])
    audit_record(
        action="directory.establishment.successor", actor=user, obj=establishment,
        request=request, ip_address=ip_address,
        summary=Text(gettext_noop("Successor of %(code)s: %(successor)s"), code=establishment.code,
                     successor=successor.code) if successor else
        Text(gettext_noop("Successor of %(code)s: none"), code=establishment.code),
        detail={
            "code": establishment.code,
            "from": old.code if old else None,
            "to": successor.code if successor else None,
        },
    )
    return establishment
