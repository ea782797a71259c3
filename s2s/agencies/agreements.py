"""Exchange agreements: made, ended, and asked by every upload to or from an agency.

`exchange_allowed` is the one check (issue 16): the transfers upload service asks it for
every file, so pages, the API and commands refuse the same files with the same words.
"""

from datetime import date

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.accounts.policy import Action, can
from s2s.agencies.models import Direction, ExchangeAgreement
from s2s.audit.services import audit_record, english_words
from s2s.core.errors import ServiceError
from s2s.core.text import text_required
from s2s.ctf.words import Text
from s2s.directory.models import Agency, Establishment

PURPOSE_LIMIT = 1000


def _today() -> date:
    return timezone.localdate()


def _day(value: date) -> str:
    return formats.date_format(value, "j F Y")


def _refuse(message: str, code: str) -> ServiceError:
    return ServiceError(message, code=code, field="file")


def _missing(agency: Agency, direction: str, other: str) -> ServiceError:
    """Return the refusal for a file no agreement in force allows, naming what is missing."""
    words = {"agency": agency.reference, "other": other, "la": agency.la.number,
             "direction": direction}
    if direction == Direction.OUT:
        message = _("There is no exchange agreement in force for files from agency "
                    "%(agency)s to %(other)s: LA %(la)s's database administrator must make one "
                    "(direction out or both, with %(other)s).")
    else:
        message = _("There is no exchange agreement in force for files from %(other)s to "
                    "agency %(agency)s: LA %(la)s's database administrator must make one "
                    "(direction in or both, with %(other)s).")
    ended = [a for a in agency.agreements.all()
             if a.allows(direction) and other in a.ends and not a.in_force_on(_today())]
    if ended:
        last = max(ended, key=lambda a: a.until)
        words["until"] = _day(last.until if last.ended_at is None
                              else timezone.localdate(last.ended_at))
        message += " " + _("The last one ended on %(until)s.")
    return _refuse(message % words, "no_agreement")


def exchange_allowed(*, source_code: str, source_agency: Agency | None, destination_code: str,
                     destination_agency: Agency | None) -> ExchangeAgreement | None:
    """Return the agreement allowing a file to or from an agency; refuse one none allows.

    Files between places that are not agencies need none (None). An agency exchanges with
    its LA's mailbox or named schools, never with another agency.
    """
    if source_agency is None and destination_agency is None:
        return None
    if source_agency is not None and destination_agency is not None:
        raise _refuse(_("Agencies exchange files with local authorities and schools, not with "
                        "each other."), "agency_to_agency")
    agency, direction, other = (
        (source_agency, Direction.OUT, destination_code) if source_agency is not None
        else (destination_agency, Direction.IN, source_code)
    )
    today = _today()
    for agreement in agency.agreements.all():
        if agreement.allows(direction) and other in agreement.ends \
                and agreement.in_force_on(today):
            return agreement
    raise _missing(agency, direction, other)


def _ends(agency: Agency, codes: list[str]) -> list[str]:
    """Return the other ends, each the agency's LA mailbox or an open school of that LA."""
    cleaned = []
    for code in codes:
        code = code.strip().upper()
        if not code or code in cleaned:
            continue
        if code == f"{agency.la.number}LLLL":
            cleaned.append(code)
            continue
        school = Establishment.objects.filter(code=code).first()
        if school is None or school.la_id != agency.la_id or not school.is_open:
            raise ServiceError(
                _("%(code)s is not the LA mailbox %(la)sLLLL or an open school of LA %(la)s: "
                  "an agency exchanges files only with its own LA and that LA's schools.")
                % {"code": code, "la": agency.la.number}, code="bad_end", field="ends")
        cleaned.append(code)
    if not cleaned:
        raise ServiceError(
            _("Enter who the agency exchanges files with: the LA mailbox %(la)sLLLL, or "
              "establishment numbers of its schools, separated by commas.")
            % {"la": agency.la.number}, code="ends_required", field="ends")
    return cleaned


@transaction.atomic
def agreement_make(*, user, agency: Agency, direction: str, ends: list[str], purpose: str,
                   until: date | None, request=None) -> ExchangeAgreement:
    """Make an exchange agreement for an agency of the user's LA (`s2s agency_agreement`: None).

    Refused with the field at fault: the direction, the other ends (the LA mailbox or the
    LA's open schools), a blank purpose, an end date missing or already past.
    """
    if user is not None and not can(user, Action.MANAGE_AGREEMENTS, agency):
        raise ServiceError(_("You do not have permission to do this. Ask your LA s2s "
                             "administrator."), code="forbidden")
    if direction not in Direction.values:
        raise ServiceError(_("Choose the direction: in (to the agency), out (from the agency) "
                             "or both."), code="direction", field="direction")
    ends = _ends(agency, ends)
    purpose = text_required(purpose, field="purpose", blank=_("Enter the purpose of the "
                            "exchange."), limit=PURPOSE_LIMIT, label=_("purpose"),
                            code="purpose")
    if until is None:
        raise ServiceError(_("Enter the date the agreement ends."), code="until_required",
                           field="until")
    if until < _today():
        raise ServiceError(_("The end date must be today or later: %(until)s has passed.")
                           % {"until": _day(until)}, code="until_past", field="until")
    agreement = ExchangeAgreement.objects.create(
        agency=agency, direction=direction, ends=ends, purpose=purpose, until=until,
        made_by=user,
    )
    audit_record(
        action="agency.agreement_made", actor=user, obj=agreement, request=request,
        actor_username="" if user is not None else "system",
        summary=Text(gettext_noop("%(agency)s, %(direction)s, with %(ends)s until %(until)s"),
                     agency=agency.reference, direction=english_words(Direction(direction).label),
                     ends=", ".join(ends), until=until.isoformat()),
        detail={"agency": agency.reference, "direction": direction, "ends": ends,
                "until": until.isoformat()},
    )
    return agreement


@transaction.atomic
def agreement_end(*, user, agreement: ExchangeAgreement, request=None) -> ExchangeAgreement:
    """End an agreement now: from this moment no file goes under it."""
    if not can(user, Action.MANAGE_AGREEMENTS, agreement):
        raise ServiceError(_("You do not have permission to do this. Ask your LA s2s "
                             "administrator."), code="forbidden")
    changed = ExchangeAgreement.objects.filter(pk=agreement.pk, ended_at__isnull=True).update(
        ended_at=timezone.now(), ended_by=user)
    if not changed:
        raise ServiceError(_("This agreement has already ended."), code="already_ended")
    agreement.refresh_from_db()
    audit_record(action="agency.agreement_ended", actor=user, obj=agreement, request=request,
                 summary=Text(gettext_noop("%(agency)s, %(direction)s, with %(ends)s: ended"),
                              agency=agreement.agency.reference,
                              direction=english_words(Direction(agreement.direction).label),
                              ends=", ".join(agreement.ends)),
                 detail={"agency": agreement.agency.reference})
    return agreement
