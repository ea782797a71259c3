"""Reads of users, already narrowed to what the asking user may see."""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from s2s.accounts.models import ApiToken, User
from s2s.accounts.policy import Action, has_capability, scope
from s2s.accounts.roles import ASSIGNABLE_BY_LA_DBA, Role
from s2s.core.errors import ServiceError
from s2s.directory.models import Agency, Establishment, LocalAuthority


def user_list(
    *, user, role: str = "", la=None, establishment=None, active: bool | None = None,
    search: str = "",
) -> QuerySet:
    """Return the users this user may see, narrowed by the filters given."""
    users = scope(user, User.objects.all(), Action.VIEW_USERS).select_related(
        "la", "establishment__la", "agency"
    )
    if role:
        users = users.filter(role=role)
    if la is not None:
        users = users.filter(Q(la=la) | Q(establishment__la=la) | Q(agency__la=la))
    if establishment is not None:
        users = users.filter(establishment=establishment)
    if active is not None:
        users = users.filter(is_active=active)
    if search:
        users = users.filter(
            Q(username__icontains=search) | Q(full_name__icontains=search)
            | Q(email__icontains=search)
        )
    return users.order_by("username")


def review_deadline(user: User):
    """Return when the annual review disables this account unless someone confirms it."""
    return user.confirmed_at + timedelta(days=settings.USER_REVIEW_DISABLE_AFTER_DAYS)


def _confirmed_before(days_left: int, now: datetime) -> datetime:
    return now - timedelta(days=settings.USER_REVIEW_DISABLE_AFTER_DAYS - days_left)


def users_due_for_review(*, user, now: datetime | None = None) -> QuerySet:
    """Return the active users in this user's sight whose review is due within the warning time."""
    now = now or timezone.now()
    soonest = max(settings.USER_REVIEW_WARN_DAYS, default=0)
    return user_list(user=user, active=True).filter(
        confirmed_at__lte=_confirmed_before(soonest, now)
    ).order_by("confirmed_at")


def users_to_disable(*, now: datetime) -> QuerySet:
    """Return the active accounts nobody confirmed within the review period (for the job)."""
    return User.objects.filter(
        is_active=True, confirmed_at__lt=_confirmed_before(0, now)
    ).order_by("confirmed_at", "pk")


def users_to_warn(*, days: int, now: datetime) -> QuerySet:
    """Return the active accounts within `days` of being disabled not yet warned at this mark."""
    return User.objects.filter(
        Q(review_warned_days__isnull=True) | Q(review_warned_days__gt=days),
        is_active=True,
        confirmed_at__lte=_confirmed_before(days, now),
        confirmed_at__gte=_confirmed_before(0, now),
    ).order_by("confirmed_at", "pk")


def la_administrators_of(user: User) -> list[str]:
    """Return the email addresses of the active DBAs of the LA this user belongs to."""
    la_id = user.scope_la_id
    if la_id is None:
        return []
    return list(
        User.objects.filter(la_id=la_id, role=Role.LA_DBA, is_active=True)
        .exclude(pk=user.pk).exclude(email="").values_list("email", flat=True)
    )


def administrators_for(user) -> dict:
    """Return who this person asks to reset a password or two-factor sign-in, or add a user.

    {"la": their LA (or None), "dbas": its other active DBAs, "service": the active service
    administrators when the LA's DBAs cannot help (the person is a DBA or the service, or the
    LA has no other DBA)}.
    """
    la_id = user.scope_la_id
    la = LocalAuthority.objects.filter(pk=la_id).first() if la_id else None
    dbas = list(User.objects.filter(la_id=la_id, role=Role.LA_DBA, is_active=True)
                .exclude(pk=user.pk).order_by("full_name", "username")) if la_id else []
    needs_service = not dbas or user.role in (Role.LA_DBA, Role.ADMIN)
    service = list(User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk)
                   .order_by("full_name", "username")) if needs_service else []
    return {"la": la, "dbas": dbas, "service": service}


def la_contacts() -> QuerySet:
    """Return every LA with its s2s contact email, for people who cannot sign in."""
    return LocalAuthority.objects.order_by("number")


def roles_assignable_by(user) -> list[str]:
    """Return the roles this user may give: all for the service, its LA's for an LA DBA."""
    if has_capability(user, Action.MANAGE_LAS):
        return list(Role.values)
    if has_capability(user, Action.MANAGE_USERS):
        return list(ASSIGNABLE_BY_LA_DBA)
    return []


def api_tokens_of(user: User) -> QuerySet:
    """Return the user's API tokens that still work."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


_LA_NUMBER = re.compile(r"\d{3}")
_ESTABLISHMENT_NUMBER = re.compile(r"\d{7}")
_AGENCY_REFERENCE = re.compile(r"\d{3}[A-Z0-9]{4}")


def scope_from_code(code: str) -> Model | None:
    """Return the LA, establishment or agency a scope code names, or None for `national`.

    A code is `national`, a 3-digit LA number, a 7-digit establishment number or an agency
    reference (838HLTH). Raise ServiceError saying which part is wrong.
    """
    code = (code or "").strip()
    if code.lower() == "national":
        return None
    if _LA_NUMBER.fullmatch(code):
        return _find(LocalAuthority.objects.filter(number=code),
                     _("There is no LA with the number %(code)s."), code)
    if _ESTABLISHMENT_NUMBER.fullmatch(code):
        if not LocalAuthority.objects.filter(number=code[:3]).exists():
            raise ServiceError(
                _("%(code)s does not start with a known LA number: there is no LA %(la)s.")
                % {"code": code, "la": code[:3]}, code="unknown_scope", field="scope",
            )
        return _find(Establishment.objects.filter(code=code),
                     _("LA %(la)s has no establishment numbered %(number)s.")
                     % {"la": code[:3], "number": code[3:]}, code)
    if _AGENCY_REFERENCE.fullmatch(code.upper()):
        return _find(Agency.objects.filter(reference=code.upper()),
                     _("There is no agency with the reference %(code)s."), code)
    raise ServiceError(
        _("The scope must be national, a 3-digit LA number, a 7-digit establishment number or "
          "an agency reference such as 838HLTH; %(code)s is none of these.") % {"code": code},
        code="bad_scope", field="scope",
    )


def _find(queryset: QuerySet, message: str, code: str):
    found = queryset.first()
    if found is None:
        raise ServiceError(message % {"code": code}, code="unknown_scope", field="scope")
    return found
