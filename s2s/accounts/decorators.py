"""View decorators that ask the policy."""

from functools import wraps

from django.http import Http404

from s2s.accounts.policy import has_capability


def requires(action: str):
    """Let the view run only for users whose role has this capability; anyone else gets 404.

    Signed-out users never reach here: LoginRequiredMiddleware sends them to sign in first.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_capability(request.user, action):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
