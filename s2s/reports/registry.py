"""The report framework: what a report is, the registry of reports, and each run's parameters.

A report is a `Report` subclass registered with `@register`: a name (its URL), a title, the
policy action that lets a person run it, the extra fields of its filter form, its columns
and a `rows(params)` that returns rows aggregated in the database. Other apps (lost pupils,
messaging) add theirs the same way, from their own `reports.py` imported in `ready()`.

Every report takes a date range (`from`, `to`) over when the files were uploaded: a blank
"from" means from the beginning, "to" defaults to today and includes that whole day (a
later "to" is read as today: nothing has been uploaded after it).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django import forms
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from s2s.accounts.policy import Action, get_for, has_capability
from s2s.core.days import midnight
from s2s.core.forms import DateInputField
from s2s.directory.models import Establishment, LocalAuthority

REPORTS: dict[str, "Report"] = {}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a report: the row's key, its CSV heading and its on-screen heading."""

    key: str
    label: str
    numeric: bool = False


@dataclass
class Params:
    """One run of a report: who asks, for which LA and school, over which dates."""

    user: object
    date_from: date | None
    date_to: date
    la: LocalAuthority | None = None  # None: every LA (the service only)
    school: Establishment | None = None
    extra: dict = field(default_factory=dict)
    # What one run has worked out already (a chart drawn from the rows), by name.
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def cached(self, key: str, compute):
        """Return compute()'s value, worked out once per run under `key`."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    @property
    def start(self) -> datetime | None:
        """Return the first instant of the range (local midnight), or None from the beginning."""
        if self.date_from is None:
            return None
        return midnight(self.date_from)

    @property
    def end(self) -> datetime:
        """Return the instant after the range: local midnight after the "to" day."""
        return midnight(self.date_to + timedelta(days=1))

    def uploaded(self) -> dict:
        """Return the ORM filter for files uploaded in the range."""
        lookup = {"uploaded_at__lt": self.end}
        if self.start is not None:
            lookup["uploaded_at__gte"] = self.start
        return lookup

    def query(self) -> dict:
        """Return the parameters as a query string's items, for the CSV link."""
        values = {"from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat()}
        if self.la is not None and not self.user.la_id:
            values["la"] = self.la.number
        if self.school is not None:
            values["school"] = self.school.code
        return {**values, **{k: v for k, v in self.extra.items() if v}}


class ReportForm(forms.Form):
    """The date range every report has; a report adds its own fields in `extra_fields`."""

    def __init__(self, data, *, report: "Report", user):
        super().__init__(data)
        self.fields["from"] = DateInputField(
            label=_("From"), error_name=_("The start date"), required=False,
            help_text=_("For example, 1 9 2025. Leave blank to start from the first file"))
        self.fields["to"] = DateInputField(
            label=_("To"), error_name=_("The end date"), required=False,
            help_text=_("For example, 31 7 2026. Leave blank for today"))
        self.fields.update(report.extra_fields(user))

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            self.add_error("to", _("The end date must be on or after the start date."))
        return data


class Report:
    """A report: subclass, set the attributes, write `rows`, and `@register` it."""

    name: str = ""
    title: str = ""
    description: str = ""
    action: str = Action.REPORTS
    columns: tuple[Column, ...] = ()
    per_la: bool = True  # scoped to one LA: an LA's own; the service picks one or every LA
    has_school: bool = False  # takes `school`: one of the LA's schools, 404 for any other
    screen_rows: int = 500  # more than this and the page sends you to the CSV
    chunk_size: int = 2000
    note: str = ""  # what the report cannot tell, shown above it

    def allowed(self, user) -> bool:
        """Return whether the policy lets this user run the report."""
        return has_capability(user, self.action)

    def extra_fields(self, user) -> dict[str, forms.Field]:
        """Return the report's own filter fields, beyond the dates (and LA and school)."""
        fields = {}
        if self.per_la and not user.la_id:
            fields["la"] = forms.CharField(
                label=_("LA number"), required=False, max_length=3,
                help_text=_("Leave blank for every LA"))
        if self.has_school:
            fields["school"] = forms.CharField(
                label=_("School (establishment number)"), required=False, max_length=7,
                help_text=_("Leave blank for every school"))
        return fields

    def on_screen(self, params: Params) -> bool:
        """Return whether the rows are shown on the page (False: offered as CSV only)."""
        return True

    def rows(self, params: Params) -> Iterable[dict]:
        """Return the rows, each a dict keyed by the columns' keys."""
        raise NotImplementedError

    def charts(self, params: Params) -> list:
        """Return the report's charts (`s2s.core.charts.Chart`), if it has any."""
        return []

    def csv_rows(self, params: Params) -> Iterable[list]:
        """Return the rows as lists in column order, for the CSV."""
        keys = [column.key for column in self.columns]
        return ([row.get(key) for key in keys] for row in self.rows(params))

    def parse(self, user, data: QueryDict) -> tuple[ReportForm, Params | None]:
        """Return the filter form and, when it is valid, the run's parameters.

        An LA or school outside the user's scope raises Http404, as a page about it would.
        """
        form = ReportForm(data, report=self, user=user)
        if not form.is_valid():
            return form, None
        cleaned = form.cleaned_data
        la = _la_for(user, cleaned.get("la")) if self.per_la else None
        school = _school_for(user, la, cleaned.get("school")) if self.has_school else None
        extra = {k: v for k, v in cleaned.items() if k not in {"from", "to", "la", "school"}}
        today = timezone.localdate()
        params = Params(user=user, date_from=cleaned.get("from"),
                        date_to=min(cleaned.get("to") or today, today),
                        la=la, school=school, extra=extra)
        return form, params


def _la_for(user, number: str | None) -> LocalAuthority | None:
    """Return the LA a report covers: the user's own; for the service, the one asked or all."""
    if user.la_id:
        return user.la
    if not number:
        return None
    return get_for(user, LocalAuthority.objects.all(), Action.REPORTS, number=number)


def _school_for(user, la, code: str | None) -> Establishment | None:
    if not code:
        return None
    schools = Establishment.objects.select_related("la")
    if la is not None:
        schools = schools.filter(la=la)
    return get_for(user, schools, Action.REPORTS, code=code)


def register(cls: type[Report]) -> type[Report]:
    """Add a report to the registry under its name (a class decorator)."""
    if cls.name in REPORTS:
        raise ValueError(f"Two reports are called {cls.name}")
    REPORTS[cls.name] = cls()
    return cls


def report_for(user, name: str) -> Report:
    """Return the named report if this user may run it, else raise Http404."""
    report = REPORTS.get(name)
    if report is None or not report.allowed(user):
        raise Http404
    return report


def reports_for(user) -> list[Report]:
    """Return the reports this user may run, in the order they were registered."""
    return [report for report in REPORTS.values() if report.allowed(user)]
