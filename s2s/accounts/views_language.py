"""The header's "Cymraeg / English" switch, and the page choosing the language of one's emails."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from s2s.accounts import services
from s2s.accounts.decorators import requires
from s2s.accounts.languages import language_supported, user_email_languages
from s2s.accounts.models import EmailLanguage
from s2s.accounts.policy import Action
from s2s.core.forms import form_page, form_submit


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


class EmailLanguageForm(forms.Form):
    email_language = forms.ChoiceField(
        label=gettext_lazy("Which language should your emails be in?"),
        choices=EmailLanguage.choices, widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("save", _("Save")))


@requires(Action.USE_PAGES)
def email_language(request):
    """Choose the languages of one's own emails: Welsh, English, or Welsh then English."""
    current = "+".join(user_email_languages(request.user))
    form = EmailLanguageForm(request.POST or None, initial={"email_language": current})
    if form_submit(request, form, lambda data: services.user_email_language_set(
            user=request.user, email_language=data["email_language"])):
        messages.success(request, _("Your emails will be in the language you chose."))
        return redirect("core:start")
    return form_page(
        request, form, title=_("The language of your emails"), back_url="/",
        lead=_("Emails from s2s to you are written in this language. People of Welsh local "
               "authorities and schools get Welsh, then English, in one email unless they "
               "choose one language."))
