"""CME signals as the hub computed them, and the watermark of the feeds already read."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from s2s.cme.signals import Kind


class SignalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Signal(models.Model):
    """One run that met a signal's rule, for one pupil at one school: it fires once.

    Identified by (school, UPN, kind, first day): a recompute finding the same run updates
    it (its length, open or closed); a run no longer found (a recoded mark broke it) is
    withdrawn, never deleted, so both versions stay in the history with the marks'.
    """

    kind = models.CharField(max_length=24, choices=Kind.choices)
    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    upn = models.CharField(max_length=13)
    pupil = models.ForeignKey("feeds.Pupil", on_delete=models.SET_NULL, null=True,
                              related_name="+")
    # Copied from the roll when the signal fires (the roll row may later be purged).
    surname = models.CharField(max_length=100, blank=True)
    forename = models.CharField(max_length=100, blank=True)
    dob = models.DateField(null=True, blank=True)
    first_day = models.DateField()
    fired_on = models.DateField()
    school_days = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=SignalStatus.choices,
                              default=SignalStatus.OPEN)
    detail = models.JSONField(default=dict)
    # The pupil's home LA when it is not the school's: it sees the signal too (the 6th day
    # of a permanent exclusion is its duty). Set by `roll.roll_after`.
    home_la = models.ForeignKey("directory.LocalAuthority", on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The school's last marked day when the signal was last written (the nightly run keeps
    # each pupil's rule state in `RunState`, not here).
    counted_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("CME signal")
        constraints = [
            models.UniqueConstraint(fields=["establishment", "upn", "kind", "first_day"],
                                    name="cme_signal_one_per_run"),
        ]
        indexes = [
            models.Index(fields=["establishment", "first_day"], name="cme_signal_school_idx"),
            models.Index(fields=["status", "kind"], name="cme_signal_status_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.upn} from {self.first_day} ({self.status})"


class Watermark(models.Model):
    """How far `s2s cme recompute` has read the feeds: those received up to `feeds_until`."""

    name = models.CharField(max_length=20, unique=True, default="signals")
    feeds_until = models.DateTimeField(null=True, blank=True)
    # The feeds received in the overlap before `feeds_until` (services.FEED_OVERLAP) already
    # read: a later run reads only the others there (committed late), so none is read twice.
    feeds_read = models.JSONField(default=list, blank=True)
    ran_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("CME recompute watermark")

    def __str__(self):
        return f"{self.name} until {self.feeds_until}"


class RunState(models.Model):
    """Where each attendance rule stands for one pupil at the end of the school's marked days.

    Written by every recompute that reads the pupil's year (`signals.state_of`) and carried
    on by the nightly run over the night's sessions only (`signals.state_advanced`), so a
    night reads the night's marks, not the year's. `sessions` is how many of the school's
    possible sessions of the year (from `year_start`) it has read, up to `counted_to`: a
    state whose school's calendar no longer has that many sessions to that day is stale and
    the pupil's year is read again.
    """

    pupil = models.OneToOneField("feeds.Pupil", on_delete=models.CASCADE, primary_key=True,
                                 related_name="+")
    establishment = models.ForeignKey("directory.Establishment", on_delete=models.CASCADE,
                                      related_name="+")
    year_start = models.DateField()
    sessions = models.PositiveIntegerField()
    counted_to = models.DateField()
    state = models.JSONField()

    class Meta:
        verbose_name = _("CME rule state")

    def __str__(self):
        return f"rule state of pupil {self.pupil_id} to {self.counted_to}"


class CaseState(models.TextChoices):
    """Where a CME case stands (issue 14): referred → enquiries → located | not located → closed."""

    REFERRED = "referred", _("Referred")
    ENQUIRIES = "enquiries", _("Enquiries")
    LOCATED = "located", _("Located")
    NOT_LOCATED = "not_located", _("Not located")
    CLOSED = "closed", _("Closed")


class CaseOutcome(models.TextChoices):
    """How a closed case ended."""

    ON_ROLL = "on_roll", _("On roll at a school")
    HOME_EDUCATED = "home_educated", _("Home educated")
    LEFT_LA = "left_la", _("Left the LA; the receiving LA told")
    ABROAD = "abroad", _("Gone abroad")
    NOT_FOUND = "not_found", _("Not found after enquiries")


class Case(models.Model):
    """A child missing education whom an LA's CME officer is looking for (issue 14).

    The child's names and date of birth are copied when the case is opened (from the signal,
    the latest roll, or the officer). `la` is the LA whose officers work the case; `school`
    the child's last known school, if any. Rules and transitions: `cme/cases.py`.
    """

    la = models.ForeignKey("directory.LocalAuthority", on_delete=models.PROTECT,
                           related_name="+")
    upn = models.CharField(max_length=13, db_index=True)
    surname = models.CharField(max_length=100, blank=True)
    forename = models.CharField(max_length=100, blank=True)
    dob = models.DateField(null=True, blank=True)
    school = models.ForeignKey("directory.Establishment", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    signal = models.ForeignKey(Signal, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="cases")
    state = models.CharField(max_length=12, choices=CaseState.choices,
                             default=CaseState.REFERRED)
    state_since = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=16, choices=CaseOutcome.choices, blank=True)
    # The school (7 digits) or LA (3 digits) the outcome names, when it names one.
    outcome_place = models.CharField(max_length=7, blank=True)
    opened_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True,
                                  related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The child turned up on a school's roll (a feed or a CTF) while the case was open.
    turned_up_at = models.DateTimeField(null=True, blank=True)
    turned_up_school = models.CharField(max_length=7, blank=True)
    turned_up_via = models.CharField(max_length=8, blank=True)

    class Meta:
        verbose_name = _("CME case")
        indexes = [models.Index(fields=["la", "state"], name="cme_case_la_state_idx")]

    def __str__(self):
        return f"CME case {self.pk} ({self.state})"


class CaseEvent(models.Model):
    """One thing done on a case: a transition, a checklist item, a note, the child turning up."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24)
    note = models.TextField(blank=True)
    actor = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True,
                              related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(default=timezone.now)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("CME case event")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action} on case {self.case_id}"
class ReturnKind(models.TextChoices):
    NEW_PUPIL = "new_pupil_return_due", _("New pupil return")
    DELETION = "deletion_return_due", _("Deletion return")


class SchoolReturn(models.Model):
    """A return a school owes its LA: a new pupil (within 5 school days), or a deletion.

    Made by the recompute from the school's roll, once per (school, UPN, kind, entry or
    leaving date); outstanding until the LA marks it received (`returns.return_receive`).
    """

    kind = models.CharField(max_length=24, choices=ReturnKind.choices)
    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    upn = models.CharField(max_length=13)
    pupil = models.ForeignKey("feeds.Pupil", on_delete=models.SET_NULL, null=True,
                              related_name="+")
    surname = models.CharField(max_length=100, blank=True)
    forename = models.CharField(max_length=100, blank=True)
    dob = models.DateField(null=True, blank=True)
    event_date = models.DateField()  # the entry date, or the leaving date
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("CME return")
        constraints = [
            models.UniqueConstraint(fields=["establishment", "upn", "kind", "event_date"],
                                    name="cme_return_one_per_event"),
        ]
        indexes = [
            models.Index(fields=["establishment", "received_at"], name="cme_return_school_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.upn} {self.event_date}"


class CaseReminder(models.Model):
    """An overdue case's reminder sent to its officer: one per overdue state (its start).

    Inserted to claim the reminder (`cases.cases_remind_overdue`), so it goes once however
    often the job runs; a case that moves on and falls overdue again is reminded again.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    state_since = models.DateTimeField()
    due_by = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("CME case reminder")
        constraints = [models.UniqueConstraint(fields=["case", "state_since"],
                                               name="cme_reminder_one_per_state")]

    def __str__(self):
        return f"reminder of case {self.case_id} overdue since {self.due_by}"


class SignalNotice(models.Model):
    """A signal's email sent (a joiner with no CTF): inserted to claim it, so it goes once."""

    signal = models.OneToOneField(Signal, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("CME signal notice")

    def __str__(self):
        return f"notice of signal {self.signal_id}"
