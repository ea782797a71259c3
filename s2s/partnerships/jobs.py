"""The partnerships' scheduled jobs: review-date reminders and lapsing, and retention.

Reminders go 30 and 7 days before an agreement's review date to each member's school users
(no pupil data), each claimed once per review date by a conditional update. A partnership
whose review date has passed lapses: sharing stops. Retention deletes shared records older
than the agreement's retention days (by when they were received).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from s2s.audit.services import audit_record
from s2s.ctf.words import Text
from s2s.partnerships import emails
from s2s.partnerships.models import Agreement, DeleteReason, Partnership, SharedRecord, Status
from s2s.partnerships.services import records_delete

REMINDER_DAYS = (30, 7)


def reminders_send(*, today: date) -> int:
    """Send the reminders due today; return how many partnerships were reminded."""
    sent = 0
    for days in REMINDER_DAYS:
        claim = f"reminded_{days}_for"
        due = Agreement.objects.filter(
            review_date=today + timedelta(days=days),
            partnership__status__in=[Status.AWAITING, Status.ACTIVE])
        for agreement in due.exclude(**{claim: today + timedelta(days=days)}):
            with transaction.atomic():
                won = Agreement.objects.filter(pk=agreement.pk).exclude(
                    **{claim: agreement.review_date}).update(**{claim: agreement.review_date})
                if won:
                    emails.send_review_reminder(partnership_id=agreement.partnership_id,
                                                days=days)
                    sent += 1
    return sent


def partnerships_lapse(*, today: date) -> int:
    """Lapse the active partnerships whose review date has passed; return how many."""
    lapsed = 0
    for partnership in Partnership.objects.filter(status=Status.ACTIVE,
                                                  agreement__review_date__lt=today):
        with transaction.atomic():
            if Partnership.objects.filter(pk=partnership.pk, status=Status.ACTIVE).update(
                    status=Status.LAPSED):
                audit_record(action="partnership.lapsed", obj=partnership, actor_username="s2s",
                             summary=Text(gettext_noop("%(name)s: review date passed"),
                                          name=partnership.name))
                lapsed += 1
    return lapsed


@dataclass
class Purge:
    partnerships: int = 0
    records: int = 0


def records_purge(*, now: datetime, dry_run: bool = False, limit: int | None = None) -> Purge:
    """Delete shared records older than their agreement's retention days (at most `limit`)."""
    result = Purge()
    today = timezone.localdate(now)
    for partnership in Partnership.objects.select_related("agreement").exclude(
            status=Status.ENDED):
        cutoff = timezone.make_aware(datetime.combine(
            today - timedelta(days=partnership.agreement.retention_days), time.min))
        old = SharedRecord.objects.filter(partnership=partnership, recorded_at__lt=cutoff)
        if limit is not None:
            old = SharedRecord.objects.filter(
                pk__in=list(old.values_list("pk", flat=True)[:limit - result.records]))
        count = old.count()
        if not count:
            continue
        result.partnerships += 1
        result.records += count
        if not dry_run:
            records_delete(old, reason=DeleteReason.RETENTION)
            audit_record(action="partnership.records_purged", obj=partnership,
                         actor_username="s2s",
                         summary=Text(gettext_noop("%(name)s: %(count)s records past retention"),
                                      name=partnership.name, count=count))
        if limit is not None and result.records >= limit:
            break
    return result
