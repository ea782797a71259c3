"""`s2s cme_cases overdue|remind`: open and overdue CME cases; reminders to their officers.

`overdue [--la NUMBER]` prints each LA's open cases and which are overdue; `remind` (the
daily job) emails each newly overdue case's officer, once per overdue state.
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.cme.cases import case_timers, cases_remind_overdue
from s2s.cme.models import Case, CaseState
from s2s.core.commands import LanguageCommand
from s2s.directory.models import LocalAuthority


class Command(LanguageCommand):
    help = gettext_lazy("Print each LA's open children-missing-education cases and the numbers of "
                        "those overdue (timers: S2S_CME_CASE_*_DAYS school days). Case numbers "
                        "only, no pupil data.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        overdue = sub.add_parser("overdue", help=gettext_lazy("open and overdue cases by LA"))
        overdue.add_argument("--la", metavar="NUMBER", help=gettext_lazy("one LA's 3-digit number"))
        sub.add_parser("remind",
                       help=gettext_lazy("email the officers of cases newly overdue (once each)"))

    def handle(self, *args, action, la=None, **options):
        if action == "remind":
            cases, emails = cases_remind_overdue()
            self.stdout.write(f"{cases} overdue cases reminded in {emails} emails")
            return
        cases = Case.objects.exclude(state=CaseState.CLOSED).select_related("la")
        if la:
            if not LocalAuthority.objects.filter(number=la).exists():
                raise CommandError(_("%(la)s: no such LA") % {"la": la})
            cases = cases.filter(la__number=la)
        cases = list(cases.order_by("la__number", "pk"))
        timers = case_timers(cases)
        by_la: dict[str, list[Case]] = {}
        for case in cases:
            by_la.setdefault(case.la.number, []).append(case)
        for number, held in by_la.items():
            late = [case.pk for case in held if timers[case.pk].overdue]
            values = {"la": number, "open": len(held), "overdue": len(late),
                      "cases": ", ".join(map(str, late))}
            line = (_("%(la)s: %(open)d open, %(overdue)d overdue: %(cases)s") if late
                    else _("%(la)s: %(open)d open, %(overdue)d overdue"))
            self.stdout.write(line % values)
        if not by_la:
            self.stdout.write(_("No open cases."))
