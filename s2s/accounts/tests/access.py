"""Who may reach the account pages."""

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from s2s.core.tests.matrix import ALL_ROLES, PAGE_ROLES, Row


def _activation_link(world):
    user = world.users["school"]
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user)}


# User administration (views_users.py): the service sees everyone; an LA's DBAs see its LA and
# school users (the view-only DBA without changing anything); nobody else sees any.
_VIEWERS = frozenset({"admin", "la_dba", "la_dba_view"})
_MANAGERS = frozenset({"admin", "la_dba"})
_TARGETS = [
    ("an LA user of the LA", lambda w: {"pk": w.users["la_user"].pk}, _VIEWERS, _MANAGERS),
    ("a school user of the LA", lambda w: {"pk": w.users["school"].pk}, _VIEWERS, _MANAGERS),
    ("another LA's user", lambda w: {"pk": w.other_la_officer.pk}, {"admin"}, {"admin"}),
    ("another LA's school user", lambda w: {"pk": w.outsider_school_user.pk}, {"admin"},
     {"admin"}),
    ("another LA's DBA", lambda w: {"pk": w.other_la_dba.pk}, {"admin"}, {"admin"}),
    ("a service administrator", lambda w: {"pk": w.users["admin"].pk}, {"admin"}, {"admin"}),
    ("an agency user", lambda w: {"pk": w.users["agency"].pk}, {"admin"}, {"admin"}),
    # A DBA sees its own account but cannot demote, reset or delete itself.
    ("the LA's DBA", lambda w: {"pk": w.users["la_dba"].pk}, _VIEWERS, {"admin"}),
]
USER_ADMINISTRATION_ROWS = [
    Row("accounts:user-list", allowed=_VIEWERS),
    Row("accounts:user-create", allowed=_MANAGERS),
    *[Row("accounts:user-detail", allowed=viewers, kwargs=kwargs, label=label)
      for label, kwargs, viewers, _managers in _TARGETS],
    *[Row(name, allowed=managers, kwargs=kwargs, label=label, method=method,
          redirect="accounts:user-detail" if method == "post" else "")
      for name, method in [("accounts:user-role", "get"), ("accounts:user-delete", "get"),
                           ("accounts:user-reset", "get"),
                           ("accounts:user-two-factor-reset", "get"),
                           ("accounts:user-confirm", "post"),
                           ("accounts:user-active", "post")]
      for label, kwargs, _viewers, managers in _TARGETS],
]

ROWS = [
    Row("accounts:sign-in", public=True),
    Row("accounts:sign-out", allowed=ALL_ROLES, method="post", redirect="accounts:signed-out"),
    Row("accounts:password-change", allowed=PAGE_ROLES),
    Row("accounts:two-factor", allowed=PAGE_ROLES),
    Row("accounts:signed-out", public=True),
    # Django's activation view keeps the token in the session and moves to .../set-password.
    Row("accounts:activate", public=True, kwargs=_activation_link, label="a valid link",
        redirect="accounts:activate"),
    Row("accounts:activate", public=True, kwargs=lambda w: {"uidb64": "MTIzNDU", "token": "x-y"},
        label="a broken link"),
    # Everyone here has already given a code (VerifiedClient), so is sent on to the start page.
    Row("accounts:two-factor-verify", allowed=PAGE_ROLES, redirect="core:start"),
    Row("accounts:administrators", public=True),
    # The header's language switch, open to everyone; with no `next` it goes to the start page.
    Row("accounts:language", public=True, kwargs=lambda w: {"language": "cy"},
        redirect="core:start"),
    Row("accounts:email-language", allowed=PAGE_ROLES),
    # Only people who may go without two-factor sign-in may turn it off.
    Row("accounts:two-factor-remove", allowed={"school", "agency"}, method="post",
        redirect="accounts:two-factor"),
    *USER_ADMINISTRATION_ROWS,
]
