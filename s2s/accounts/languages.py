"""Which language a person reads: the pages' language and the languages of their emails.

Issue 17. A user's page language is the one chosen with the header's switch (`User.language`),
else what the browser asks for. Emails go in the recipient's language, never the sender's: a
user's `email_language`, else bilingual (Welsh first, then English) for users of a Welsh LA or
school, else their page language, else English. An address that is no user's but a Welsh LA's
or school's contact email is bilingual too.
"""

from django.conf import settings
from django.db.models import Q

from s2s.accounts.models import Language, User
from s2s.directory.models import Establishment, LocalAuthority, Nation

BILINGUAL = (Language.WELSH.value, Language.ENGLISH.value)
ENGLISH = (Language.ENGLISH.value,)


def language_supported(code: str) -> bool:
    """Return whether the pages can be shown in this language code."""
    return code in dict(settings.LANGUAGES)


def user_in_wales(user: User) -> bool:
    """Return whether the user belongs to a Welsh LA, or a school or agency of one."""
    la_id = user.scope_la_id
    return la_id is not None and LocalAuthority.objects.filter(
        pk=la_id, nation=Nation.WALES
    ).exists()


def user_email_languages(user: User) -> tuple[str, ...]:
    """Return the languages of the emails sent to this user, in the order they appear."""
    if user.email_language:
        return tuple(user.email_language.split("+"))
    if user_in_wales(user):
        return BILINGUAL
    return (user.language,) if user.language else ENGLISH


def email_languages_by_address(addresses: list[str]) -> dict[str, tuple[str, ...]]:
    """Return each address's email languages, keyed by the address in lower case.

    An address of an active user follows that user; one shared by several users follows the
    first of them (by id). Else a Welsh LA's or school's contact email is bilingual; anything
    else is English.
    """
    wanted = {address.lower() for address in addresses if address}
    if not wanted:
        return {}
    found: dict[str, tuple[str, ...]] = {}
    match = Q()
    for address in wanted:
        match |= Q(email__iexact=address)
    users = (User.objects.filter(match, is_active=True)
             .select_related("la", "establishment", "agency").order_by("pk"))
    for user in users:
        found.setdefault(user.email.lower(), user_email_languages(user))
    for address in _welsh_contact_addresses(wanted - found.keys()):
        found[address] = BILINGUAL
    return {address: found.get(address, ENGLISH) for address in wanted}


def _welsh_contact_addresses(addresses: set[str]) -> set[str]:
    if not addresses:
        return set()
    match = Q()
    for address in addresses:
        match |= Q(email__iexact=address)
    las = LocalAuthority.objects.filter(match, nation=Nation.WALES).values_list("email", flat=True)
    schools = Establishment.objects.filter(match, la__nation=Nation.WALES).values_list(
        "email", flat=True)
    return {email.lower() for email in [*las, *schools]}

