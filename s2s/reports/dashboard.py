"""The LA start panel: what a data officer looks at every morning (issue 7).

Files waiting for the LA's schools by age, the schools that collect slowly, files rejected
this week, and lost-pupil uploads by its schools. Shown on the start page to the LA roles
that may run reports, for their own LA only.
"""

from datetime import datetime, timedelta

from django.db.models import Count, F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from s2s.accounts.policy import Action, has_capability
from s2s.core.days import midnight
from s2s.reports.queries import age_chart, awaiting_by_age, week_beginning
from s2s.transfers.models import LOST_PUPIL_KINDS, DestinationKind, Transfer, TransferStatus

SLOW_AFTER_DAYS = 7  # a file waiting longer than this marks its school as collecting slowly
SLOW_SCHOOLS = 10


def _week_start() -> datetime:
    return midnight(week_beginning(timezone.localdate()))


def _slow_schools(waiting) -> list[dict]:
    """Return the schools with files waiting over SLOW_AFTER_DAYS, most such files first."""
    old = timezone.now() - timedelta(days=SLOW_AFTER_DAYS)
    return list(
        waiting.filter(uploaded_at__lt=old)
        .values(code=F("destination_establishment__code"),
                school_name=F("destination_establishment__name"))
        .annotate(files=Count("id"), oldest=Min("uploaded_at"))
        .order_by("-files", "oldest")[:SLOW_SCHOOLS]
    )


def la_dashboard(la) -> dict:
    """Return the panel's figures for one LA."""
    schools = Q(destination_establishment__la=la)
    waiting = Transfer.objects.filter(schools, status=TransferStatus.AWAITING).order_by()
    bands = awaiting_by_age(waiting)
    week = Transfer.objects.filter(status=TransferStatus.REJECTED, rejected_at__gte=_week_start())
    lost = Transfer.objects.filter(source_establishment__la=la,
                                   destination_kind__in=LOST_PUPIL_KINDS).order_by()
    month = timezone.now() - timedelta(days=30)
    return {
        "bands": bands, "waiting": sum(band["files"] for band in bands),
        "chart": age_chart(bands, _("Files waiting for your schools, by age")),
        "slow_schools": _slow_schools(waiting), "slow_after": SLOW_AFTER_DAYS,
        "rejected_by_schools": week.filter(schools).count(),
        "rejected_from_schools": week.filter(source_establishment__la=la).count(),
        "lost": lost.filter(uploaded_at__gte=month).aggregate(
            unknown=Count("id", filter=Q(
                destination_kind=DestinationKind.LOST_DESTINATION_UNKNOWN)),
            left=Count("id", filter=Q(
                destination_kind=DestinationKind.LOST_LEFT_MAINTAINED_SECTOR)),
            this_week=Count("id", filter=Q(uploaded_at__gte=_week_start()))),
    }


def la_start_panel(request) -> dict | None:
    """Return the LA panel for the start page, or None for anyone it is not for."""
    user = request.user
    if not has_capability(user, Action.REPORTS) or not user.la_id:
        return None
    return {"template": "reports/la_panel.html", **la_dashboard(user.la)}
