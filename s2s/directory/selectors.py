"""Reads of the directory, already narrowed by the policy to what the user may see."""

from django.db.models import Count, Q, QuerySet

from s2s.accounts.policy import Action, get_for, scope
from s2s.directory.models import Agency, Establishment, LocalAuthority


def la_list(*, user) -> QuerySet[LocalAuthority]:
    """Return the LAs a service administrator maintains, with how many schools each has."""
    return scope(user, LocalAuthority.objects.all(), Action.MANAGE_LAS).annotate(
        school_count=Count("establishments")
    )


def la_get(*, user, number: str, action: str = Action.MANAGE_LAS) -> LocalAuthority:
    """Return the LA with this number if the user may act on it, or raise Http404."""
    return get_for(user, LocalAuthority.objects.all(), action, number=number)


def own_la(*, user, action: str = Action.VIEW_LA) -> LocalAuthority:
    """Return the user's own LA, or raise Http404 if it has none or may not see it."""
    return get_for(user, LocalAuthority.objects.all(), action, pk=user.la_id)


def school_filter_las(*, user) -> QuerySet[LocalAuthority]:
    """Return the LAs whose schools the user may list: offered as a filter when more than one."""
    return scope(user, LocalAuthority.objects.all(), Action.VIEW_SCHOOLS)


def school_list(*, user, la_number: str = "", query: str = "") -> QuerySet[Establishment]:
    """Return the schools the user may see, in an LA if given, matching a number or name."""
    schools = scope(user, Establishment.objects.select_related("la"), Action.VIEW_SCHOOLS)
    if la_number:
        schools = schools.filter(la__number=la_number)
    query = query.strip()
    if query.isdigit():
        schools = schools.filter(Q(code__startswith=query) | Q(urn=query))
    elif query:
        schools = schools.filter(name__icontains=query)
    return schools.order_by("code")


def school_get(*, user, code: str, action: str = Action.VIEW_SCHOOLS) -> Establishment:
    """Return the school with this 7-digit number if the user may act on it, or raise Http404."""
    queryset = Establishment.objects.select_related("la", "successor")
    return get_for(user, queryset, action, code=code)


def school_predecessors(*, user, school: Establishment) -> QuerySet[Establishment]:
    """Return the schools that this one took over, as far as the user may see them."""
    return scope(user, school.predecessors.all(), Action.VIEW_SCHOOLS).order_by("code")


def agency_list(*, user) -> QuerySet[Agency]:
    """Return the agencies the user may see: its LA's, or every one for the service."""
    return scope(user, Agency.objects.select_related("la"), Action.VIEW_AGENCIES)
