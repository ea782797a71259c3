"""`s2s scheduler`: wake each minute and enqueue the jobs of `s2s/schedule.py` that are due.

Run one beside the workers (`make run` does); running two is safe, since each job is claimed
once per minute in the database. `--once` does the current minute and exits, for cron and tests.
"""

import logging
import time
from datetime import datetime, timedelta

from django.core.management.base import CommandError
from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s import schedule
from s2s.core.commands import LanguageCommand
from s2s.core.scheduling import run_due, runs_prune, slot_of

logger = logging.getLogger(__name__)
MINUTE = timedelta(minutes=1)
# After a stall (a suspended laptop, a slow database) the missed minutes are caught up, but
# only this many: a scheduler started after a week off should not replay the week.
CATCH_UP = 60


class Command(LanguageCommand):
    help = gettext_lazy(
        "Enqueue the scheduled jobs (s2s/schedule.py) when they are due, waking every minute. "
        "Any number may run: each job is enqueued once per minute."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help=gettext_lazy("enqueue the jobs due this minute, then exit"))
        parser.add_argument("--at", metavar="YYYY-MM-DDTHH:MM",
                            help=gettext_lazy("with --once, the minute to act for (local time) "
                                              "instead of now"))
        parser.add_argument("--list", action="store_true", dest="show",
                            help=gettext_lazy("print the schedule and exit"))

    def handle(self, *args, once: bool = False, at: str | None = None, show: bool = False,
               **options):
        if show:
            for job in schedule.SCHEDULE:
                self.stdout.write(f"{job.name:24} {job.timing:24} {job.command or job.task}")
            return
        if at and not once:
            raise CommandError(_("--at goes with --once"))
        if once:
            self._tick(slot_of(_moment(at) if at else timezone.now()))
            return
        try:
            self._forever()
        except KeyboardInterrupt:
            self.stdout.write(_("Scheduler stopped."))

    def _forever(self) -> None:
        self.stdout.write(_("Scheduler started: %(count)d job(s).")
                          % {"count": len(schedule.SCHEDULE)})
        last = None
        while True:
            now = slot_of(timezone.now())
            first = now if last is None else max(last + MINUTE, now - (CATCH_UP - 1) * MINUTE)
            slot = first
            while slot <= now:
                self._tick_safely(slot)
                slot += MINUTE
            last = now
            # Wake just after the next minute begins.
            time.sleep(max(1.0, (now + MINUTE - timezone.now()).total_seconds() + 1))

    def _tick_safely(self, slot: datetime) -> None:
        # A database that restarts must not stop the scheduler: that minute's jobs are skipped
        # and the next minute's go as usual (every job is idempotent and most run again soon).
        close_old_connections()
        try:
            self._tick(slot)
        except DatabaseError:
            logger.exception("Scheduler could not enqueue the jobs of %s", slot)

    def _tick(self, slot: datetime) -> None:
        for name in run_due(jobs=schedule.SCHEDULE, slot=slot):
            self.stdout.write(_("%(when)s enqueued %(job)s") % {
                "when": f"{timezone.localtime(slot):%Y-%m-%d %H:%M}", "job": name})
        if slot.minute == 0:
            runs_prune(now=slot)


def _moment(text: str) -> datetime:
    moment = parse_datetime(text)
    if moment is None:
        raise CommandError(_("--at must look like 2025-09-01T03:00, not '%(text)s'")
                           % {"text": text})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
