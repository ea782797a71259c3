"""Who a message goes to: LAs with roles, schools and the sender's groups, resolved to users.

Recipients are resolved when the message is sent (issue 6): each user who then holds an
addressed role at an addressed LA, or is a school user of an addressed school, gets a copy.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.accounts.models import User
from s2s.accounts.policy import CAPABILITIES, Action, scope
from s2s.accounts.roles import LA_ROLES, Role
from s2s.core.errors import ServiceError
from s2s.core.text import in_english
from s2s.directory.models import Establishment, LocalAuthority

# The LA roles that can read messages, in the order a picker shows them.
LA_MESSAGE_ROLES = [role for role in LA_ROLES if Action.MESSAGES in CAPABILITIES[role]]
# Seed 003, 6.4: local arrangements differ, so address both the LA user and the lost pupil
# officer; the lost pupil transfer role is a lost pupil officer too.
DEFAULT_LA_ROLES = [Role.LA_USER, Role.LA_LOST_PUPIL, Role.LA_LOST_PUPIL_TRANSFER]

BLANKET_GUIDANCE = [
    gettext_lazy(
        "Sending one list of children to every local authority and asking each of them to "
        "search its records is poor practice. Most authorities will not act on a request "
        "like that: it costs them a lot of time and seldom finds anyone."
    ),
    gettext_lazy(
        "Check thoroughly in your own area first. Other agencies, or the child's "
        "classmates, may know roughly where the family has gone."
    ),
    gettext_lazy("Then write only to the authorities for that part of the country."),
]


@dataclass(frozen=True)
class LaTarget:
    """The users holding any of these roles at one LA (by its 3-digit number)."""

    la: str
    roles: tuple[str, ...] = tuple(DEFAULT_LA_ROLES)


@dataclass(frozen=True)
class Recipients:
    """What a sender addressed: LAs with roles, schools by 7-digit number, own group ids."""

    las: tuple[LaTarget, ...] = ()
    schools: tuple[str, ...] = ()
    groups: tuple[int, ...] = ()

    def is_empty(self) -> bool:
        return not (self.las or self.schools or self.groups)


@dataclass
class Resolved:
    """Addressed places, checked: (LA, role) pairs and schools, and the users they reach."""

    pairs: list[tuple[LocalAuthority, str]] = field(default_factory=list)
    schools: list[Establishment] = field(default_factory=list)
    users: dict[int, tuple[User, str]] = field(default_factory=dict)  # id → (user, addressed as)
    unreached: list[str] = field(default_factory=list)

    @property
    def la_count(self) -> int:
        return len({la.pk for la, _role in self.pairs})


def pair_label(la: LocalAuthority, role: str) -> str:
    """Return an LA's role as a message is addressed to it (in English: `messaging/words.py`)."""
    return f"{la.number} {la.name}: {in_english(Role(role).label)}"


def school_label(school: Establishment) -> str:
    return f"{school.code} {school.name}"


def _las(numbers: set[str]) -> dict[str, LocalAuthority]:
    found = {la.number: la for la in LocalAuthority.objects.filter(number__in=numbers)}
    for number in sorted(numbers - set(found)):
        raise ServiceError(_("There is no local authority %(number)s.") % {"number": number},
                           code="unknown_la", field="las")
    return found


def _schools(codes: list[str]) -> list[Establishment]:
    wanted = list(dict.fromkeys(code.strip() for code in codes))
    found = {e.code: e for e in Establishment.objects.select_related("la").filter(code__in=wanted)}
    for code in wanted:
        if code not in found:
            raise ServiceError(
                _("There is no school %(code)s. A school is its 7-digit establishment number, "
                  "the LA number then the school number, for example 8384512.") % {"code": code},
                code="unknown_school", field="schools")
    return [found[code] for code in wanted]


def _check_roles(target: LaTarget) -> None:
    if not target.roles:
        raise ServiceError(_("Choose one or more roles at LA %(number)s.") % {"number": target.la},
                           code="no_roles", field="las")
    for role in target.roles:
        if role not in LA_MESSAGE_ROLES:
            raise ServiceError(_("%(role)s is not an LA role that receives messages.")
                               % {"role": role}, code="invalid_role", field="las")


def places_resolve(*, user, to: Recipients) -> Resolved:
    """Check every addressed LA, role, school and group; return the (LA, role) pairs and schools.

    A group id that is not one of the user's own groups is refused like one that does not exist.
    """
    for target in to.las:
        _check_roles(target)
    las = _las({target.la for target in to.las})
    resolved = Resolved()
    pairs = {(las[t.la], role) for t in to.las for role in t.roles}
    schools = _schools(list(to.schools))
    for member in _group_members(user=user, ids=to.groups):
        if member.establishment_id:
            schools.append(member.establishment)
        else:
            pairs.add((member.la, member.role))
    resolved.pairs = sorted(pairs, key=lambda pair: (pair[0].number, pair[1]))
    resolved.schools = list({school.pk: school for school in schools}.values())
    return resolved


def _group_members(*, user, ids: tuple[int, ...]):
    from s2s.messaging.models import MessageGroup, MessageGroupMember

    if not ids:
        return []
    wanted = set(ids)
    own = set(scope(user, MessageGroup.objects.filter(pk__in=wanted), Action.MESSAGES)
              .values_list("pk", flat=True))
    for group_id in sorted(wanted - own):
        raise ServiceError(_("You have no message group %(id)s.") % {"id": group_id},
                           code="unknown_group", field="groups")
    return MessageGroupMember.objects.filter(group_id__in=own).select_related(
        "la", "establishment", "establishment__la")


def users_resolve(*, resolved: Resolved, sender) -> Resolved:
    """Fill in the active users each place reaches (never the sender), and those reaching nobody."""
    readers = User.objects.filter(is_active=True).exclude(pk=getattr(sender, "pk", None))
    by_pair: dict[tuple[int, str], list[User]] = {}
    if resolved.pairs:
        condition = Q(la_id__in={la.pk for la, _r in resolved.pairs},
                      role__in={role for _la, role in resolved.pairs})
        for person in readers.filter(condition):
            by_pair.setdefault((person.la_id, person.role), []).append(person)
    by_school: dict[int, list[User]] = {}
    if resolved.schools:
        condition = Q(establishment_id__in=[s.pk for s in resolved.schools], role=Role.SCHOOL)
        for person in readers.filter(condition):
            by_school.setdefault(person.establishment_id, []).append(person)
    places = [(pair_label(la, role), by_pair.get((la.pk, role), [])) for la, role in resolved.pairs]
    places += [(school_label(s), by_school.get(s.pk, [])) for s in resolved.schools]
    for label, people in places:
        if not people:
            resolved.unreached.append(label)
        for person in people:
            resolved.users.setdefault(person.pk, (person, label))
    return resolved
