"""Template context every page needs."""

from s2s.core.navigation import menu_bar


def navigation(request):
    """Give templates the signed-in user's menu: the line's entries and the rest, for More."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_more": [], "nav_more_active": False}
    bar = menu_bar(user, request.path)
    return {"nav_items": bar["items"], "nav_more": bar["more"],
            "nav_more_active": bar["more_active"]}
