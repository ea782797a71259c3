"""The menu: each entry shows only to roles the policy gives its capability.

Apps add their entries here. An entry whose page does not exist yet (no URL by that name) is
left out, so the menu grows as the apps do.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from s2s.accounts.policy import Action, has_capability


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    action: str
    also: tuple[str, ...] = ()  # other capabilities that show the entry too


MENU = [
    MenuEntry(_("Start"), "core:start", Action.USE_PAGES),
    MenuEntry(_("Upload"), "transfers:upload", Action.TRANSFER_FILES, (Action.GENERIC_FILES,)),
    MenuEntry(_("Download"), "transfers:inbox", Action.TRANSFER_FILES),
    MenuEntry(_("Generic files"), "transfers:generic", Action.GENERIC_FILES),
    MenuEntry(_("Sent files"), "transfers:outbox", Action.TRANSFER_FILES, (Action.GENERIC_FILES,)),
    MenuEntry(_("LA monitoring"), "transfers:la-monitoring", Action.MONITOR_LA_FILES),
    MenuEntry(_("Lost pupils"), "lostpupils:search", Action.SEARCH_LPD),
    MenuEntry(_("Children missing education"), "feeds:cme", Action.CME_DASHBOARD),
    MenuEntry(_("Feed health"), "feeds:health", Action.FEED_HEALTH),
    MenuEntry(_("Messages"), "messaging:inbox", Action.MESSAGES),
    MenuEntry(_("Calendar"), "calendars:mine", Action.VIEW_CALENDAR),
    MenuEntry(_("Reports"), "reports:index", Action.REPORTS),
    MenuEntry(_("Local authorities"), "directory:la-list", Action.MANAGE_LAS),
    MenuEntry(_("Users"), "accounts:user-list", Action.VIEW_USERS),
    MenuEntry(_("Schools"), "directory:school-list", Action.VIEW_SCHOOLS),
    MenuEntry(_("Agencies"), "directory:agency-list", Action.VIEW_AGENCIES),
    MenuEntry(_("LA details"), "directory:my-la", Action.VIEW_LA),
    MenuEntry(_("Audit"), "audit:list", Action.VIEW_AUDIT),
]


def menu_for(user, current_path: str = "") -> list[dict]:
    """Return the menu entries this user may use, with their URLs."""
    items = []
    for entry in MENU:
        if not any(has_capability(user, a) for a in (entry.action, *entry.also)):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": entry.label, "url": url, "active": active})
    return items
