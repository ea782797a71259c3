"""Operation Encompass: a police domestic-abuse notification to a school (issue 16).

The police agency sends it (under an exchange agreement out to that school) before the next
school day; the school's designated safeguarding lead (`Establishment.safeguarding_email`,
else the school's email and its users) is told by a link and reads it on s2s signed in as a
school user, and the first read is the receipt. One still unread at 08:30 on the school's
next school day (its own calendar, else its LA's, else the next weekday that is not a bank
holiday) is escalated to the LA: an email with a link, and the LA's page of its schools'
notifications. The details (pupil, incident)
are kept only in the encrypted store; every read is audited; no email carries them.
"""

import io
import json
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.accounts.models import User
from s2s.accounts.policy import Action, can, get_for, scope
from s2s.accounts.roles import Role
from s2s.agencies.agreements import exchange_allowed
from s2s.agencies.models import EncompassNotification
from s2s.audit.services import audit_record
from s2s.calendars.selectors import bank_holidays, school_days
from s2s.core.errors import ServiceError
from s2s.core.outbox import email_queue_templated
from s2s.core.text import text_required
from s2s.ctf.words import Text
from s2s.directory.models import AgencyKind, Establishment
from s2s.transfers.storage import (
    atomic_with_files,
    stored_file_delete,
    stored_file_open,
    stored_file_write,
)

READ_BY = time(8, 30)
# The details stay on the hub this long after sending; the school keeps its own safeguarding
# record, and the row (times, reference) stays as the fact of the notification.
RETAIN_DAYS = 30
LOOK_AHEAD_DAYS = 31
SUMMARY_LIMIT = 2000
# Who reads a school's notifications: its school users (the designated safeguarding lead
# among them); the LA's people who follow them.
SCHOOL_READERS = (Role.SCHOOL,)
LA_FOLLOWERS = (Role.LA_DBA, Role.LA_USER)


def _refuse(message: str, code: str, field: str | None = None) -> ServiceError:
    return ServiceError(message, code=code, field=field)


def next_school_day(*, school: Establishment, after: date) -> date:
    """Return the school's first school day after `after` by its calendar.

    A year with no calendar (the school's or its LA's) falls back to the next weekday that is
    not a bank holiday, so a notification is never left without a time to be read by.
    """
    end = after + timedelta(days=LOOK_AHEAD_DAYS)
    days = school_days(establishment=school, start=after + timedelta(days=1), end=end)
    day = after + timedelta(days=1)
    while day <= end:
        if days.known(day):
            if days.is_school_day(day):
                return day
        elif day.weekday() < 5 and day not in bank_holidays(school.la.nation, day.year):
            return day
        day += timedelta(days=1)
    return day


def read_by_for(*, school: Establishment, sent_at: datetime) -> datetime:
    """Return 08:30 (UK time) on the school's next school day after the moment it was sent."""
    sent_day = timezone.localtime(sent_at).date()
    day = next_school_day(school=school, after=sent_day)
    return timezone.make_aware(datetime.combine(day, READ_BY))


def _clean(*, surname, forename, dob, incident_on, summary, upn) -> dict:
    today = timezone.localdate()
    details = {
        "surname": text_required(surname, field="surname", collapse=True, limit=100,
                                 blank=_("Enter the child's surname."), label=_("surname")),
        "forename": text_required(forename, field="forename", collapse=True, limit=100,
                                  blank=_("Enter the child's forename."), label=_("forename")),
        "upn": (upn or "").strip().upper(),
        "summary": text_required(summary, field="summary", limit=SUMMARY_LIMIT,
                                 blank=_("Enter what the school needs to know."),
                                 label=_("summary")),
    }
    if dob is None or dob >= today:
        raise _refuse(_("Enter the child's date of birth, in the past."), "dob", "dob")
    if incident_on is None or incident_on > today:
        raise _refuse(_("Enter the date of the incident: today or earlier."), "incident_on",
                      "incident_on")
    return {**details, "dob": dob.isoformat(), "incident_on": incident_on.isoformat()}


def _school(code: str) -> Establishment:
    school = (Establishment.objects.select_related("la").filter(code=(code or "").strip())
              .first())
    if school is None or not school.is_open:
        raise _refuse(_("There is no open establishment %(code)s on s2s: check the school's "
                        "establishment number.") % {"code": code}, "unknown_school", "school")
    return school


def _addresses(users) -> list[str]:
    return list(users.filter(is_active=True).exclude(email="").order_by("pk")
                .values_list("email", flat=True))


def _school_addresses(school: Establishment) -> list[str]:
    """Return who is told: the designated safeguarding lead, else the school and its users."""
    if school.safeguarding_email:
        return [school.safeguarding_email]
    readers = User.objects.filter(establishment=school, role__in=SCHOOL_READERS)
    return [school.email, *_addresses(readers)]


def _link(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def encompass_send(*, user, school: str, reference: str, surname: str, forename: str,
                   dob: date | None, incident_on: date | None, summary: str, upn: str = "",
                   request=None) -> EncompassNotification:
    """Send a domestic-abuse notification from a police agency to a school.

    Refused for an agency that is not the police, a school that is not open, a school the
    agency has no exchange agreement in force with (direction out), or a blank field. The
    school's contact email and school users get a link, never the details.
    """
    if not can(user, Action.SEND_ENCOMPASS) or user.agency.kind != AgencyKind.POLICE:
        raise _refuse(_("Only a police agency sends Operation Encompass notifications."),
                      "not_police")
    establishment = _school(school)
    exchange_allowed(source_code=user.agency.reference, source_agency=user.agency,
                     destination_code=establishment.code, destination_agency=None)
    reference = text_required(reference, field="reference", collapse=True, limit=40,
                              blank=_("Enter the police reference."),
                              label=_("police reference"))
    details = _clean(surname=surname, forename=forename, dob=dob, incident_on=incident_on,
                     summary=summary, upn=upn)
    now = timezone.now()
    with atomic_with_files():
        stored = stored_file_write(content=io.BytesIO(json.dumps(details).encode()),
                                   name_hint="encompass")
        notification = EncompassNotification.objects.create(
            agency=user.agency, establishment=establishment, reference=reference,
            stored_file=stored, sent_by=user, sent_at=now,
            read_by_at=read_by_for(school=establishment, sent_at=now),
        )
        audit_record(action="encompass.sent", actor=user, obj=notification, request=request,
                     summary=Text(gettext_noop("%(reference)s to %(code)s"), reference=reference,
                                  code=establishment.code),
                     detail={"school": establishment.code, "reference": reference,
                             "upns": [details["upn"]] if details["upn"] else []})
        email_queue_templated(
            name="encompass-sent", to=_school_addresses(establishment),
            context={"agency": user.agency.name, "read_by": notification.read_by_at,
                     "link": _link("agencies:encompass-detail", pk=notification.pk)})
    return notification


def encompass_list(*, user):
    """Return the notifications this user may see: sent, received, or of its LA's schools."""
    base = EncompassNotification.objects.select_related("agency", "establishment", "read_by")
    for action in (Action.SEND_ENCOMPASS, Action.READ_ENCOMPASS, Action.FOLLOW_ENCOMPASS):
        if can(user, action):
            return scope(user, base, action)
    return base.none()


def encompass_get(*, user, pk: int) -> EncompassNotification:
    """Return one notification the user may see (any of the three ways), or raise Http404."""
    return get_for(user, encompass_list(user=user), _action_of(user), pk=pk)


def _action_of(user) -> str:
    for action in (Action.SEND_ENCOMPASS, Action.READ_ENCOMPASS, Action.FOLLOW_ENCOMPASS):
        if can(user, action):
            return action
    return Action.READ_ENCOMPASS


def encompass_details(*, user, notification: EncompassNotification,
                      request=None) -> dict | None:
    """Return the pupil and incident details, to the school or the sender; audit each read.

    The school's first read is the read receipt. The LA follows times only: never the details.
    None once they have been deleted (`RETAIN_DAYS` after sending).
    """
    school_reads = can(user, Action.READ_ENCOMPASS, notification)
    if not (school_reads or can(user, Action.SEND_ENCOMPASS, notification)):
        raise _refuse(_("Only the school and the police agency read the details."),
                      "forbidden")
    if notification.stored_file is None:
        return None  # deleted after RETAIN_DAYS: nothing left to read
    with stored_file_open(notification.stored_file) as chunks:
        details = json.loads(b"".join(chunks))
    details["dob"] = date.fromisoformat(details["dob"])
    details["incident_on"] = date.fromisoformat(details["incident_on"])
    with transaction.atomic():
        if school_reads:
            now = timezone.now()
            if EncompassNotification.objects.filter(pk=notification.pk, read_at__isnull=True) \
                    .update(read_at=now, read_by=user):
                notification.read_at, notification.read_by = now, user
        audit_record(action="encompass.read", actor=user, obj=notification, request=request,
                     summary=Text(gettext_noop("%(reference)s at %(code)s"),
                                  reference=notification.reference,
                                  code=notification.establishment.code),
                     detail={"upns": [details["upn"]] if details.get("upn") else []})
    return details


def encompass_escalate_next(*, now: datetime | None = None) -> bool:
    """Escalate one notification still unread at its read-by time; return whether one was due.

    Claimed by a conditional update, so two workers never escalate the same one. The LA's
    contact email and its DBAs and LA users get a link to the LA's page, never the details.
    """
    now = now or timezone.now()
    due = (EncompassNotification.objects
           .filter(read_at__isnull=True, escalated_at__isnull=True, read_by_at__lte=now)
           .order_by("read_by_at").values_list("pk", flat=True).first())
    if due is None:
        return False
    with transaction.atomic():
        claimed = EncompassNotification.objects.filter(
            pk=due, read_at__isnull=True, escalated_at__isnull=True).update(escalated_at=now)
        if not claimed:
            return True
        notification = EncompassNotification.objects.select_related(
            "establishment__la", "agency").get(pk=due)
        la = notification.establishment.la
        followers = User.objects.filter(la=la, role__in=LA_FOLLOWERS)
        email_queue_templated(
            name="encompass-escalated", to=[la.email, *_addresses(followers)],
            context={"school": notification.establishment, "agency": notification.agency.name,
                     "read_by": notification.read_by_at,
                     "link": _link("agencies:encompass-detail", pk=notification.pk)})
        audit_record(action="encompass.escalated", obj=notification, actor_username="system",
                     summary=Text(gettext_noop("%(reference)s at %(code)s unread at the read-by "
                                               "time"),
                                  reference=notification.reference,
                                  code=notification.establishment.code))
    return True


def encompass_escalate_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Escalate every notification now due; return how many were."""
    done = 0
    while done < limit and encompass_escalate_next(now=now):
        done += 1
    return done


def encompass_purge_due(*, now: datetime | None = None):
    """Return the notifications whose details are past `RETAIN_DAYS`, oldest first."""
    now = now or timezone.now()
    return (EncompassNotification.objects
            .filter(stored_file__isnull=False, sent_at__lt=now - timedelta(days=RETAIN_DAYS))
            .order_by("sent_at", "pk"))


def encompass_purge_next(*, now: datetime | None = None) -> bool:
    """Delete one notification's details past retention; return whether one was due.

    The row keeps its times and the police reference; its stored details go, locked so two
    workers never delete the same file twice.
    """
    with transaction.atomic():
        notification = (encompass_purge_due(now=now).select_for_update(skip_locked=True)
                        .select_related("stored_file").first())
        if notification is None:
            return False
        stored = notification.stored_file
        notification.stored_file = None
        notification.save(update_fields=["stored_file"])
        stored_file_delete(stored)
        audit_record(action="encompass.purged", obj=notification, actor_username="system",
                     summary=Text(gettext_noop("%(reference)s: details deleted after %(days)s "
                                               "days"),
                                  reference=notification.reference, days=RETAIN_DAYS))
    return True
