"""The roll signals (issue 14): leavers and joiners, read from the roll feeds and the CTFs.

- `left_no_destination`: a pupil gone from a full roll (seed 001: no deletion is recorded),
  or deleted with no destination; it fires on the day the pupil left.
- `no_arrival`: deleted to a named school where no joiner appears (that school's roll with
  the UPN, entered) within 15 school days.
- `leaver_no_ctf`: a leaver for whom the school sent no CTF within 15 school days.
- `joiner_no_ctf`: a joiner for whom the school received no CTF within 5 school days; the hub
  looks for the pupil in the Lost Pupil Database and in every inbox (by UPN, then surname and
  DOB), shows what it found on the signal and tells the school and the LA's lost-pupil
  officers (`emails.joiner_no_ctf`, no pupil data).

School days are the school's own calendar's (`calendars`), counted after the day of leaving or
entry: day 1 is the first school day after it, and a rule is met at the end of the 15th (5th)
with nothing arrived. What arrives after that closes the signal (the history keeps it); what
arrived in time means there was never a signal (a late feed that raised one withdraws it).
Sources: SI 2024/208 regs. 9 and 13 (deletions and returns to the LA); the Education (Pupil
Information) (England) Regulations 2005, reg. 9 (a CTF within 15 school days of leaving);
DfE "Children missing education" (2024).

A dual registration's subsidiary school neither sends nor receives a CTF and owes no returns:
its pupils are left out. Nursery pupils (N1, N2), and reception pupils joining at the start of
the school year, come with no CTF: they raise no `joiner_no_ctf`.
"""

from bisect import bisect_right
from collections import defaultdict
from datetime import date, timedelta
from functools import cached_property

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from s2s.calendars.selectors import academic_year_bounds, academic_year_of, school_days
from s2s.cme import emails
from s2s.cme.models import ReturnKind, SchoolReturn, Signal, SignalNotice, SignalStatus
from s2s.cme.signals import Kind, Run
from s2s.directory.models import Establishment, LocalAuthority
from s2s.feeds.models import Pupil, Registration
from s2s.lostpupils.models import LostPupilRecord, RecordStatus
from s2s.transfers.models import TransferPupil, TransferStatus

# The kinds this module's rules raise (a partial recompute holds them for the whole school).
ROLL_KINDS = frozenset({Kind.LEFT_NO_DESTINATION, Kind.NO_ARRIVAL, Kind.LEAVER_NO_CTF,
                        Kind.JOINER_NO_CTF})
LEAVER_DAYS = 15
JOINER_DAYS = 5
NO_CTF_YEARS = frozenset({"N1", "N2"})
START_YEARS = frozenset({"R"})  # no CTF when joining at the start of the school year
# A CTF counts for a joiner when it was sent up to a year before the entry (a school often
# sends it when the pupil leaves, before the next school has the pupil on its roll).
CTF_BEFORE_ENTRY = timedelta(days=366)
# A leaver's CTF counts when sent from a month before the day of leaving (a school may send
# it as the pupil goes); an older one was about an earlier move.
CTF_BEFORE_LEAVING = timedelta(days=31)
_PUPIL_FIELDS = ("pk", "upn", "surname", "forename", "dob", "entry_date", "leaving_date",
                 "destination", "on_roll", "missing_since", "nc_year", "registration",
                 "home_la")


def _after(days: list[date], event: date) -> int:
    """Return the index in `days` (sorted) of the first school day after `event`."""
    return bisect_right(days, event)


def nth_school_day_after(days: list[date], event: date, n: int) -> date | None:
    """Return the n-th school day after `event` (day 1 is the first after it), if known."""
    index = _after(days, event) + n - 1
    return days[index] if index < len(days) else None


def school_days_since(days: list[date], event: date, until: date) -> int:
    """Return the school days after `event` up to and including `until`."""
    return max(0, bisect_right(days, until) - _after(days, event))


def left_no_destination(*, left_on: date, destination: str, how: str, days: list[date],
                        today: date) -> Run | None:
    """Return the signal of a pupil gone with no destination (fired on the day it left)."""
    if destination or left_on > today:
        return None
    return Run(Kind.LEFT_NO_DESTINATION, left_on, left_on,
               school_days_since(days, left_on, today), True, {"how": how})


def awaited(kind: str, *, event: date, arrived: date | None, within: int, days: list[date],
            today: date, detail: dict | None = None) -> Run | None:
    """Return the signal of something awaited `within` school days after `event`.

    None before the deadline, or when it arrived by then; closed when it came later; open
    while it has not come. Its `school_days` count to the arrival, or to today.
    """
    deadline = nth_school_day_after(days, event, within)
    if deadline is None or deadline > today:
        return None
    if arrived is not None and arrived <= deadline:
        return None
    until = min(arrived, today) if arrived is not None else today
    return Run(kind, event, deadline, school_days_since(days, event, until), arrived is None,
               {**(detail or {}), "arrived": arrived.isoformat() if arrived else None})


def _left_on(pupil: dict) -> tuple[date | None, str]:
    """Return the day the pupil left and how (deleted, or gone from a full roll)."""
    if pupil["leaving_date"] is not None:
        return pupil["leaving_date"], "deleted"
    if not pupil["on_roll"] and pupil["missing_since"] is not None:
        return timezone.localdate(pupil["missing_since"]), "gone_from_roll"
    return None, ""


def _expects_ctf(pupil: dict, first_day: date | None) -> bool:
    year = pupil["nc_year"].strip().upper()
    if year in NO_CTF_YEARS:
        return False
    return not (year in START_YEARS and first_day and pupil["entry_date"] <= first_day)


def _dates_by_upn(rows) -> dict[str, list[date]]:
    """Return each UPN's days, in order, from rows of (upn, moment)."""
    found = defaultdict(list)
    for upn, moment in rows:
        found[upn].append(timezone.localdate(moment))
    return {upn: sorted(days) for upn, days in found.items()}


def _first_since(days: list[date] | None, since: date) -> date | None:
    """Return the first of `days` on or after `since`."""
    return next((day for day in days or () if day >= since), None)


def _ctfs_sent(establishment, upns: set[str], since: date) -> dict[str, list[date]]:
    return _dates_by_upn(TransferPupil.objects.filter(
        upn__in=upns, transfer__source_establishment=establishment, transfer__file_type="CTF",
        transfer__uploaded_at__date__gte=since,
    ).exclude(transfer__status=TransferStatus.REJECTED).values_list("upn", "transfer__uploaded_at"))


def _ctfs_received(establishment, upns: set[str], since: date) -> dict[str, list[date]]:
    return _dates_by_upn(TransferPupil.objects.filter(
        upn__in=upns, transfer__destination_establishment=establishment,
        transfer__file_type="CTF", transfer__uploaded_at__date__gte=since,
    ).exclude(transfer__status=TransferStatus.REJECTED).values_list("upn", "transfer__uploaded_at"))


def _arrivals(leavers: list[tuple[dict, date]]) -> dict[tuple[str, str], date]:
    """Return when each leaver named a school appears on its roll: {(school, UPN): entry}."""
    wanted = {(p["destination"], p["upn"]) for p, _left in leavers if p["destination"]}
    if not wanted:
        return {}
    found = {}
    rows = Pupil.objects.filter(
        establishment__code__in={school for school, _upn in wanted},
        upn__in={upn for _school, upn in wanted},
    ).values_list("establishment__code", "upn", "entry_date", "feed__received_at")
    for school, upn, entry, received in rows:
        if (school, upn) in wanted:
            # A roll row with no entry date appeared when its feed came.
            found[(school, upn)] = entry or timezone.localdate(received or timezone.now())
    return found


def where_found(pupil: dict) -> dict:
    """Return where the hub holds a CTF of this pupil: the LPD and every inbox.

    By UPN first (also a former UPN in the LPD), then by surname and date of birth: the
    record ids and file ids, the inboxes' codes, and which way each was found.
    """
    return where_found_all([pupil])[pupil["upn"]]


# At most this many records and files of each are named per pupil.
_FOUND_MAX = 20


def where_found_all(pupils: list[dict]) -> dict[str, dict]:
    """Return `where_found` of each pupil, by UPN, in four queries whatever their number.

    The LPD and the inboxes by UPN for all of them; then, for those found nowhere by UPN, by
    date of birth, their surnames matched here (case-insensitively, as `iexact` does).
    """
    lpd = LostPupilRecord.objects.filter(status__in=[RecordStatus.OPEN, RecordStatus.DOWNLOADED])
    inboxes = TransferPupil.objects.filter(transfer__file_type="CTF",
                                           transfer__status=TransferStatus.AWAITING,
                                           transfer__destination_establishment__isnull=False)
    upns = {pupil["upn"] for pupil in pupils}
    found = {upn: {"lpd": [], "inboxes": []} for upn in upns}
    for pk, upn, former in lpd.filter(Q(upn__in=upns) | Q(former_upn__in=upns)).values_list(
            "pk", "upn", "former_upn"):
        for key in {upn, former} & upns:
            found[key]["lpd"].append({"record": pk, "match": "upn"})
    for pk, code, upn in inboxes.filter(upn__in=upns).values_list(
            "transfer_id", "transfer__destination_code", "upn"):
        found[upn]["inboxes"].append({"transfer": pk, "to": code, "match": "upn"})
    by_name = {(pupil["surname"].upper(), pupil["dob"]): pupil["upn"] for pupil in pupils
               if pupil["surname"] and pupil["dob"]
               and not (found[pupil["upn"]]["lpd"] or found[pupil["upn"]]["inboxes"])}
    if by_name:
        dobs = {dob for _surname, dob in by_name}
        for pk, surname, dob in lpd.filter(dob__in=dobs).values_list("pk", "surname", "dob"):
            if (upn := by_name.get((surname.upper(), dob))) is not None:
                found[upn]["lpd"].append({"record": pk, "match": "name_dob"})
        for pk, code, surname, dob in inboxes.filter(dob__in=dobs).values_list(
                "transfer_id", "transfer__destination_code", "surname", "dob"):
            if (upn := by_name.get((surname.upper(), dob))) is not None:
                found[upn]["inboxes"].append({"transfer": pk, "to": code, "match": "name_dob"})
    return {upn: {"lpd": where["lpd"][:_FOUND_MAX], "inboxes": where["inboxes"][:_FOUND_MAX]}
            for upn, where in found.items()}


class _School:
    """One school's roll and calendar for the school year of `today`, read once."""

    def __init__(self, establishment: Establishment, today: date):
        self.establishment, self.today = establishment, today
        self.start, self.end = academic_year_bounds(academic_year_of(today))
        pupils = Pupil.objects.filter(establishment=establishment).exclude(
            registration=Registration.SUBSIDIARY).values(*_PUPIL_FIELDS)
        self.leavers, self.joiners = [], []
        for pupil in pupils:
            left_on, how = _left_on(pupil)
            if left_on is not None and self.start <= left_on <= today:
                self.leavers.append((pupil, left_on, how))
            elif (pupil["on_roll"] and pupil["entry_date"] is not None
                  and self.start <= pupil["entry_date"] <= today):
                self.joiners.append(pupil)

    @cached_property
    def days(self) -> list[date]:
        """Return the school's days this school year (read only when a pupil came or went)."""
        return school_days(establishment=self.establishment, start=self.start,
                           end=self.end).days()

    @property
    def first_day(self) -> date | None:
        return self.days[0] if self.days else None

    def runs(self) -> list[tuple[Run, dict]]:
        """Return every roll run at the school, with its pupil."""
        found = [*self._leaver_runs(), *self._joiner_runs()] if (
            self.leavers or self.joiners) else []
        return [(run, pupil) for run, pupil in found if run is not None]

    def _leaver_runs(self):
        if not self.leavers:
            return
        days, today = self.days, self.today
        sent = _ctfs_sent(self.establishment, {p["upn"] for p, _l, _h in self.leavers},
                          self.start - CTF_BEFORE_ENTRY)
        arrivals = _arrivals([(p, left) for p, left, _how in self.leavers])
        for pupil, left_on, how in self.leavers:
            yield left_no_destination(left_on=left_on, destination=pupil["destination"],
                                      how=how, days=days, today=today), pupil
            yield awaited(Kind.LEAVER_NO_CTF, event=left_on, arrived=_first_since(
                sent.get(pupil["upn"]), left_on - CTF_BEFORE_LEAVING), within=LEAVER_DAYS,
                days=days, today=today), pupil
            if pupil["destination"]:
                yield awaited(Kind.NO_ARRIVAL, event=left_on,
                              arrived=arrivals.get((pupil["destination"], pupil["upn"])),
                              within=LEAVER_DAYS, days=days, today=today,
                              detail={"destination": pupil["destination"]}), pupil

    def _joiner_runs(self):
        joiners = [p for p in self.joiners if _expects_ctf(p, self.first_day)]
        if not joiners:
            return
        received = _ctfs_received(self.establishment, {p["upn"] for p in joiners},
                                  self.start - CTF_BEFORE_ENTRY)
        runs = [(awaited(Kind.JOINER_NO_CTF, event=pupil["entry_date"],
                         arrived=_first_since(received.get(pupil["upn"]),
                                              pupil["entry_date"] - CTF_BEFORE_ENTRY),
                         within=JOINER_DAYS, days=self.days, today=self.today), pupil)
                for pupil in joiners]
        # Where each open one's CTF may be: searched for all of them at once.
        searched = [pupil for run, pupil in runs if run is not None and run.open]
        found = where_found_all(searched) if searched else {}
        for run, pupil in runs:
            if run is not None and run.open:
                run.detail["found"] = found[pupil["upn"]]
            yield run, pupil


# The school `roll_runs` read, kept for the `roll_after` of the same recompute.
_read: dict[tuple[int, date], _School] = {}


def roll_runs(*, establishment: Establishment, today: date) -> dict[tuple, tuple[Run, dict]]:
    """Return the roll signals' runs at this school, keyed as `services._runs_of` keys them."""
    _read.clear()
    school = _read[(establishment.pk, today)] = _School(establishment, today)
    return {(pupil["upn"], run.kind, run.first_day): (run, pupil)
            for run, pupil in school.runs()}


def _returns_owed(school: _School) -> list[SchoolReturn]:
    """Return the returns the school's roll owes its LA (new ones are made from these).

    A new pupil: one who joined after the first school day of the year (a standard transition
    point owes none), due on the 5th school day after entry. A deletion: due on the day the
    pupil left.
    """
    owed = []
    for pupil in school.joiners:
        if school.first_day is None or pupil["entry_date"] <= school.first_day:
            continue
        due = nth_school_day_after(school.days, pupil["entry_date"], JOINER_DAYS)
        owed.append((ReturnKind.NEW_PUPIL, pupil, pupil["entry_date"],
                     due or pupil["entry_date"] + timedelta(days=7)))
    for pupil, left_on, _how in school.leavers:
        owed.append((ReturnKind.DELETION, pupil, left_on, left_on))
    return [SchoolReturn(kind=kind, establishment=school.establishment, upn=pupil["upn"],
                         pupil_id=pupil["pk"], surname=pupil["surname"],
                         forename=pupil["forename"], dob=pupil["dob"], event_date=event,
                         due_on=due) for kind, pupil, event, due in owed]


def _home_las(establishment: Establishment, start: date) -> None:
    """Give each permanent exclusion's day-6 signal the pupil's home LA, when not the school's."""
    held = list(Signal.objects.filter(
        establishment=establishment, kind=Kind.EXCLUSION_DAY6, first_day__gte=start,
        detail__category="permanent").values_list("pk", "pupil__home_la", "home_la_id"))
    las = dict(LocalAuthority.objects.filter(
        number__in={home for _pk, home, _la in held if home}).values_list("number", "pk"))
    changes = defaultdict(list)
    for pk, home, current in held:
        wanted = las.get(home)
        wanted = None if wanted == establishment.la_id else wanted
        if wanted != current:
            changes[wanted].append(pk)
    for la_id, pks in changes.items():
        Signal.objects.filter(pk__in=pks).update(home_la_id=la_id)


def roll_after(*, establishment: Establishment, today: date) -> None:
    """After a school's recompute: its returns, home LAs, and the joiners' notices.

    Returns are made once and never removed (the LA marks them received); each new open
    `joiner_no_ctf` signal's notice is claimed by inserting its `SignalNotice`, and queued
    when the transaction commits.
    """
    school = _read.pop((establishment.pk, today), None) or _School(establishment, today)
    _home_las(establishment, school.start)
    owed = _returns_owed(school)
    if not (owed or school.joiners):
        return
    with transaction.atomic():
        SchoolReturn.objects.bulk_create(owed, batch_size=2000, ignore_conflicts=True)
        if not school.joiners:
            return
        waiting = list(Signal.objects.filter(
            establishment=establishment, kind=Kind.JOINER_NO_CTF, status=SignalStatus.OPEN,
            first_day__gte=school.start).exclude(
            pk__in=SignalNotice.objects.values("signal_id")).values_list("pk", flat=True))
        for pk in waiting:
            _notice, claimed = SignalNotice.objects.get_or_create(signal_id=pk)
            if claimed:
                transaction.on_commit(lambda pk=pk: emails.joiner_no_ctf(signal_id=pk))
