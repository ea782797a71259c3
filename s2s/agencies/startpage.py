"""What Operation Encompass puts on the start page: notifications to read, or escalated.

A school sees those it has not read yet; its LA those escalated and still unread. Shown only
when there are some.
"""

from django.urls import reverse
from django.utils.translation import ngettext

from s2s.accounts.policy import Action, can
from s2s.agencies.encompass import encompass_list


def unread_notifications(request) -> list[dict]:
    """Return the notifications waiting to be read by the school, or escalated for its LA."""
    user = request.user
    unread = encompass_list(user=user).filter(read_at__isnull=True)
    if can(user, Action.READ_ENCOMPASS):
        count = unread.order_by().count()
        text = ngettext("%(count)s safeguarding notification to read now",
                        "%(count)s safeguarding notifications to read now", count)
    elif can(user, Action.FOLLOW_ENCOMPASS):
        count = unread.filter(escalated_at__isnull=False).order_by().count()
        text = ngettext("%(count)s safeguarding notification unread by a school",
                        "%(count)s safeguarding notifications unread by a school", count)
    else:
        return []
    if not count:
        return []
    return [{"count": count, "text": text % {"count": count},
             "url": reverse("agencies:encompass-list"), "hint": None}]
