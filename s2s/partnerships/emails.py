"""Partnership emails: review reminders and same-day absence alerts; counts and links only.

No pupil data in any email: the absence alert says how many pupils and which partner, and
links to the partnership's pupils page.
"""

from django.conf import settings
from django.urls import reverse

from s2s.accounts.models import User
from s2s.accounts.roles import Role
from s2s.core.outbox import email_queue_templated
from s2s.partnerships.models import Membership, Partnership


def _school_users(establishment_ids) -> list[str]:
    return list(User.objects.filter(establishment_id__in=list(establishment_ids),
                                    role=Role.SCHOOL, is_active=True)
                .values_list("email", flat=True))


def _link(partnership_id: int) -> str:
    return settings.SITE_URL + reverse("partnerships:detail", kwargs={"pk": partnership_id})


def send_review_reminder(*, partnership_id: int, days: int) -> int:
    """Tell each member's school users that the agreement's review date is `days` away."""
    partnership = Partnership.objects.select_related("agreement").get(pk=partnership_id)
    members = Membership.objects.filter(partnership=partnership).values_list(
        "establishment_id", flat=True)
    return email_queue_templated(name="partnership-review", to=_school_users(members), context={
        "name": partnership.name, "days": days,
        "review_date": partnership.agreement.review_date, "link": _link(partnership_id),
    })


def send_absence_alert(*, partnership_id: int, main_id: int, partner: str, pupils: int) -> int:
    """Tell the main institution's users that pupils were absent without authorisation."""
    partnership = Partnership.objects.get(pk=partnership_id)
    return email_queue_templated(name="partnership-absence", to=_school_users([main_id]),
                                 context={"name": partnership.name, "partner": partner,
                                          "pupils": pupils, "link": _link(partnership_id)})
