"""The LA reports of seed 003, section 7: usage (7.1), school (7.2), cluster (7.3), movement (7.6).

Each counts files uploaded in the date range, in their state today. An LA user sees its own
LA's schools; the cluster report gives LA-to-LA counts only, never a school's figures.
"""

import re

from django import forms
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from s2s.core.charts import Chart
from s2s.directory.models import Establishment, LocalAuthority, Nation
from s2s.reports.queries import (
    DELIVERED_KINDS,
    DOWNLOADED,
    by_day_windows,
    destination_la,
    fill_weeks,
    source_la,
    status_counts,
    transfers,
    week_beginning,
    week_chart,
    weekly,
)
from s2s.reports.registry import Column, Report, register
from s2s.reports.rollup import uploads_counted
from s2s.transfers.models import TransferStatus

CTF = "CTF"
MAX_OTHER_LAS = 9
SCHOOLS_AT_A_TIME = 600  # schools counted in one go: a little over a page (500 rows)


def _schools(params):
    """Return the schools a run covers: the one asked for, or the LA's (every LA's)."""
    if params.school is not None:
        return Establishment.objects.filter(pk=params.school.pk)
    schools = Establishment.objects.all()
    return schools.filter(la=params.la) if params.la is not None else schools


def _at_schools(params, side: str) -> dict:
    """Return the lookup for files whose `side` ("source", "destination") is a run's school.

    Every school is every file with a school at that end (the foreign key makes it one).
    """
    if params.school is None and params.la is None:
        return {f"{side}_establishment__isnull": False}
    return {f"{side}_establishment__in": _schools(params).values("pk")}


@register
class UsageReport(Report):
    name = "usage"
    title = _("General usage and volume")
    description = _("For your LA's schools, one or all: the CTFs each uploaded, and those sent "
                    "to it that were downloaded, are waiting to be downloaded or were "
                    "rejected, with the pupil records they held.")
    has_school = True
    columns = (
        Column("school", _("School")), Column("school_name", _("Name")),
        Column("uploaded", _("CTFs uploaded"), True),
        Column("pupils_uploaded", _("Pupils in CTFs uploaded"), True),
        Column("received", _("CTFs received"), True),
        Column("downloaded", _("Downloaded"), True),
        Column("awaiting", _("Waiting to be downloaded"), True),
        Column("rejected", _("Rejected"), True),
        Column("pupils_received", _("Pupils in CTFs received"), True),
    )

    def rows(self, params):
        schools = list(_schools(params).order_by("code").values("pk", "code", "name"))
        for at in range(0, len(schools), SCHOOLS_AT_A_TIME):  # the first rows come first
            yield from self._rows(params, schools[at:at + SCHOOLS_AT_A_TIME])

    def _rows(self, params, schools: list[dict]):
        ids = [school["pk"] for school in schools]
        ctfs = transfers(params, file_type=CTF)
        sent = {
            r["source_establishment_id"]: r for r in
            ctfs.filter(source_establishment__in=ids)
            .values("source_establishment_id").annotate(**status_counts())
        }
        received = {
            r["destination_establishment_id"]: r for r in
            ctfs.filter(destination_establishment__in=ids)
            .values("destination_establishment_id")
            .annotate(**status_counts(), downloaded=Count("id", filter=DOWNLOADED))
        }
        for school in schools:
            out, into = sent.get(school["pk"], {}), received.get(school["pk"], {})
            yield {
                "school": school["code"], "school_name": school["name"],
                "uploaded": out.get("files", 0), "pupils_uploaded": out.get("pupils", 0),
                "received": into.get("files", 0), "downloaded": into.get("downloaded", 0),
                "awaiting": into.get("awaiting", 0), "rejected": into.get("rejected", 0),
                "pupils_received": into.get("pupils", 0),
            }

    def charts(self, params):
        if params.school is None and params.la is None:  # every school: from the counts
            days = uploads_counted(params, ("day",), file_type=CTF, from_school=True)
            counts: dict = {}
            for (day,), count in days.items():
                week = week_beginning(day)
                counts[week] = counts.get(week, 0) + count["files"]
            weeks = fill_weeks(counts)
        else:
            weeks = weekly(transfers(params, file_type=CTF, **_at_schools(params, "source")))
        return [week_chart(weeks, _("CTFs uploaded per week"))]


@register
class SchoolReport(Report):
    name = "school"
    title = _("School report")
    description = _("For each school, by date: the CTFs it sent (with their destinations) and "
                    "received, and how many are still waiting to be downloaded.")
    has_school = True
    columns = (
        Column("date", _("Date")), Column("school", _("School")),
        Column("school_name", _("Name")), Column("direction", _("Sent or received")),
        Column("other", _("To or from")), Column("files", _("CTFs"), True),
        Column("pupils", _("Pupils"), True),
        Column("awaiting", _("Waiting to be downloaded"), True),
    )

    def _side(self, params, side: str, other: str, direction: str, start, end):
        return (
            transfers(params, file_type=CTF, **_at_schools(params, side))
            .filter(uploaded_at__gte=start, uploaded_at__lt=end)
            .annotate(date=TruncDate("uploaded_at", tzinfo=timezone.get_current_timezone()),
                      school=F(f"{side}_establishment__code"),
                      school_name=F(f"{side}_establishment__name"),
                      direction=Value(direction), other=F(other))
            .values("date", "school", "school_name", "direction", "other")
            .annotate(**{k: v for k, v in status_counts().items()
                         if k in ("files", "pupils", "awaiting")})
        )

    def _rows_in(self, params, start, end):
        sent = self._side(params, "source", "destination_code", "sent", start, end)
        received = self._side(params, "destination", "source_code", "received", start, end)
        both = sent.union(received, all=True).order_by("date", "school", "direction", "other")
        return both.iterator(chunk_size=self.chunk_size)

    def rows(self, params):
        # Ordered by day first, so a few days at a time: the page's rows come at once.
        return by_day_windows(params, transfers(params, file_type=CTF),
                              lambda start, end: self._rows_in(params, start, end))


def _la_numbers(text: str) -> list[str]:
    return [n for n in re.split(r"[\s,]+", text or "") if n]


class ClusterLAsField(forms.CharField):
    """LA numbers separated by commas or spaces: each must be a known LA."""

    def clean(self, value):
        numbers = _la_numbers(super().clean(value))
        if len(numbers) > self.max_las:
            raise forms.ValidationError(
                _("Choose up to %(max)s other LAs."), params={"max": self.max_las})
        known = set(LocalAuthority.objects.filter(number__in=numbers)
                    .values_list("number", flat=True))
        unknown = [n for n in numbers if n not in known]
        if unknown:
            raise forms.ValidationError(_("There is no LA numbered %(numbers)s."),
                                        params={"numbers": ", ".join(unknown)})
        return " ".join(numbers)


def _end_in(side: str, la_ids) -> Q:
    """Return the filter for files whose `side` end ("source", "destination") is in the LAs.

    A school's files by the schools' ids and a mailbox's by its LA, so each uses its index.
    """
    schools = list(Establishment.objects.filter(la__in=la_ids).values_list("pk", flat=True))
    return Q(**{f"{side}_establishment__in": schools}) | Q(
        **{f"{side}_establishment__isnull": True, f"{side}_la__in": list(la_ids)})


def _growing(items: list, most: int = 32):
    """Yield the items in batches of 1, 2, 4 ... up to `most`: the first batch comes quickly."""
    size, at = 1, 0
    while at < len(items):
        yield items[at:at + size]
        at += size
        size = min(size * 2, most)


@register
class ClusterReport(Report):
    name = "cluster"
    title = _("LA cluster report")
    description = _("CTFs between LAs: your LA and up to 9 others, or a whole nation, counted "
                    "from LA to LA. A nation's report is a CSV file: it is too large for the "
                    "screen.")
    per_la = False
    columns = (
        Column("from_la", _("From LA")), Column("from_name", _("From")),
        Column("to_la", _("To LA")), Column("to_name", _("To")),
        Column("files", _("CTFs"), True), Column("pupils", _("Pupils"), True),
        Column("awaiting", _("Waiting to be downloaded"), True),
        Column("collected", _("Collected"), True), Column("rejected", _("Rejected"), True),
    )

    def extra_fields(self, user):
        las = ClusterLAsField(
            label=_("Other LAs") if user.la_id else _("LAs"), required=False,
            help_text=_("Up to %(max)s LA numbers, separated by commas, for example 681, 835")
            % {"max": MAX_OTHER_LAS if user.la_id else MAX_OTHER_LAS + 1})
        las.max_las = MAX_OTHER_LAS if user.la_id else MAX_OTHER_LAS + 1
        nation = forms.ChoiceField(
            label=_("Or a whole nation (CSV)"), required=False,
            choices=[("", _("No, the LAs above")), *Nation.choices])
        return {"las": las, "nation": nation}

    def on_screen(self, params):
        return not params.extra.get("nation")

    def rows(self, params):
        if self.on_screen(params):  # at most 10 x 10 pairs, read once for the page and chart
            return params.cached(self.name, lambda: list(self._rows(params)))
        return self._rows(params)

    def _rows(self, params):
        names = dict(LocalAuthority.objects.values_list("number", "name"))
        for files in self._queries(params):
            grouped = (files.annotate(from_la=source_la("number"), to_la=destination_la("number"))
                       .values("from_la", "to_la").annotate(**status_counts())
                       .order_by("from_la", "to_la"))
            for row in grouped.iterator(chunk_size=self.chunk_size):
                yield {**row, "from_name": names[row["from_la"]], "to_name": names[row["to_la"]]}

    def _queries(self, params):
        """Yield the files to count, in order of sending LA; each end found by its index."""
        files = transfers(params, file_type=CTF, destination_kind__in=DELIVERED_KINDS)
        nation = params.extra.get("nation")
        if not nation:
            numbers = _la_numbers(params.extra.get("las", ""))
            ids = set(LocalAuthority.objects.filter(number__in=numbers)
                      .values_list("pk", flat=True))
            ids |= {params.user.la_id} if params.user.la_id else set()
            yield files.filter(_end_in("source", ids), _end_in("destination", ids))
            return
        # A nation: a few sending LAs at a time, so the first rows come at once.
        to_nation = (Q(destination_establishment__la__nation=nation)
                     | Q(destination_establishment__isnull=True, destination_la__nation=nation))
        las = list(LocalAuthority.objects.order_by("number").values_list("pk", "nation"))
        for batch in _growing(las):
            inside = [pk for pk, la_nation in batch if la_nation == nation]
            outside = [pk for pk, la_nation in batch if la_nation != nation]
            yield files.filter(_end_in("source", inside)
                               | (_end_in("source", outside) & to_nation))

    def charts(self, params):
        if not self.on_screen(params):
            return []
        pairs = sorted(self.rows(params), key=lambda r: -r["files"])[:20]
        return [Chart(title=str(_("CTFs between LAs (the 20 largest flows)")),
                      x_label=str(_("From LA → to LA")), y_label=str(_("CTFs")),
                      bars=[(f"{r['from_la']} → {r['to_la']}", r["files"]) for r in pairs])]


@register
class MovementReport(Report):
    name = "movement"
    title = _("Generic and other file movement")
    description = _("Generic zips, census and other files (everything but CTFs) sent by or to "
                    "your LA's schools and mailboxes, with their upload and download dates.")
    has_school = True
    columns = (
        Column("uploaded_at", _("Uploaded")), Column("name", _("File")),
        Column("file_type", _("Type")), Column("source", _("From")),
        Column("destination", _("To")), Column("status", _("Status")),
        Column("first_downloaded_at", _("First downloaded")),
        Column("last_downloaded_at", _("Last downloaded")),
    )

    def extra_fields(self, user):
        from s2s.ctf.names import FILE_TYPES

        kinds = [(code, _(kind.title.template)) for code, kind in FILE_TYPES.items()
                 if code != CTF]
        return {**super().extra_fields(user), "file_type": forms.ChoiceField(
            label=_("Type of file"), required=False, choices=[("", _("Any")), *kinds])}

    def _places(self, params) -> Q:
        # The schools' ids, not a subquery: each branch of the OR can then use its index.
        if params.school is None and params.la is None:
            return Q(source_establishment__isnull=False) | Q(
                destination_establishment__isnull=False)
        ids = list(_schools(params).values_list("pk", flat=True))
        places = Q(source_establishment__in=ids) | Q(destination_establishment__in=ids)
        if params.school is None:
            places |= Q(source_la=params.la) | Q(destination_la=params.la)
        return places

    def rows(self, params):
        files = transfers(params).exclude(file_type=CTF).filter(self._places(params))
        if params.extra.get("file_type"):
            files = files.filter(file_type=params.extra["file_type"])
        # In order of upload, so a few days at a time: the first rows come at once (a
        # single query's cursor outside a transaction is held, so read to the end first).
        return by_day_windows(params, files, lambda start, end: self._rows_in(
            files.filter(uploaded_at__gte=start, uploaded_at__lt=end)))

    def _rows_in(self, files):
        files = files.annotate(
            source=F("source_code"),
            destination=Coalesce("destination_establishment__code", "destination_code"),
        ).values(*[c.key for c in self.columns]).order_by("uploaded_at", "id")
        for row in files.iterator(chunk_size=self.chunk_size):
            for key in ("uploaded_at", "first_downloaded_at", "last_downloaded_at"):
                row[key] = timezone.localtime(row[key]) if row[key] else None
            row["status"] = TransferStatus(row["status"]).label
            yield row
