"""View decorators that ask the policy."""

from functools import wraps

from django.http import Http404

from s2s.accounts.policy import Action, has_capability


def requires(*actions: str):
    """Let the view run for people who use the pages and hold any of these capabilities.

    Anyone else gets 404, MIS connectors included (they hold file capabilities, but use the
    API only). Signed-out visitors never reach here: LoginRequiredMiddleware sends them to
    sign in first.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not has_capability(user, Action.USE_PAGES) or not any(
                has_capability(user, action) for action in actions
            ):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
