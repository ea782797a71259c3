"""The roles a user can hold, and the kind of scope each one belongs to (DESIGN.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Service administrator")
    LA_DBA = "la_dba", _("LA database administrator")
    LA_DBA_VIEW = "la_dba_view", _("LA database administrator (view only)")
    LA_USER = "la_user", _("LA user")
    LA_SCHOOL = "la_school", _("LA school")
    LA_LOST_PUPIL = "la_lost_pupil", _("LA lost pupil")
    LA_LOST_PUPIL_TRANSFER = "la_lost_pupil_transfer", _("LA lost pupil transfer")
    LA_CENSUS = "la_census", _("LA census")
    LA_ADMISSIONS = "la_admissions", _("LA admissions")
    LA_CME = "la_cme", _("LA children missing education officer")
    SCHOOL = "school", _("School user")
    AGENCY = "agency", _("Agency user")
    CONNECTOR = "connector", _("MIS connector (API only)")


class ScopeKind(models.TextChoices):
    NATION = "nation", _("The nation")
    LA = "la", _("Local authority")
    ESTABLISHMENT = "establishment", _("Establishment")
    AGENCY = "agency", _("Agency")


SCOPE_OF_ROLE: dict[str, str] = {
    Role.ADMIN: ScopeKind.NATION,
    Role.LA_DBA: ScopeKind.LA,
    Role.LA_DBA_VIEW: ScopeKind.LA,
    Role.LA_USER: ScopeKind.LA,
    Role.LA_SCHOOL: ScopeKind.LA,
    Role.LA_LOST_PUPIL: ScopeKind.LA,
    Role.LA_LOST_PUPIL_TRANSFER: ScopeKind.LA,
    Role.LA_CENSUS: ScopeKind.LA,
    Role.LA_ADMISSIONS: ScopeKind.LA,
    Role.LA_CME: ScopeKind.LA,
    Role.SCHOOL: ScopeKind.ESTABLISHMENT,
    Role.AGENCY: ScopeKind.AGENCY,
    Role.CONNECTOR: ScopeKind.ESTABLISHMENT,
}

LA_ROLES = [role for role, kind in SCOPE_OF_ROLE.items() if kind == ScopeKind.LA]

# Two-factor sign-in is required for these; optional for the rest (issue 2).
TWO_FACTOR_REQUIRED = {Role.ADMIN, *LA_ROLES}

# Roles an LA DBA may give to users of its own LA: the LA's own, its schools' and their MIS
# connectors'.
ASSIGNABLE_BY_LA_DBA = [*LA_ROLES, Role.SCHOOL, Role.CONNECTOR]

# Each LA may have only one LA school account (seed 003, 1.6).
ONE_PER_LA = {Role.LA_SCHOOL}
