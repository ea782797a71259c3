"""The service administrator's national reports: volumes, undelivered files, closed schools, hours.

Each counts files uploaded in the date range, across every LA, in their state today.
"""

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from s2s.accounts.policy import Action
from s2s.core.charts import Chart
from s2s.directory.models import EstablishmentStatus, LocalAuthority
from s2s.reports.queries import (
    DELIVERED_KINDS,
    age_chart,
    awaiting_by_age,
    fill_weeks,
    status_counts,
    transfers,
    week_beginning,
    week_chart,
)
from s2s.reports.registry import Column, Report, register
from s2s.reports.rollup import downloads_by_hour, la_counts, uploads_counted
from s2s.transfers.models import TransferStatus


class ServiceReport(Report):
    action = Action.SERVICE_REPORTS
    per_la = False


@register
class VolumesByWeek(ServiceReport):
    name = "volumes-week"
    title = _("Volumes by week")
    description = _("Files uploaded each week (weeks begin on Monday), by type of file.")
    columns = (
        Column("week", _("Week beginning")), Column("file_type", _("Type")),
        Column("files", _("Files"), True), Column("pupils", _("Pupils"), True),
    )

    def rows(self, params):
        return params.cached(self.name, lambda: list(self._rows(params)))

    def _rows(self, params):
        weeks: dict[tuple, dict] = {}
        for (day, file_type), count in uploads_counted(params, ("day", "file_type")).items():
            week = weeks.setdefault((week_beginning(day), file_type), {"files": 0, "pupils": 0})
            week["files"] += count["files"]
            week["pupils"] += count["pupils"]
        for (week, file_type), count in sorted(weeks.items()):
            yield {"week": week, "file_type": file_type, **count}

    def charts(self, params):
        # The rows' weeks, summed over the types: the files grouped once, not twice.
        counts: dict = {}
        for row in self.rows(params):
            counts[row["week"]] = counts.get(row["week"], 0) + row["files"]
        return [week_chart(fill_weeks(counts), _("Files uploaded per week"))]


@register
class VolumesByLA(ServiceReport):
    name = "volumes-la"
    title = _("Volumes by LA")
    description = _("Files sent and received by each LA's schools and mailboxes, by type of "
                    "file. Files to the Lost Pupil Database count as sent only.")
    columns = (
        Column("la", _("LA")), Column("la_name", _("Name")), Column("nation", _("Nation")),
        Column("file_type", _("Type")), Column("sent", _("Sent"), True),
        Column("pupils_sent", _("Pupils sent"), True), Column("received", _("Received"), True),
    )

    def rows(self, params):
        counts = la_counts(params)  # counted days from the counts, the newest live
        las = {la.pk: la for la in LocalAuthority.objects.all()}
        for (la_id, file_type), row in sorted(
                counts.items(), key=lambda item: (las[item[0][0]].number, item[0][1])):
            la = las[la_id]
            yield {"la": la.number, "la_name": la.name, "nation": la.get_nation_display(),
                   "file_type": file_type, "sent": row.get("sent", 0),
                   "pupils_sent": row.get("pupils_sent", 0),
                   "received": row.get("received", 0)}


@register
class VolumesByType(ServiceReport):
    name = "volumes-type"
    title = _("Volumes by type of file")
    description = _("Files uploaded of each type, with their state today.")
    columns = (
        Column("file_type", _("Type")), Column("files", _("Files"), True),
        Column("pupils", _("Pupils"), True),
        Column("awaiting", _("Waiting to be downloaded"), True),
        Column("collected", _("Collected"), True), Column("rejected", _("Rejected"), True),
        Column("deleted", _("Deleted"), True),
    )

    def rows(self, params):
        return (transfers(params).values("file_type")
                .annotate(**status_counts(),
                          deleted=Count("id", filter=Q(status=TransferStatus.DELETED)))
                .order_by("file_type"))


@register
class Undelivered(ServiceReport):
    name = "undelivered"
    title = _("Files undelivered, by age")
    description = _("Files waiting to be downloaded at a school or an LA mailbox, by how long "
                    "they have waited. Files in the Lost Pupil Database wait there by design and "
                    "are not counted.")
    columns = (
        Column("age", _("Waiting for")), Column("files", _("Files"), True),
        Column("pupils", _("Pupils"), True),
    )

    def rows(self, params):
        return params.cached(self.name, lambda: awaiting_by_age(
            transfers(params, destination_kind__in=DELIVERED_KINDS)))

    def charts(self, params):
        return [age_chart(self.rows(params), _("Files waiting to be downloaded, by age"))]


@register
class ClosedSchools(ServiceReport):
    name = "closed-schools"
    title = _("Files sent to closed schools")
    description = _("Files addressed to a closed school and delivered to its successor, and "
                    "files waiting to be downloaded at a school that has since closed.")
    note = _("An upload to a closed school with no successor is refused and not stored, so "
             "those refusals cannot be counted here.")
    columns = (
        Column("kind", _("What happened")), Column("school", _("Closed school")),
        Column("school_name", _("Name")), Column("closed_on", _("Closed on")),
        Column("delivered_to", _("Delivered to")), Column("files", _("Files"), True),
        Column("pupils", _("Pupils"), True), Column("last_upload", _("Last upload")),
    )

    def _grouped(self, files, school: str, delivered: str):
        return (files.values(school=F(f"{school}__code"), school_name=F(f"{school}__name"),
                             closed_on=F(f"{school}__closed_on"),
                             delivered_to=F(f"{delivered}__code"))
                .annotate(files=Count("id"), pupils=Coalesce(Sum("pupil_count"), 0),
                          last_upload=Max("uploaded_at"))
                .order_by("school", "delivered_to"))

    def rows(self, params):
        files = transfers(params)
        redirected = self._grouped(files.filter(redirected_from__isnull=False),
                                   "redirected_from", "destination_establishment")
        waiting = self._grouped(
            files.filter(status=TransferStatus.AWAITING, redirected_from__isnull=True,
                         destination_establishment__status=EstablishmentStatus.CLOSED),
            "destination_establishment", "destination_establishment")
        for kind, rows in ((_("Delivered to its successor"), redirected),
                           (_("Waiting to be downloaded at a closed school"), waiting)):
            for row in rows:
                yield {**row, "kind": str(kind),
                       "last_upload": timezone.localtime(row["last_upload"])}


@register
class BusiestHours(ServiceReport):
    name = "busiest-hours"
    title = _("Busiest hours")
    description = _("Uploads and first downloads in each hour of the day (UK time), over the "
                    "date range.")
    columns = (
        Column("hour", _("Hour")), Column("uploads", _("Uploads"), True),
        Column("pupils", _("Pupils uploaded"), True),
        Column("downloads", _("First downloads"), True),
    )

    def rows(self, params):
        return params.cached(self.name, lambda: self._rows(params))

    def _rows(self, params):
        # Uploads from the counts of closed days (today's live), first downloads likewise.
        uploads = uploads_counted(params, ("hour",))
        downloads = downloads_by_hour(params)
        return [{"hour": f"{hour:02d}:00",
                 "uploads": uploads.get((hour,), {}).get("files", 0),
                 "pupils": uploads.get((hour,), {}).get("pupils", 0),
                 "downloads": downloads[hour]} for hour in range(24)]

    def charts(self, params):
        return [Chart(title=str(_("Uploads by hour of the day")), x_label=str(_("Hour")),
                      y_label=str(_("Uploads")),
                      bars=[(r["hour"], r["uploads"]) for r in self.rows(params)])]


