"""A school's or an LA's calendar for one academic year: its terms and its closures."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from s2s.directory.models import Establishment, LocalAuthority

REASON_MAX = 200


class Sessions(models.TextChoices):
    """The sessions of a day a closure takes: the morning, the afternoon or both."""

    AM = "am", _("Morning")
    PM = "pm", _("Afternoon")
    BOTH = "both", _("Whole day")


class Calendar(models.Model):
    """The terms and closures of one school, or of one LA, for one academic year.

    An LA's calendar is followed by each of its schools that has none of its own that year.
    """

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, null=True, blank=True,
        related_name="calendars", verbose_name=_("school"),
    )
    la = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, null=True, blank=True,
        related_name="calendars", verbose_name=_("local authority"),
    )
    academic_year = models.CharField(_("academic year"), max_length=7)  # "2025/26"
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["academic_year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(establishment__isnull=True, la__isnull=False)
                | Q(establishment__isnull=False, la__isnull=True),
                name="calendar_one_owner",
            ),
            models.UniqueConstraint(
                fields=["establishment", "academic_year"], condition=Q(la__isnull=True),
                name="calendar_one_per_school_year",
            ),
            models.UniqueConstraint(
                fields=["la", "academic_year"], condition=Q(establishment__isnull=True),
                name="calendar_one_per_la_year",
            ),
        ]

    def __str__(self):
        owner = self.establishment or self.la
        return f"{owner} {self.academic_year}"

    @property
    def owner(self) -> Establishment | LocalAuthority:
        return self.establishment or self.la


class Term(models.Model):
    """A run of days the school is open, first and last day included; the gaps are holidays."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="terms")
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    class Meta:
        ordering = ["start"]

    def __str__(self):
        return f"{self.start} to {self.end}"


class Closure(models.Model):
    """A day (or half-day) inside a term when the school is closed: an INSET day, say."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField(_("date"))
    sessions = models.CharField(_("sessions"), max_length=4, choices=Sessions.choices)
    reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="closure_one_per_day"),
        ]

    def __str__(self):
        return f"{self.date} {self.sessions} {self.reason}"
