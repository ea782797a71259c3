"""The header's "Cymraeg / English" switch: a plain link, for signed-in and signed-out people."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from s2s.accounts import services
from s2s.accounts.languages import language_supported


@login_not_required
@require_GET
def language_choose(request, language: str):
    """Show the pages in `language` from now on, and go back to the page the link was on.

    The choice is kept in Django's language cookie (read by LocaleMiddleware) and, for a
    signed-in person, on their account. A GET, so the switch is a link (the GOV.UK pattern):
    it changes only how pages read, never what anyone may do.
    """
    if not language_supported(language):
        raise Http404
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=language)
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = redirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
