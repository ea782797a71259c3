"""The scheduler's machinery: timings, jobs, and enqueuing each due job once per minute.

The schedule itself is declared in one place, `s2s/schedule.py`. Timings are read in the
service's time zone (Europe/London): "daily 03:00" is 03:00 on the clock in Dorset.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from s2s.core.models import ScheduledRun

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# ScheduledRun rows only guard against a second enqueue of the same minute; a week is plenty.
KEEP_RUNS = timedelta(days=7)

_EVERY = re.compile(r"every (\d+) minutes?")
_HOURLY = re.compile(r"hourly(?: :(\d\d))?")
_DAILY = re.compile(r"daily (\d\d):(\d\d)")
_WEEKLY = re.compile(r"weekly (\w+) (\d\d):(\d\d)")
_MONTHLY = re.compile(r"monthly (\d+)(?:st|nd|rd|th) (\d\d):(\d\d)")


@dataclass(frozen=True)
class Timing:
    """When a job is due: `None` in a field means "any"."""

    every: int = 1
    minute: int | None = None
    hour: int | None = None
    weekday: int | None = None
    day: int | None = None

    def matches(self, moment: datetime) -> bool:
        """Return whether the job is due in the minute of this local time."""
        checks = [
            (self.minute, moment.minute), (self.hour, moment.hour),
            (self.weekday, moment.weekday()), (self.day, moment.day),
        ]
        if any(want is not None and want != got for want, got in checks):
            return False
        return (moment.hour * 60 + moment.minute) % self.every == 0


def timing_parse(*, text: str) -> Timing:
    """Return the timing that a schedule entry's text describes.

    "every 5 minutes", "hourly", "hourly :15", "daily 02:00", "weekly Monday 07:00" or
    "monthly 1st 06:00"; anything else is a mistake in the schedule, refused at start.
    """
    text = " ".join(text.lower().split())
    if match := _EVERY.fullmatch(text):
        every = int(match[1])
        if not 1 <= every <= 60:
            raise ValueError(f"{text!r}: every 1 to 60 minutes")
        return Timing(every=every)
    if match := _HOURLY.fullmatch(text):
        return Timing(minute=int(match[1] or 0))
    if match := _DAILY.fullmatch(text):
        return _checked(text, Timing(hour=int(match[1]), minute=int(match[2])))
    if (match := _WEEKLY.fullmatch(text)) and match[1] in WEEKDAYS:
        return _checked(text, Timing(
            weekday=WEEKDAYS.index(match[1]), hour=int(match[2]), minute=int(match[3])
        ))
    if match := _MONTHLY.fullmatch(text):
        # Days past the 28th would skip the short months.
        if not 1 <= int(match[1]) <= 28:
            raise ValueError(f"{text!r}: monthly on days 1st to 28th")
        return _checked(text, Timing(day=int(match[1]), hour=int(match[2]), minute=int(match[3])))
    raise ValueError(f"Cannot read the timing {text!r}")


def _checked(text: str, timing: Timing) -> Timing:
    if timing.hour > 23 or timing.minute > 59:
        raise ValueError(f"{text!r}: no such time of day")
    return timing


@dataclass(frozen=True)
class Job:
    """A scheduled job: a management command (run by the `run_command` task) or a task.

    `task` is the dotted path of a task taking no arguments, for jobs that have one; such a
    job still has a command of the same name, for people and cron.
    """

    name: str
    timing: str
    command: str = ""
    args: tuple[str, ...] = ()
    task: str = ""
    when: Timing = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if bool(self.command) == bool(self.task):
            raise ValueError(f"Job {self.name!r} needs a command or a task, not both")
        object.__setattr__(self, "when", timing_parse(text=self.timing))

    def enqueue(self):
        """Put the job on the task queue and return the task result."""
        if self.task:
            return import_string(self.task).enqueue()
        from s2s.core.tasks import run_command

        return run_command.enqueue(self.command, list(self.args))


def slot_of(moment: datetime) -> datetime:
    """Return the minute that `moment` falls in: the scheduler's unit of time."""
    return moment.replace(second=0, microsecond=0)


def job_claim(*, job: Job, slot: datetime) -> ScheduledRun | None:
    """Enqueue the job for this slot unless some scheduler already did; return the claim.

    The claim row and (with the database backend) the task row commit together, so a slot is
    never claimed without its task, nor run twice.
    """
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(name=job.name, slot=slot)
            result = job.enqueue()
            run.task_id = str(result.id)
            run.save(update_fields=["task_id"])
    except IntegrityError:
        return None
    return run


def run_due(*, jobs: list[Job], slot: datetime) -> list[str]:
    """Enqueue the jobs due in this slot that no other scheduler took; return their names."""
    local = timezone.localtime(slot)
    return [
        job.name for job in jobs
        if job.when.matches(local) and job_claim(job=job, slot=slot) is not None
    ]


def runs_prune(*, now: datetime) -> int:
    """Delete the record of slots run long ago; return how many."""
    deleted, _ = ScheduledRun.objects.filter(slot__lt=now - KEEP_RUNS).delete()
    return deleted
