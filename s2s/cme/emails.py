"""The CME emails: a joiner with no CTF, to the school and its LA's lost-pupil officers.

No pupil data: the school, how many possible files the hub found and where, and a link to
the signal's page, which shows the rest to those who may see it.
"""

from django.conf import settings
from django.urls import reverse

from s2s.accounts.models import User
from s2s.accounts.roles import Role
from s2s.cme.models import Signal
from s2s.core.outbox import email_queue_templated
from s2s.feeds.emails import data_contacts

LOST_PUPIL_ROLES = (Role.LA_LOST_PUPIL, Role.LA_LOST_PUPIL_TRANSFER)


def lost_pupil_officers(*, la) -> list[str]:
    """Return the addresses of the LA's active lost-pupil officers."""
    return list(User.objects.filter(la=la, role__in=LOST_PUPIL_ROLES, is_active=True)
                .values_list("email", flat=True))


def joiner_no_ctf(*, signal_id: int) -> int:
    """Tell the school and its LA's lost-pupil officers what the hub found for a joiner."""
    signal = Signal.objects.select_related("establishment__la").get(pk=signal_id)
    school = signal.establishment
    found = signal.detail.get("found", {})
    to = [*data_contacts(establishment=school), *lost_pupil_officers(la=school.la)]
    return email_queue_templated(name="cme-joiner-no-ctf", to=to, context={
        "school": f"{school.code} {school.name}", "days": signal.school_days,
        "lpd": len(found.get("lpd", [])), "inboxes": len(found.get("inboxes", [])),
        "link": settings.SITE_URL + reverse("cme:signal", kwargs={"pk": signal.pk}),
    })
