"""Send a signed-in person through the sign-in steps they still owe before any other page.

Runs after django-otp's OTPMiddleware (which tells whether the session has passed two-factor).
Pages open to signed-out visitors (sign-in, activation, health, static assets) and sign-out
are never held up; the page of the step owed is the only other page that opens.
"""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from s2s.accounts.signin import next_step

# Always reachable while a step is owed: a person can always leave.
ALWAYS_OPEN = {"accounts:sign-out"}


class SignInStepsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Redirect to the step owed, unless this request is for that step or an open page."""
        if not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        view_name = match.view_name if match else ""
        if view_name in ALWAYS_OPEN:
            return None
        step = next_step(request.user)
        if step is None or view_name == step:
            return None
        url = reverse(step)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)


class UserLanguageMiddleware:
    """Show a signed-in person the pages in the language they chose (issue 17).

    After AuthenticationMiddleware: LocaleMiddleware has already activated the cookie's or the
    browser's language; a language stored on the account wins over both, on any browser.
    The API's token users are authenticated later, by the API itself, so an API call follows
    its Accept-Language header, never the account (DESIGN.md, "languages").
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
