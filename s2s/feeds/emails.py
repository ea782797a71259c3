"""The email to a school's data contact about a feed's report: counts and a link, no pupil data.

The data contact is the establishment's email and its active school users (issue 13).
"""

from django.conf import settings
from django.urls import reverse
from django.utils.functional import lazy

from s2s.accounts.models import User
from s2s.accounts.roles import Role
from s2s.core.outbox import email_queue_templated
from s2s.feeds.models import Feed


def data_contacts(*, establishment) -> list[str]:
    """Return the addresses told about the school's feeds."""
    users = User.objects.filter(establishment=establishment, role=Role.SCHOOL, is_active=True)
    return [establishment.email, *users.values_list("email", flat=True)]


def send_feed_report(*, feed: Feed) -> int:
    """Tell the school that a feed had errors or warnings: kind, counts and a link only."""
    school = feed.establishment
    to = data_contacts(establishment=school)
    return email_queue_templated(name="feed-report", to=to, context={
        # Lazy: worded in each recipient's language when the email is rendered.
        "school": f"{school.code} {school.name}", "kind": lazy(feed.get_kind_display, str)(),
        "status": lazy(feed.get_status_display, str)(), "received_at": feed.received_at,
        "received": feed.received, "changed": feed.changed, "quarantined": feed.quarantined,
        "errors": feed.error_count, "warnings": feed.warning_count,
        "link": settings.SITE_URL + reverse("feeds:report", kwargs={"pk": feed.pk}),
    })
