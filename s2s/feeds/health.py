"""Feed health for an LA: each school's last feeds, their lag, and the silent schools.

The silent schools are those with no feed for two school days. A school day is the school's
calendar's (its own, else its LA's); where no calendar covers a day, a weekday counts. A school
without feeds is flagged here, never read as absent pupils.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Max
from django.utils import timezone

from s2s.calendars.selectors import school_days_of_schools
from s2s.directory.models import Establishment, EstablishmentStatus
from s2s.feeds.models import Feed, FeedKind, FeedStatus

STALE_AFTER_SCHOOL_DAYS = 2
# How far back missed school days are counted; a school silent for longer shows this many+.
LOOK_BACK_DAYS = 42


@dataclass
class SchoolHealth:
    """One school's feeds: the last of each kind, when it last sent anything, days missed."""

    school: Establishment
    last: dict[str, Feed | None] = field(default_factory=dict)
    last_at: datetime | None = None
    missed: int = 0  # school days since the last accepted feed, today not counted

    @property
    def stale(self) -> bool:
        return self.last_at is None or self.missed >= STALE_AFTER_SCHOOL_DAYS

    @property
    def lag(self) -> timedelta | None:
        return timezone.now() - self.last_at if self.last_at else None

    def by_kind(self) -> list[Feed | None]:
        return [self.last.get(kind) for kind in FeedKind.values]


def _latest(la) -> dict[tuple[int, str], Feed]:
    """Return the latest feed of each school and kind (two queries)."""
    latest = (Feed.objects.filter(establishment__la=la).values("establishment_id", "kind")
              .annotate(last=Max("pk")).values_list("last", flat=True))
    feeds = Feed.objects.filter(pk__in=list(latest))
    return {(f.establishment_id, f.kind): f for f in feeds}


def _last_accepted(la) -> dict[int, datetime]:
    return dict(Feed.objects.filter(establishment__la=la, status=FeedStatus.ACCEPTED)
                .values("establishment_id").annotate(last=Max("received_at"))
                .values_list("establishment_id", "last"))


def _missed(calendar, since: date, today: date) -> int:
    """Count school days after `since` and before `today`."""
    count, day = 0, since + timedelta(days=1)
    while day < today:
        open_day = calendar.is_school_day(day) if calendar.known(day) else day.weekday() < 5
        count += open_day
        day += timedelta(days=1)
    return count


def feed_health(*, la, today: date | None = None) -> list[SchoolHealth]:
    """Return the health of the LA's open schools' feeds, the stale ones first."""
    today = today or timezone.localdate()
    schools = list(Establishment.objects.filter(la=la).exclude(
        status=EstablishmentStatus.CLOSED).order_by("code"))
    latest, accepted = _latest(la), _last_accepted(la)
    start = today - timedelta(days=LOOK_BACK_DAYS)
    calendars = school_days_of_schools(establishments=schools, start=start, end=today)
    rows = []
    for school in schools:
        row = SchoolHealth(school, {k: latest.get((school.pk, k)) for k in FeedKind.values},
                           accepted.get(school.pk))
        if row.last_at is not None:
            since = max(timezone.localdate(row.last_at), start)
            row.missed = _missed(calendars[school.pk], since, today)
        rows.append(row)
    return sorted(rows, key=lambda r: (not r.stale, r.school.code))


def stale_count(*, la, today: date | None = None) -> int:
    """Return how many of the LA's schools have sent no feed for two school days."""
    return sum(row.stale for row in feed_health(la=la, today=today))
