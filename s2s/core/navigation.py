"""The menu: each entry shows only to roles the policy gives its capability.

Apps add their entries here once their page exists: an entry naming a URL that does not exist
raises NoReverseMatch on every page (and `core/tests/test_menus.py` reverses every entry), so
a mistyped or not-yet-built page is found at once instead of silently missing from the menu.

Entries belong to a group (files, pupils, reports, administration). A role with more entries
than fit on one line keeps `BAR_ENTRIES` of them in the service navigation (the first of each
of its groups, then the next in menu order) and the rest under "More", by group; the start
page lists every entry by group.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from s2s.accounts.policy import Action, has_capability


class Group:
    """The menu's groups, in the order their sections show."""

    START = ""
    FILES = "files"
    PUPILS = "pupils"
    MESSAGES = "messages"
    REPORTS = "reports"
    ADMIN = "admin"


GROUP_LABELS = {
    Group.FILES: _("Files"),
    Group.PUPILS: _("Pupils"),
    Group.MESSAGES: _("Messages"),
    Group.REPORTS: _("Reports"),
    Group.ADMIN: _("Administration"),
}

# The most entries the service navigation shows on one line (More besides); a role with at
# most one more shows them all, rather than a More holding a single entry.
BAR_ENTRIES = 6


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    action: str
    also: tuple[str, ...] = ()  # other capabilities that show the entry too
    group: str = Group.START


MENU = [
    MenuEntry(_("Start"), "core:start", Action.USE_PAGES),
    MenuEntry(_("Download"), "transfers:inbox", Action.TRANSFER_FILES, group=Group.FILES),
    MenuEntry(_("Upload"), "transfers:upload", Action.TRANSFER_FILES, (Action.GENERIC_FILES,),
              group=Group.FILES),
    MenuEntry(_("Generic files"), "transfers:generic", Action.GENERIC_FILES, group=Group.FILES),
    MenuEntry(_("Sent files"), "transfers:outbox", Action.TRANSFER_FILES, (Action.GENERIC_FILES,),
              group=Group.FILES),
    MenuEntry(_("LA monitoring"), "transfers:la-monitoring", Action.MONITOR_LA_FILES,
              group=Group.FILES),
    # Police notifications to schools (issue 16): sent by the police, followed by the LA;
    # a school finds its own on the start page.
    MenuEntry(_("Operation Encompass"), "agencies:encompass-list", Action.SEND_ENCOMPASS,
              (Action.FOLLOW_ENCOMPASS,), group=Group.FILES),
    MenuEntry(_("Lost pupils"), "lostpupils:search", Action.SEARCH_LPD, group=Group.PUPILS),
    MenuEntry(_("Possible matches"), "matching:pairs", Action.REVIEW_MATCHES, group=Group.PUPILS),
    MenuEntry(_("Children missing education"), "cme:signals", Action.CME_DASHBOARD,
              group=Group.PUPILS),
    MenuEntry(_("CME cases"), "cme:cases", Action.MANAGE_CME_CASES, group=Group.PUPILS),
    MenuEntry(_("Partnerships"), "partnerships:list", Action.PARTNERSHIPS, group=Group.PUPILS),
    MenuEntry(_("Messages"), "messaging:inbox", Action.MESSAGES, group=Group.MESSAGES),
    MenuEntry(_("Reports"), "reports:index", Action.REPORTS, group=Group.REPORTS),
    MenuEntry(_("Message report"), "messaging:report", Action.MESSAGE_REPORT,
              group=Group.REPORTS),
    MenuEntry(_("Feed health"), "feeds:health", Action.FEED_HEALTH, group=Group.REPORTS),
    MenuEntry(_("Local authorities"), "directory:la-list", Action.MANAGE_LAS, group=Group.ADMIN),
    MenuEntry(_("Users"), "accounts:user-list", Action.VIEW_USERS, group=Group.ADMIN),
    MenuEntry(_("Schools"), "directory:school-list", Action.VIEW_SCHOOLS, group=Group.ADMIN),
    MenuEntry(_("Agencies"), "directory:agency-list", Action.VIEW_AGENCIES, group=Group.ADMIN),
    MenuEntry(_("Exchange agreements"), "agencies:agreement-list", Action.VIEW_AGREEMENTS,
              group=Group.ADMIN),
    MenuEntry(_("LA details"), "directory:my-la", Action.VIEW_LA, group=Group.ADMIN),
    MenuEntry(_("Calendar"), "calendars:mine", Action.VIEW_CALENDAR, group=Group.ADMIN),
    MenuEntry(_("Matching runs"), "matching:runs", Action.MATCH_RUNS, group=Group.ADMIN),
    MenuEntry(_("Audit"), "audit:list", Action.VIEW_AUDIT, group=Group.ADMIN),
]


def menu_for(user, current_path: str = "") -> list[dict]:
    """Return the menu entries this user may use, with their URLs and groups."""
    items = []
    for entry in MENU:
        if not any(has_capability(user, a) for a in (entry.action, *entry.also)):
            continue
        url = reverse(entry.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": entry.label, "url": url, "active": active, "group": entry.group})
    # One entry is current: the longest that matches (Message report, not Messages, on
    # /messages/report).
    current = max((item for item in items if item["active"]), key=lambda item: len(item["url"]),
                  default=None)
    for item in items:
        item["active"] = item is current
    return items


def _sections(items: list[dict]) -> list[dict]:
    return [{"label": label, "items": [item for item in items if item["group"] == group]}
            for group, label in GROUP_LABELS.items()
            if any(item["group"] == group for item in items)]


def menu_bar(user, current_path: str = "") -> dict:
    """Return the entries on the navigation's one line, and the rest by group for "More".

    {"items": [...], "more": [{"label", "items"}], "more_active": bool}
    """
    items = menu_for(user, current_path)
    if len(items) <= BAR_ENTRIES + 1:
        return {"items": items, "more": [], "more_active": False}
    firsts, groups = [], set()
    for item in items:
        if item["group"] not in groups:
            groups.add(item["group"])
            firsts.append(item)
    chosen = firsts[:BAR_ENTRIES]
    for item in items:
        if len(chosen) >= BAR_ENTRIES:
            break
        if item not in chosen:
            chosen.append(item)
    on_bar = [item for item in items if item in chosen]
    rest = [item for item in items if item not in chosen]
    return {"items": on_bar, "more": _sections(rest),
            "more_active": any(item["active"] for item in rest)}


def menu_sections(user, exclude: str = "") -> list[dict]:
    """Return every menu entry this user may use but the page at `exclude`, by group."""
    return _sections([item for item in menu_for(user) if item["url"] != exclude])
