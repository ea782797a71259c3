"""Who may reach the messaging pages, with messages, templates and groups in and out of scope.

Messages are personal: a copy is read only by its recipient, a sent message only by its
sender, a template or group only by its owner; the service administrator has no messages.
"""

from s2s.core.tests.matrix import Row

# Every role that sends and receives messages (policy: Action.MESSAGES).
MESSAGING = frozenset({
    "la_dba", "la_user", "la_school", "la_lost_pupil", "la_lost_pupil_transfer", "la_census",
    "la_admissions", "la_cme", "school",
})
LA_MESSAGING = MESSAGING - {"school"}
REPORT = frozenset({"admin", "la_dba", "la_dba_view"})
NOBODY = frozenset()


_counter = iter(range(1, 10**6))


def _send(sender, to, subject="Matrix"):
    from s2s.messaging.services import message_send

    return message_send(user=sender, to=to, subject=subject, body="Hello").message


def _to_home_la_and_school(world):
    """A message from another LA to every messaging role of LA 838 and to school 8383321."""
    from s2s.messaging.recipients import LA_MESSAGE_ROLES, LaTarget, Recipients

    to = Recipients(las=(LaTarget("838", tuple(LA_MESSAGE_ROLES)),), schools=("8383321",))
    return {"pk": _send(world.other_la_officer, to).pk}


def _to_home_la_only(world):
    """A message from another LA to LA 838's LA users only."""
    from s2s.messaging.recipients import LaTarget, Recipients

    return {"pk": _send(world.other_la_officer,
                        Recipients(las=(LaTarget("838", ("la_user",)),))).pk}


def _between_outsiders(world):
    """A message from a school of LA 681 to LA 681."""
    from s2s.messaging.recipients import LaTarget, Recipients

    return {"pk": _send(world.outsider_school_user,
                        Recipients(las=(LaTarget("681", ("la_user",)),))).pk}


def _sent_by_own_school(world):
    """A message the user's school user (8383321) sent to LA 681."""
    from s2s.messaging.recipients import LaTarget, Recipients

    return {"pk": _send(world.users["school"], Recipients(las=(LaTarget("681", ("la_user",)),))).pk}


def _template_of(username_role):
    def make(world):
        from s2s.messaging.services import template_create

        owner = world.users[username_role] if username_role else world.other_la_officer
        name = f"CTF request {next(_counter)}"
        return {"pk": template_create(user=owner, name=name, subject="CTF please",
                                      body="Please send the CTF.").pk}

    return make


def _group_of(username_role):
    def make(world):
        from s2s.messaging.recipients import Recipients
        from s2s.messaging.services import group_create

        owner = world.users[username_role] if username_role else world.other_la_officer
        return {"pk": group_create(user=owner, name=f"Neighbours {next(_counter)}",
                                   members=Recipients(schools=("8384512",))).pk}

    return make


ROWS = [
    Row("messaging:inbox", allowed=MESSAGING),
    Row("messaging:sent", allowed=MESSAGING),
    Row("messaging:compose", allowed=MESSAGING),
    Row("messaging:compose", allowed=MESSAGING, method="post", label="post",
        redirect="messaging:compose"),
    Row("messaging:preview", allowed=MESSAGING, label="no draft", redirect="messaging:compose"),
    Row("messaging:preview", allowed=MESSAGING, method="post", label="no draft, post",
        redirect="messaging:compose"),
    Row("messaging:read", allowed=MESSAGING, kwargs=_to_home_la_and_school,
        label="to every messaging role of the LA and the user's school"),
    Row("messaging:read", allowed=frozenset({"la_user"}), kwargs=_to_home_la_only,
        label="to the LA's LA users only"),
    Row("messaging:read", allowed=NOBODY, kwargs=_sent_by_own_school,
        label="sent by the user's school"),
    Row("messaging:read", allowed=NOBODY, kwargs=_between_outsiders, label="another LA's"),
    Row("messaging:delete", allowed=MESSAGING, kwargs=_to_home_la_and_school,
        label="to every messaging role of the LA and the user's school"),
    Row("messaging:delete", allowed=MESSAGING, kwargs=_to_home_la_and_school, method="post",
        label="to every messaging role, post", redirect="messaging:inbox"),
    Row("messaging:delete", allowed=NOBODY, kwargs=_between_outsiders, label="another LA's"),
    Row("messaging:sent-detail", allowed=frozenset({"school"}), kwargs=_sent_by_own_school,
        label="sent by the user's school"),
    Row("messaging:sent-detail", allowed=NOBODY, kwargs=_to_home_la_and_school,
        label="received, not sent"),
    Row("messaging:sent-detail", allowed=NOBODY, kwargs=_between_outsiders,
        label="another LA's"),
    Row("messaging:templates", allowed=MESSAGING),
    Row("messaging:template-add", allowed=MESSAGING),
    Row("messaging:template-add", allowed=MESSAGING, method="post", label="post"),
    Row("messaging:template-detail", allowed=frozenset({"la_user"}), kwargs=_template_of("la_user"),
        label="the LA user's own"),
    Row("messaging:template-detail", allowed=NOBODY, kwargs=_template_of(None),
        label="another LA's user's"),
    Row("messaging:template-edit", allowed=frozenset({"la_user"}), kwargs=_template_of("la_user"),
        label="the LA user's own"),
    Row("messaging:template-edit", allowed=NOBODY, kwargs=_template_of(None),
        label="another LA's user's"),
    Row("messaging:template-copy", allowed=frozenset({"school"}), kwargs=_template_of("school"),
        method="post", label="the school user's own", redirect="messaging:template-edit"),
    Row("messaging:template-copy", allowed=NOBODY, kwargs=_template_of(None), method="post",
        label="another LA's user's"),
    Row("messaging:template-delete", allowed=frozenset({"school"}), kwargs=_template_of("school"),
        label="the school user's own"),
    Row("messaging:template-delete", allowed=frozenset({"school"}), kwargs=_template_of("school"),
        method="post", label="the school user's own, post", redirect="messaging:templates"),
    Row("messaging:template-delete", allowed=NOBODY, kwargs=_template_of(None),
        label="another LA's user's"),
    Row("messaging:groups", allowed=MESSAGING),
    Row("messaging:group-add", allowed=MESSAGING),
    Row("messaging:group-add", allowed=MESSAGING, method="post", label="post"),
    Row("messaging:group-edit", allowed=frozenset({"la_cme"}), kwargs=_group_of("la_cme"),
        label="the CME officer's own"),
    Row("messaging:group-edit", allowed=NOBODY, kwargs=_group_of(None),
        label="another LA's user's"),
    Row("messaging:group-delete", allowed=frozenset({"school"}), kwargs=_group_of("school"),
        label="the school user's own"),
    Row("messaging:group-delete", allowed=frozenset({"school"}), kwargs=_group_of("school"),
        method="post", label="the school user's own, post", redirect="messaging:groups"),
    Row("messaging:group-delete", allowed=NOBODY, kwargs=_group_of(None),
        label="another LA's user's"),
    Row("messaging:report", allowed=REPORT),
    Row("messaging:report-csv", allowed=REPORT),
]
