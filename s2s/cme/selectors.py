"""Reading CME signals, already narrowed by the policy to what the user may see."""

from django.db.models import QuerySet
from django.http import Http404

from s2s.accounts.policy import Action, get_for, has_capability, scope
from s2s.cme.models import Signal
from s2s.directory.models import Establishment


def signal_list(*, user, la: str | None = None, school: str | None = None,
                kind: str | None = None, status: str | None = None,
                upn: str | None = None) -> QuerySet:
    """Return the signals the user may see, newest fired first; a school outside scope is 404.

    A role that may see no signals at all gets 404, as everywhere else.
    """
    if not has_capability(user, Action.VIEW_CME_SIGNALS):
        raise Http404
    signals = scope(user, Signal.objects.select_related("establishment__la"),
                    Action.VIEW_CME_SIGNALS)
    if school:
        establishment = get_for(user, Establishment.objects, Action.VIEW_CME_SIGNALS,
                                code=school)
        signals = signals.filter(establishment=establishment)
    if la:
        signals = signals.filter(establishment__la__number=la)
    if kind:
        signals = signals.filter(kind=kind)
    if status:
        signals = signals.filter(status=status)
    if upn:
        signals = signals.filter(upn=upn.strip().upper())
    return signals.order_by("-fired_on", "-pk")


def signal_summary(signal: Signal) -> dict:
    """Return a signal as the API and pages show it."""
    return {
        "id": signal.pk, "kind": signal.kind, "upn": signal.upn, "surname": signal.surname,
        "forename": signal.forename, "dob": signal.dob, "school": signal.establishment.code,
        "la": signal.establishment.la.number, "first_day": signal.first_day,
        "fired_on": signal.fired_on, "school_days": signal.school_days,
        "status": signal.status, "detail": signal.detail,
    }
