"""Who may reach the report pages: LA roles (their own LA) and the service; the service alone
runs the national service reports. Another LA's school as a parameter answers 404."""

from s2s.core.tests.matrix import Row
from s2s.reports.registry import REPORTS

LA_ROLES = frozenset({
    "la_dba", "la_dba_view", "la_user", "la_school", "la_lost_pupil", "la_lost_pupil_transfer",
    "la_census", "la_admissions", "la_cme",
})
REPORT_ROLES = LA_ROLES | {"admin"}
ADMIN = frozenset({"admin"})


def _named(name):
    return lambda world: {"name": name}


ROWS = [Row("reports:index", allowed=REPORT_ROLES)] + [
    Row(url_name, allowed=ADMIN if report.action == "reports.service" else REPORT_ROLES,
        kwargs=_named(name), label=name)
    for name, report in REPORTS.items()
    for url_name in ("reports:report", "reports:csv")
] + [
    Row("reports:report", kwargs=_named("no-such-report"), label="a report that does not exist"),
]
