"""The emails to an LA's CME officers: a case's child turned up on a roll; cases overdue.

A child turns up on a school's roll; a case's state outlasts its timer (`cases.case_timers`).

Case numbers and links only: no name, UPN, date of birth or school (STYLE: no pupil data in
any email); the case page says the rest to those signed in.
"""

from django.conf import settings
from django.urls import reverse

from s2s.accounts.models import User
from s2s.accounts.roles import Role
from s2s.core.outbox import email_queue_templated


def cme_officers(*, la) -> list[str]:
    """Return the addresses of the LA's active CME officers."""
    return list(User.objects.filter(la=la, role=Role.LA_CME, is_active=True)
                .values_list("email", flat=True))


def send_case_turned_up(*, la, case_ids: list[int]) -> int:
    """Tell the LA's CME officers which of their cases' children are now on a roll."""
    links = [{"id": pk, "link": settings.SITE_URL + reverse("cme:case", kwargs={"pk": pk})}
             for pk in sorted(case_ids)]
    return email_queue_templated(name="cme-case-turned-up", to=cme_officers(la=la),
                                 context={"cases": links, "count": len(links)})


def send_cases_overdue(*, to: list[str], cases: list[tuple[int, object]]) -> int:
    """Remind officers that these cases (id, due by) are overdue: numbers and links only."""
    links = [{"id": pk, "due_by": due_by,
              "link": settings.SITE_URL + reverse("cme:case", kwargs={"pk": pk})}
             for pk, due_by in sorted(cases)]
    return email_queue_templated(name="cme-case-overdue", to=to,
                                 context={"cases": links, "count": len(links)})
