"""Everything that changes users and API tokens: add, change role, delete, reset, review.

Each service asks the policy, validates, writes, writes the audit record and puts its emails
in the outbox, all inside one transaction: the outbox sends them once it commits, so an email
is never lost and never sent for a change that rolled back. `by=None` means the system itself
(management commands and scheduled jobs): it passes every policy check and is audited as
"system". No service ever returns, shows or logs a password, a hash or an activation link.
"""

import math
from datetime import datetime, timedelta

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django_otp.plugins.otp_totp.models import TOTPDevice

from s2s.accounts import emails, rules
from s2s.accounts.models import ApiToken, User
from s2s.accounts.policy import CAPABILITIES, Action, can
from s2s.accounts.roles import ONE_PER_LA, SCOPE_OF_ROLE, Role, ScopeKind
from s2s.accounts.selectors import la_administrators_of, review_deadline, roles_assignable_by
from s2s.accounts.twofactor import two_factor_required
from s2s.audit.services import audit_record, english_words
from s2s.core.errors import NotFound, ServiceError
from s2s.core.text import text_required
from s2s.ctf.words import Text
from s2s.directory.models import Agency, Establishment, EstablishmentStatus, LocalAuthority

SYSTEM = "system"
REVIEW_DISABLED_REASON = "Not confirmed in the annual user review"

_SCOPE_FIELDS = {
    ScopeKind.LA: ("la", LocalAuthority),
    ScopeKind.ESTABLISHMENT: ("establishment", Establishment),
    ScopeKind.AGENCY: ("agency", Agency),
}
_SCOPE_WORDS = {
    ScopeKind.LA: gettext_lazy("a 3-digit LA number"),
    ScopeKind.ESTABLISHMENT: gettext_lazy("a 7-digit establishment number"),
    ScopeKind.AGENCY: gettext_lazy("an agency reference"),
}


# --- checks shared by the services ---------------------------------------------------------

def _require(by, user: User) -> None:
    """Let the system, or a person the policy lets manage this user, go on; else not found."""
    if by is not None and not can(by, Action.MANAGE_USERS, user):
        raise NotFound(_("There is no such user."))


def _refuse_self(by, user: User, message: str) -> None:
    if by is not None and by.pk == user.pk:
        raise ServiceError(message, code="self", field=None)


def _check_role(role: str, by) -> str:
    if role not in Role.values:
        raise ServiceError(_("Choose a role from the list."), code="bad_role", field="role")
    if by is not None and role not in roles_assignable_by(by):
        raise ServiceError(
            _("You cannot give the role %(role)s.") % {"role": Role(role).label},
            code="forbidden", field="role",
        )
    return role


def _scope_fields(role: str, scope: Model | None) -> dict:
    """Return the user fields that put a user of this role in this scope."""
    kind = SCOPE_OF_ROLE[role]
    fields = {"la": None, "establishment": None, "agency": None}
    if kind == ScopeKind.NATION:
        if scope is not None:
            raise ServiceError(
                _("%(role)s accounts belong to the whole service: the scope must be national.")
                % {"role": Role(role).label}, code="scope_mismatch", field="scope",
            )
        return fields
    name, model = _SCOPE_FIELDS[kind]
    if not isinstance(scope, model):
        raise ServiceError(
            _("%(role)s accounts belong to one %(kind)s: the scope must be %(words)s.")
            % {"role": Role(role).label, "kind": ScopeKind(kind).label.lower(),
               "words": _SCOPE_WORDS[kind]},
            code="scope_mismatch", field="scope",
        )
    return {**fields, name: scope}


def _check_username(username: str) -> None:
    text_required(username, field="username", blank=_("Enter a username."))
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise ServiceError(
            _("A username may hold only letters, digits and @ . + - _ (no spaces)."),
            code="bad_username", field="username",
        ) from None
    # Usernames are case-sensitive (seed 003, 2.1): an exact match, never iexact.
    if User.objects.filter(username=username).exists():
        raise ServiceError(
            _("The username %(username)s is taken: choose another.") % {"username": username},
            code="username_taken", field="username",
        )


def _check_email(email: str) -> None:
    try:
        validate_email(email)
    except ValidationError:
        raise ServiceError(
            _("Enter an email address like name@school.sch.uk."), code="bad_email", field="email"
        ) from None
    try:
        rules.check_account_email(email)
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages), code="personal_email", field="email") from None


def _check_one_per_la(user: User) -> None:
    """Each LA may have only one LA school account (seed 003, 1.6)."""
    if user.role not in ONE_PER_LA:
        return
    others = User.objects.filter(role=user.role, la_id=user.la_id).exclude(pk=user.pk)
    if others.exists():
        raise ServiceError(
            _("%(la)s already has an %(role)s account, and each LA may have only one.")
            % {"la": user.la, "role": Role(user.role).label},
            code="one_per_la", field="role",
        )


def _check_open(scope: Model | None) -> None:
    """Refuse a closed school, naming the school its pupils went to, if there is one."""
    if not isinstance(scope, Establishment) or scope.status != EstablishmentStatus.CLOSED:
        return
    school = f"{scope.name} ({scope.code})"
    successor = scope.current_successor()
    if successor is not None:
        message = _("%(school)s has closed: add the user to the school that took its pupils, "
                    "%(successor)s.") % {"school": school,
                                         "successor": f"{successor.name} ({successor.code})"}
    else:
        message = _("%(school)s has closed and no school took its place: a user cannot be "
                    "added to it.") % {"school": school}
    raise ServiceError(message, code="closed_school", field="scope")


# What `user_create_problems` is given for a field the form could not read.
UNKNOWN = object()


def user_create_problems(*, by, username=UNKNOWN, role=UNKNOWN, scope=UNKNOWN,
                         email=UNKNOWN) -> list[ServiceError]:
    """Return every reason `user_create` would refuse this user, in order; none when it would not.

    A field given as UNKNOWN (the form could not read it) is not checked, nor what rests on it,
    so a page can show all the problems at once.
    """
    problems: list[ServiceError] = []

    def check(rule, *args):
        try:
            return rule(*args)
        except ServiceError as error:
            problems.append(error)

    role_ok = role is not UNKNOWN and check(_check_role, role, by) is not None
    fields = check(_scope_fields, role, scope) if role_ok and scope is not UNKNOWN else None
    user = User(role=role, **fields) if fields is not None else None
    if user is not None and by is not None and not can(by, Action.MANAGE_USERS, user):
        problems.append(ServiceError(_("You can add users only to your own LA and its schools."),
                                     code="forbidden", field="scope"))
        user = None
    if user is not None:
        check(_check_open, scope)
    if username is not UNKNOWN:
        check(_check_username, username)
    if email is not UNKNOWN:
        check(_check_email, email)
    if user is not None:
        check(_check_one_per_la, user)
    return problems


def _audit(*, by, action: str, user: User, summary: str | Text, request=None, ip_address=None,
           detail: dict | None = None) -> None:
    audit_record(
        action=action, actor=by, actor_username="" if by is not None else SYSTEM, obj=user,
        summary=summary, request=request, ip_address=ip_address, detail=detail,
    )


# --- users ---------------------------------------------------------------------------------

@transaction.atomic
def user_create(
    *, by, username: str, role: str, scope: Model | None, email: str, full_name: str = "",
    password: str | None = None, request: HttpRequest | None = None,
    ip_address: str | None = None,
) -> User:
    """Add a user in a scope and email it an activation link, then, apart, its username.

    Without a password (the normal way) the account has no usable password until the user
    follows the link. A password is for the command line only (the first administrator); the
    user still sets a new one at first sign-in.
    """
    if by is not None and not can(by, Action.MANAGE_USERS):
        raise NotFound(_("There is no such page."))
    username, email = username.strip(), email.strip()
    problems = user_create_problems(by=by, username=username, role=role, scope=scope,
                                    email=email)
    if problems:
        raise problems[0]
    user = User(
        username=username, role=role, email=email, full_name=full_name.strip(),
        must_change_password=True, confirmed_at=timezone.now(), **_scope_fields(role, scope),
    )
    _set_first_password(user, password)
    _save_new(user)
    _audit(
        by=by, action="user.created", user=user, request=request, ip_address=ip_address,
        summary=Text(gettext_noop("Added %(user)s: %(role)s in %(scope)s"), user=user.username,
                     role=english_words(Role(user.role).label), scope=user.scope_code),
        detail={"role": role, "scope": user.scope_code},
    )
    link = None if password else emails.activation_link(user)
    _send_welcome(user.email, user.full_name, user.username, link)
    return user


def _set_first_password(user: User, password: str | None) -> None:
    if not password:
        user.set_unusable_password()
        return
    try:
        validate_password(password, user)
    except ValidationError as error:
        message = " ".join(error.messages)
        raise ServiceError(message, code="weak_password", field="password") from None
    user.set_password(password)


def _save_new(user: User) -> None:
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Another request took the username (or the LA school account) a moment ago.
        _check_username(user.username)
        _check_one_per_la(user)
        raise


def _send_welcome(email: str, full_name: str, username: str, link: str | None) -> None:
    """Send the activation link and the username in two separate emails (seed 003, 3.7)."""
    if link:
        emails.send_activation(email=email, full_name=full_name, link=link)
    emails.send_username(email=email, full_name=full_name, username=username)


@transaction.atomic
def user_change_role(
    *, by, user: User, role: str, request: HttpRequest | None = None,
    ip_address: str | None = None,
) -> User:
    """Give the user another role in the same scope, and tell it (seed 003, 3.4)."""
    _require(by, user)
    _refuse_self(by, user, _("You cannot change your own role: ask another administrator."))
    role = _check_role(role, by)
    if SCOPE_OF_ROLE[role] != user.scope_kind:
        raise ServiceError(
            _("%(role)s accounts belong to %(kind)s, and this account does not: add a new "
              "account instead.")
            % {"role": Role(role).label, "kind": ScopeKind(SCOPE_OF_ROLE[role]).label.lower()},
            code="scope_mismatch", field="role",
        )
    old = user.role
    if old == role:
        return user
    user.role = role
    _check_one_per_la(user)
    user.save(update_fields=["role"])
    _audit(
        by=by, action="user.role_changed", user=user, request=request, ip_address=ip_address,
        summary=Text(gettext_noop("Changed the role of %(user)s from %(old)s to %(new)s"),
                     user=user.username, old=english_words(Role(old).label),
                     new=english_words(Role(role).label)),
        detail={"from": old, "to": role},
    )
    emails.send_role_changed(
        email=user.email, full_name=user.full_name,
        role=str(user.get_role_display()),
    )
    return user


@transaction.atomic
def user_delete(
    *, by, user: User, request: HttpRequest | None = None, ip_address: str | None = None,
) -> None:
    """Delete the account; its audit history stays, under its username."""
    _require(by, user)
    _refuse_self(by, user, _("You cannot delete your own account: ask another administrator."))
    _audit(
        by=by, action="user.deleted", user=user, request=request, ip_address=ip_address,
        summary=Text(gettext_noop("Deleted %(user)s (%(role)s in %(scope)s)"),
                     user=user.username, role=english_words(Role(user.role).label),
                     scope=user.scope_code),
        detail={"username": user.username, "role": user.role, "scope": user.scope_code},
    )
    try:
        with transaction.atomic():
            user.delete()
    except ProtectedError:
        raise ServiceError(
            _("Files or messages of this account must be kept, so it cannot be deleted: "
              "disable it instead."), code="protected",
        ) from None


@transaction.atomic
def user_reset_password(
    *, by, user: User, request: HttpRequest | None = None, ip_address: str | None = None,
) -> User:
    """Make the old password useless and email a one-time link to set a new one."""
    _require(by, user)
    user.set_unusable_password()
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    _audit(
        by=by, action="user.password_reset", user=user, request=request, ip_address=ip_address,
        summary=Text(gettext_noop("Reset the password of %(user)s"), user=user.username),
    )
    emails.send_password_reset(
        email=user.email, full_name=user.full_name,
        link=emails.activation_link(user),
    )
    return user


@transaction.atomic
def user_confirm_still_valid(
    *, by, user: User, request: HttpRequest | None = None, ip_address: str | None = None,
    now: datetime | None = None,
) -> User:
    """Record that an administrator confirmed the account is still needed (annual review)."""
    _require(by, user)
    user.confirmed_at = now or timezone.now()
    user.review_warned_days = None
    user.save(update_fields=["confirmed_at", "review_warned_days"])
    _audit(
        by=by, action="user.confirmed", user=user, request=request, ip_address=ip_address,
        summary=Text(gettext_noop("Confirmed that %(user)s is still needed"),
                     user=user.username),
    )
    return user


@transaction.atomic
def user_set_active(
    *, by, user: User, active: bool, reason: str = "", request: HttpRequest | None = None,
    ip_address: str | None = None,
) -> User:
    """Disable the account, or enable it again (which also counts as confirming it)."""
    _require(by, user)
    if active:
        user.is_active, user.disabled_reason = True, ""
        user.confirmed_at, user.review_warned_days = timezone.now(), None
    else:
        _refuse_self(by, user, _("You cannot disable your own account."))
        user.is_active = False
        user.disabled_reason = (reason or "Disabled by an administrator")[:200]
    user.save(update_fields=["is_active", "disabled_reason", "confirmed_at", "review_warned_days"])
    _audit(
        by=by, action="user.enabled" if active else "user.disabled", user=user,
        request=request, ip_address=ip_address,
        summary=Text(gettext_noop("Enabled %(user)s") if active
                     else gettext_noop("Disabled %(user)s"), user=user.username),
        detail={} if active else {"reason": user.disabled_reason},
    )
    return user


@transaction.atomic
def user_two_factor_reset(
    *, by, user: User, request: HttpRequest | None = None, ip_address: str | None = None,
) -> User:
    """Remove the authenticator of a user who lost it, and tell the user by email.

    The user sets up a new one at the next sign-in (their role requires it) or may go
    without (school and agency users). LA DBAs reset their LA's and its schools' users, the
    service anyone; nobody resets their own.
    """
    if by is not None and not can(by, Action.RESET_TWO_FACTOR, user):
        raise NotFound(_("There is no such user."))
    _refuse_self(by, user, _("You cannot reset your own two-factor sign-in: ask another "
                             "administrator."))
    removed, _kinds = TOTPDevice.objects.filter(user=user).delete()
    _audit(
        by=by, action="user.two_factor_reset", user=user, request=request,
        ip_address=ip_address, summary=Text(
            gettext_noop("Reset the two-factor sign-in of %(user)s"), user=user.username),
        detail={"devices_removed": removed},
    )
    emails.send_two_factor_reset(email=user.email, full_name=user.full_name,
                                 required=two_factor_required(user))
    return user


# --- the annual review (run by `s2s review_users`) -----------------------------------------

@transaction.atomic
def user_review_warn(*, user: User, days: int, now: datetime | None = None) -> bool:
    """Warn the user and its LA's DBAs, once per mark, that the account will be disabled.

    Return False when another run already sent this warning (or a later one).
    """
    now = now or timezone.now()
    claimed = User.objects.filter(
        Q(review_warned_days__isnull=True) | Q(review_warned_days__gt=days),
        pk=user.pk, is_active=True, confirmed_at=user.confirmed_at,
    ).update(review_warned_days=days)
    if not claimed:
        return False
    deadline = review_deadline(user)
    _audit(
        by=None, action="user.review_warning", user=user,
        summary=Text(gettext_noop("Warned that %(user)s will be disabled on %(date)s"),
                     user=user.username, date=f"{deadline:%Y-%m-%d}"),
        detail={"days": days},
    )
    emails.send_review_warning(
        to=[user.email, *la_administrators_of(user)],
        username=user.username, days=max(math.ceil((deadline - now) / timedelta(days=1)), 0),
        disable_on=deadline,
    )
    return True


@transaction.atomic
def user_review_disable(*, user: User) -> bool:
    """Disable an account nobody confirmed in time; return False if it was no longer due."""
    claimed = User.objects.filter(
        pk=user.pk, is_active=True, confirmed_at=user.confirmed_at
    ).update(is_active=False, disabled_reason=REVIEW_DISABLED_REASON)
    if not claimed:
        return False
    _audit(
        by=None, action="user.disabled_by_review", user=user,
        summary=Text(gettext_noop("Disabled %(user)s: not confirmed in the annual user review"),
                     user=user.username),
    )
    emails.send_review_disabled(
        to=[user.email, *la_administrators_of(user)],
        username=user.username,
    )
    return True


# --- API tokens ----------------------------------------------------------------------------

@transaction.atomic
def api_token_create(
    *, by, user: User, request: HttpRequest | None = None, ip_address: str | None = None,
) -> str:
    """Issue an API token for the user and return it: it is shown once and stored hashed."""
    _require(by, user)
    if Action.USE_API not in CAPABILITIES.get(user.role, frozenset()):
        raise ServiceError(
            _("%(role)s accounts cannot use the API.") % {"role": user.get_role_display()},
            code="no_api", field="user",
        )
    if not user.is_active:
        raise ServiceError(_("This account is disabled."), code="inactive", field="user")
    token, key = ApiToken.issue(user)
    _audit(
        by=by, action="api_token.created", user=user, request=request, ip_address=ip_address,
        summary=Text(gettext_noop("Issued API token %(prefix)s… to %(user)s"),
                     prefix=token.prefix, user=user.username),
        detail={"prefix": token.prefix},
    )
    return key


@transaction.atomic
def api_token_revoke(
    *, by, token: ApiToken, request: HttpRequest | None = None, ip_address: str | None = None,
) -> ApiToken:
    """Stop the token working; its record stays."""
    _require(by, token.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        _audit(
            by=by, action="api_token.revoked", user=token.user, request=request,
            ip_address=ip_address,
            summary=Text(gettext_noop("Revoked API token %(prefix)s… of %(user)s"),
                         prefix=token.prefix, user=token.user.username),
            detail={"prefix": token.prefix},
        )
    return token


# --- language ---------------------------------------------------------------------------

def user_language_set(*, user: User, language: str) -> User:
    """Remember the page language a user chose with the header's switch (issue 17).

    A preference, not a change of rights: not audited.
    """
    from s2s.accounts.languages import language_supported

    if not language_supported(language):
        raise ServiceError(_("Choose English or Cymraeg."), code="language_unknown",
                           field="language")
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


def user_email_language_set(*, user: User, email_language: str) -> User:
    """Remember the languages a user reads their emails in: Welsh, English, or both."""
    from s2s.accounts.models import EmailLanguage

    if email_language not in EmailLanguage.values:
        raise ServiceError(_("Choose the language of your emails."),
                           code="email_language_unknown", field="email_language")
    User.objects.filter(pk=user.pk).update(email_language=email_language)
    user.email_language = email_language
    return user
