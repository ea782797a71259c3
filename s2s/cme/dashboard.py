"""The LA's CME dashboard: its lists (counts), each a table, a chart and a CSV (issue 14).

Open signals by kind, by school and by the pupil's age; persistent and severe absence by
school and by year group; the returns received and outstanding by school. Every figure is
counted from what the policy lets the user see (`selectors.signal_list`,
`returns.return_list`). The CSV of a list holds the same rows as its table; downloading one
is audited.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.audit.services import audit_record, english_words
from s2s.cme import returns, selectors
from s2s.cme.signals import Kind
from s2s.core.charts import Chart
from s2s.ctf.words import Text

ABSENCE_KINDS = (Kind.PERSISTENT_ABSENCE, Kind.SEVERE_ABSENCE)


# Each list's title (the audit names a downloaded list by it).
TITLES = {
    "kinds": gettext_noop("Open signals by kind"),
    "schools": gettext_noop("Open signals by school"),
    "ages": gettext_noop("Open signals by the pupil's age"),
    "absence-schools": gettext_noop("Persistent and severe absence by school"),
    "absence-years": gettext_noop("Persistent and severe absence by year group"),
    "returns": gettext_noop("Returns outstanding and received by school"),
}


@dataclass
class Table:
    """One list of the dashboard: its rows (first cell the label) and its chart's figure."""

    slug: str
    title: str
    header: list[str]
    rows: list[list]
    chart_column: int = 1  # the column the chart draws

    @property
    def chart(self) -> Chart | None:
        """Return the list's bar chart (None when it is empty)."""
        if not self.rows:
            return None
        return Chart(title=self.title, x_label=self.header[0],
                     y_label=self.header[self.chart_column],
                     bars=[(str(row[0]), row[self.chart_column]) for row in self.rows])


def age_on(dob: date | None, today: date) -> int | None:
    """Return the age in whole years on `today`."""
    if dob is None:
        return None
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _school(row: dict) -> str:
    return f"{row['establishment__code']} {row['establishment__name']}"


def _kinds(user, today) -> Table:
    counts = dict(selectors.signal_list(user=user, status="open").values_list("kind")
                  .annotate(n=Count("pk")).order_by())
    return Table("kinds", _(TITLES["kinds"]), [_("Signal"), _("Open")],
                 [[label, counts.get(value, 0)] for value, label in Kind.choices])


def _schools(user, today) -> Table:
    rows = (selectors.signal_list(user=user, status="open")
            .values("establishment__code", "establishment__name")
            .annotate(n=Count("pk")).order_by("establishment__code"))
    return Table("schools", _(TITLES["schools"]), [_("School"), _("Open")],
                 [[_school(row), row["n"]] for row in rows])


def _ages(user, today) -> Table:
    ages = Counter(age_on(dob, today) for dob in selectors.signal_list(
        user=user, status="open").values_list("dob", flat=True))
    known = sorted(age for age in ages if age is not None)
    rows = [[str(age), ages[age]] for age in known]
    if ages[None]:
        rows.append([_("Not known"), ages[None]])
    return Table("ages", _(TITLES["ages"]), [_("Age"), _("Open")], rows)


def _absence(user, group: str) -> dict:
    absence = selectors.signal_list(user=user, status="open").filter(kind__in=ABSENCE_KINDS)
    return absence.values(*group).annotate(
        persistent=Count("pk", filter=Q(kind=Kind.PERSISTENT_ABSENCE)),
        severe=Count("pk", filter=Q(kind=Kind.SEVERE_ABSENCE))).order_by(*group)


def _absence_schools(user, today) -> Table:
    rows = _absence(user, ("establishment__code", "establishment__name"))
    return Table("absence-schools", _(TITLES["absence-schools"]),
                 [_("School"), _("Persistent (10% or more)"), _("Severe (50% or more)")],
                 [[_school(row), row["persistent"], row["severe"]] for row in rows])


def _absence_years(user, today) -> Table:
    rows = _absence(user, ("pupil__nc_year",))
    return Table("absence-years", _(TITLES["absence-years"]),
                 [_("Year group"), _("Persistent (10% or more)"), _("Severe (50% or more)")],
                 [[row["pupil__nc_year"] or _("Not known"), row["persistent"], row["severe"]]
                  for row in rows])


def _returns(user, today) -> Table:
    rows = (returns.return_list(user=user).values("establishment__code", "establishment__name")
            .annotate(outstanding=Count("pk", filter=Q(received_at__isnull=True)),
                      overdue=Count("pk", filter=Q(received_at__isnull=True, due_on__lt=today)),
                      received=Count("pk", filter=Q(received_at__isnull=False)))
            .order_by("establishment__code"))
    return Table("returns", _(TITLES["returns"]),
                 [_("School"), _("Outstanding"), _("Overdue"), _("Received")],
                 [[_school(row), row["outstanding"], row["overdue"], row["received"]]
                  for row in rows])


TABLES = {"kinds": _kinds, "schools": _schools, "ages": _ages,
          "absence-schools": _absence_schools, "absence-years": _absence_years,
          "returns": _returns}


def dashboard_tables(*, user, today: date | None = None) -> list[Table]:
    """Return every list of the dashboard, as the user may see it."""
    today = today or timezone.localdate()
    return [build(user, today) for build in TABLES.values()]


def dashboard_table(*, user, slug: str, today: date | None = None) -> Table:
    """Return one list by its name; an unknown name is 404."""
    if slug not in TABLES:
        raise Http404
    return TABLES[slug](user, today or timezone.localdate())


def signal_rows(signals) -> tuple[list[str], list[list]]:
    """Return the header and rows of a list of signals (pupil data: its download is audited)."""
    header = [_("Surname"), _("Forename"), _("UPN"), _("Date of birth"), _("School"),
              _("Signal"), _("First day"), _("Met on"), _("School days")]
    return header, [[s.surname, s.forename, s.upn, s.dob, s.establishment.code,
                     s.get_kind_display(), s.first_day, s.fired_on, s.school_days]
                    for s in signals]


def dashboard_downloaded(*, user, slug: str, filters: dict, signals: list | None = None,
                         request=None) -> None:
    """Audit a download of one of the dashboard's lists (with the signals it named, if any)."""
    detail = {"list": slug, "filters": filters}
    if signals is not None:
        detail["signals"] = [signal.pk for signal in signals]
    audit_record(action="cme_csv_download", actor=user, request=request,
                 summary=_list_words(slug, filters), detail=detail)


def _list_words(slug: str, filters: dict) -> Text:
    """Return which list was downloaded, by its title, as audit words."""
    if slug == "signals":
        return Text(gettext_noop("CME list downloaded: open signals, %(kind)s"),
                    kind=english_words(Kind(filters["kind"]).label))
    return Text(gettext_noop("CME list downloaded: %(list)s"), list=Text(TITLES[slug]))
