"""The returns a school owes its LA (issue 14): reading them, and the LA marking one received.

A new pupil's return is due within 5 school days of entry, a deletion's when the pupil is
deleted (SI 2024/208, reg. 13); `roll.roll_after` makes them from the roll. Each stays listed
for the school until its LA marks it received; receiving and every read are audited.
"""

from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.accounts.policy import Action, get_for, has_capability, scope
from s2s.audit.services import audit_record, english_words
from s2s.cme.models import ReturnKind, SchoolReturn
from s2s.core.errors import ServiceError
from s2s.ctf.words import Text
from s2s.directory.models import Establishment

OUTSTANDING, RECEIVED = "outstanding", "received"


def return_list(*, user, school: str | None = None, la: str | None = None,
                status: str | None = None, kind: str | None = None) -> QuerySet:
    """Return the returns the user may see, the earliest due first; a school out of scope 404s."""
    if not has_capability(user, Action.VIEW_CME_RETURNS):
        raise Http404
    returns = scope(user, SchoolReturn.objects.select_related("establishment__la"),
                    Action.VIEW_CME_RETURNS)
    if school:
        establishment = get_for(user, Establishment.objects, Action.VIEW_CME_SIGNALS,
                                code=school)
        returns = returns.filter(establishment=establishment)
    if la:
        returns = returns.filter(establishment__la__number=la)
    if status == OUTSTANDING:
        returns = returns.filter(received_at__isnull=True)
    elif status == RECEIVED:
        returns = returns.filter(received_at__isnull=False)
    if kind:
        returns = returns.filter(kind=kind)
    return returns.order_by("due_on", "pk")


def return_summary(item: SchoolReturn, today: date | None = None) -> dict:
    """Return a return as the API and pages show it."""
    today = today or timezone.localdate()
    return {
        "id": item.pk, "kind": item.kind, "upn": item.upn, "surname": item.surname,
        "forename": item.forename, "dob": item.dob, "school": item.establishment.code,
        "la": item.establishment.la.number, "event_date": item.event_date,
        "due_on": item.due_on, "status": RECEIVED if item.received_at else OUTSTANDING,
        "overdue": item.received_at is None and item.due_on < today,
        "received_at": item.received_at,
    }


def returns_viewed(*, user, shown: list[SchoolReturn], filters: dict, summary: str,
                   request=None) -> None:
    """Audit that these returns (children's names, DOBs) were shown to the user."""
    audit_record(action="cme_returns_view", actor=user, request=request, summary=summary,
                 detail={"filters": filters, "returns": [item.pk for item in shown]})


def return_receive(*, user, pk: int, request=None) -> SchoolReturn:
    """Mark a return received by the user's LA, once; audited. Out of scope is 404."""
    with transaction.atomic():
        item = get_for(user, SchoolReturn.objects.select_for_update(),
                       Action.RECEIVE_CME_RETURNS, pk=pk)
        if item.received_at is not None:
            raise ServiceError(_("This return was already marked received."),
                               code="already_received")
        item.received_at, item.received_by = timezone.now(), user
        item.save(update_fields=["received_at", "received_by"])
        audit_record(action="cme_return_received", actor=user, obj=item, request=request,
                     summary=Text(gettext_noop("%(kind)s %(number)s of %(code)s received"),
                                  kind=english_words(ReturnKind(item.kind).label), number=item.pk,
                                  code=item.establishment.code),
                     detail={"return": item.pk})
    return item
