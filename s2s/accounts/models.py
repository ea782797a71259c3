"""Users, each holding one role in one scope, and their API tokens."""

import hashlib
import operator
import secrets
from functools import reduce

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from s2s.accounts.roles import SCOPE_OF_ROLE, Role, ScopeKind


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username, password=None, **fields):
        """Create a user; the caller supplies role and scope."""
        user = self.model(username=username, **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        # Usernames are case-sensitive: an exact match, never iexact.
        return self.get(username=username)


class Language(models.TextChoices):
    """The languages of the pages; each named in itself, as the header's switch shows it."""

    ENGLISH = "en-gb", "English"
    WELSH = "cy", "Cymraeg"


class EmailLanguage(models.TextChoices):
    """The languages of a user's emails (issue 17); blank: English, or bilingual in Wales."""

    BILINGUAL = "cy+en-gb", _("Welsh, then English, in one email")
    WELSH = "cy", _("Welsh only")
    ENGLISH = "en-gb", _("English only")


def _scope_condition(role: str) -> Q:
    kind = SCOPE_OF_ROLE[role]
    return Q(
        role=role,
        la__isnull=kind != ScopeKind.LA,
        establishment__isnull=kind != ScopeKind.ESTABLISHMENT,
        agency__isnull=kind != ScopeKind.AGENCY,
    )


class User(AbstractBaseUser):
    """A person (or an MIS connector) who signs in: one role, in exactly one scope."""

    username = models.CharField(
        _("username"), max_length=150, unique=True, validators=[UnicodeUsernameValidator()],
        help_text=_("Case-sensitive. Letters, digits and @ . + - _ only."),
    )
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    la = models.ForeignKey(
        "directory.LocalAuthority", on_delete=models.PROTECT, null=True, blank=True,
        related_name="users", verbose_name=_("local authority"),
    )
    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.PROTECT, null=True, blank=True,
        related_name="users", verbose_name=_("establishment"),
    )
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, null=True, blank=True,
        related_name="users", verbose_name=_("agency"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    must_change_password = models.BooleanField(
        _("must set a new password at next sign-in"), default=True
    )
    date_joined = models.DateTimeField(_("created"), default=timezone.now)
    # Annual user review (seed 003, 1.6): when a DBA last confirmed the account is still needed.
    confirmed_at = models.DateTimeField(_("last confirmed"), default=timezone.now)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    # The smallest review warning (days before disabling) already sent since the last
    # confirmation, so `review_users` never sends the same warning twice.
    review_warned_days = models.PositiveIntegerField(
        _("review warning sent (days before)"), null=True, blank=True
    )

    # The page language chosen with the header's switch; blank until one is chosen, when the
    # browser's Accept-Language decides (issue 17).
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, blank=True, default=""
    )
    # Blank: bilingual for a user of a Welsh LA or school, else the page language.
    email_language = models.CharField(
        _("email language"), max_length=8, choices=EmailLanguage.choices, blank=True,
        default="",
    )

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=reduce(operator.or_, map(_scope_condition, Role.values)),
                name="user_scope_matches_role",
                violation_error_message=_("The user's scope does not match its role."),
            ),
            # Each LA may have only one LA school account (seed 003, 1.6).
            models.UniqueConstraint(
                fields=["la"], condition=Q(role=Role.LA_SCHOOL), name="one_la_school_per_la",
                violation_error_message=_("This LA already has an LA school account."),
            ),
        ]

    def __str__(self):
        return self.username

    @property
    def scope_kind(self) -> str:
        return SCOPE_OF_ROLE[self.role]

    @property
    def scope_code(self) -> str:
        """Return the scope as people write it: national, an LA number, 7 digits or a reference."""
        if self.la_id:
            return self.la.number
        if self.establishment_id:
            return self.establishment.code
        if self.agency_id:
            return self.agency.reference
        return "national"

    @property
    def scope_la_id(self):
        """Return the id of the LA this user belongs to, directly or through its school."""
        if self.la_id:
            return self.la_id
        if self.establishment_id:
            return self.establishment.la_id
        if self.agency_id:
            return self.agency.la_id
        return None


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User) -> tuple["ApiToken", str]:
        """Create a token for the user and return it with the key, shown once only."""
        # Hex, so a prefix never starts with "-" (which a command line would read as an option).
        key = "s2s_" + secrets.token_hex(32)
        token = cls.objects.create(user=user, prefix=key[4:12], key_hash=cls.hash(key))
        return token, key
