"""The lost pupil reports of seed 003, 7.4 (numbers) and 7.5 (details), in the report registry.

Registered from `LostPupilsConfig.ready()`, so they sit with the other reports (date range,
the LA from the policy, CSV beside the page). An LA sees its own; the service any LA or all.
"""

from collections import Counter
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from s2s.audit.services import audit_record
from s2s.ctf.words import Text
from s2s.lostpupils.models import LostPupilKind, LostPupilRecord, RecordStatus
from s2s.reports.registry import Column, Params, Report, register

UNKNOWN = "unknown"
SEXES = {"M": "male", "F": "female"}


def age_on(dob: date | None, day: date) -> int | None:
    """Return the age in whole years on `day`, or None without a date of birth."""
    if dob is None:
        return None
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _in_range(params: Params, field: str) -> dict:
    lookup = {f"{field}__lt": params.end}
    if params.start is not None:
        lookup[f"{field}__gte"] = params.start
    return lookup


def _records(params: Params, field: str, la_field: str):
    records = LostPupilRecord.objects.filter(**_in_range(params, field))
    if params.la is not None:
        records = records.filter(**{la_field: params.la})
    return records.order_by()


def _counts(records, field: str) -> Counter:
    """Count records by (age on the event's date, sex)."""
    counts: Counter = Counter()
    for dob, sex, when in records.values_list("dob", "sex", field).iterator():
        age = age_on(dob, timezone.localtime(when).date())
        counts[(UNKNOWN if age is None else age, SEXES.get(sex, "other"))] += 1
    return counts


@register
class LostPupilNumbersReport(Report):
    name = "lost-pupil-numbers"
    title = _("Lost pupil numbers")
    description = _("Lost Pupil Database files uploaded by your LA's schools, and files your "
                    "LA downloaded or forwarded for its schools, by the pupil's age on that "
                    "day and sex.")
    note = _("Records removed or purged no longer hold a date of birth: they count under "
             "\"unknown\" age.")
    columns = (
        Column("age", _("Age")),
        Column("uploaded_male", _("Uploaded: male"), True),
        Column("uploaded_female", _("Uploaded: female"), True),
        Column("uploaded_other", _("Uploaded: other or not given"), True),
        Column("downloaded_male", _("Downloaded: male"), True),
        Column("downloaded_female", _("Downloaded: female"), True),
        Column("downloaded_other", _("Downloaded: other or not given"), True),
    )

    def rows(self, params):
        uploaded = _counts(_records(params, "uploaded_at", "uploading_la"), "uploaded_at")
        downloaded = _counts(_records(params, "downloaded_at", "downloaded_la")
                             .filter(downloaded_at__isnull=False), "downloaded_at")
        ages = {age for age, _sex in uploaded | downloaded}
        ordered = sorted(a for a in ages if a != UNKNOWN) + ([UNKNOWN] if UNKNOWN in ages
                                                             else [])
        for age in ordered:
            row = {"age": str(_("unknown")) if age == UNKNOWN else age}
            for sex in ("male", "female", "other"):
                row[f"uploaded_{sex}"] = uploaded[(age, sex)]
                row[f"downloaded_{sex}"] = downloaded[(age, sex)]
            yield row


WHICH = {
    "missing": _("Missing pupils (XXXXXXX)"),
    "left": _("Pupils leaving the maintained sector (MMMMMMM)"),
    "both": _("Both"),
    "downloaded": _("Pupils now downloaded"),
}


@register
class LostPupilDetailsReport(Report):
    name = "lost-pupil-details"
    title = _("Lost pupil details")
    description = _("Each pupil record your LA's schools uploaded to the Lost Pupil Database: "
                    "missing pupils, pupils leaving the maintained sector, both, or those now "
                    "downloaded by an LA. Your viewing is recorded.")
    columns = (
        Column("school", _("School")), Column("school_name", _("Name")),
        Column("file", _("File")), Column("kind", _("Sent to")),
        Column("uploaded", _("Uploaded")), Column("upn", _("UPN")),
        Column("surname", _("Surname")), Column("forename", _("Forename")),
        Column("dob", _("Date of birth")), Column("sex", _("Sex")),
        Column("status", _("Status")), Column("downloaded", _("Downloaded")),
        Column("downloaded_by", _("Downloaded by LA")),
        Column("second_file_of", _("Second file of")),
    )

    def extra_fields(self, user):
        fields = super().extra_fields(user)
        fields["which"] = forms.ChoiceField(label=_("Pupils"), required=False,
                                            choices=list(WHICH.items()), initial="both")
        return fields

    def _records(self, params):
        which = params.extra.get("which") or "both"
        if which == "downloaded":
            records = _records(params, "downloaded_at", "uploading_la").filter(
                status=RecordStatus.DOWNLOADED)
        else:
            records = _records(params, "uploaded_at", "uploading_la")
        kinds = {"missing": [LostPupilKind.MISSING], "left": [LostPupilKind.LEFT_SECTOR]}
        if which in kinds:
            records = records.filter(kind__in=kinds[which])
        return records.select_related("uploading_school", "transfer", "downloaded_la",
                                      "same_pupil_as__transfer").order_by("uploaded_at", "pk")

    def rows(self, params):
        records = list(self._records(params))
        audit_record(action="lpd_report_details", actor=params.user,
                     summary=Text(gettext_noop("%(count)s records"), count=len(records)),
                     detail={"query": params.query(), "records": [r.pk for r in records]})
        for record in records:
            school = record.uploading_school
            yield {
                "school": school.code if school else "", "school_name": school.name if school
                else "", "file": record.transfer.name, "kind": record.kind,
                "uploaded": record.uploaded_at.date().isoformat(), "upn": record.upn,
                "surname": record.surname, "forename": record.forename,
                "dob": record.dob.isoformat() if record.dob else "", "sex": record.sex,
                "status": record.get_status_display(),
                "downloaded": record.downloaded_at.date().isoformat()
                if record.downloaded_at else "",
                "downloaded_by": record.downloaded_la.number if record.downloaded_la else "",
                "second_file_of": record.same_pupil_as.transfer.name if record.same_pupil_as
                else "",
            }
