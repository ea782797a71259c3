"""Template context every page needs."""

from s2s.core.navigation import menu_for


def navigation(request):
    """Give templates the signed-in user's menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": menu_for(user, request.path)}
