"""Forms for signing in, choosing a password and entering two-factor codes (GOV.UK layout)."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fixed, Layout, Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from s2s.accounts.policy import Action, has_capability


def _helper(form, button: str, *fields) -> FormHelper:
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True  # the page's own <form> carries the token
    helper.layout = Layout(*fields, Submit("submit", button))
    return helper


class SignInForm(auth_forms.AuthenticationForm):
    """Username (case-sensitive) and password; one message for every wrong combination."""

    error_messages = {
        "invalid_login": _(
            "The username or password is wrong. Both are case-sensitive: check Caps Lock."
        ),
        # Same words as a wrong password: a disabled account does not say that it exists.
        "inactive": _(
            "The username or password is wrong. Both are case-sensitive: check Caps Lock."
        ),
        "api_only": _(
            "This account is for a school's management information system (MIS) to use the s2s "
            "API. It cannot sign in to the website. Ask your LA s2s administrator for a user "
            "account."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["username"].widget.attrs.update(
            {"autocapitalize": "none", "spellcheck": "false", "autocomplete": "username"}
        )
        self.fields["password"].label = _("Password")
        self.helper = _helper(self, _("Sign in"), Field.text("username", field_width=Fixed.TWENTY),
                              Field.text("password", field_width=Fixed.TWENTY))

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not has_capability(user, Action.USE_PAGES):
            raise ValidationError(self.error_messages["api_only"], code="api_only")


NEW_PASSWORD_HELP = _(
    "Use at least 12 characters. A few unrelated words make a strong password that is easy to "
    "remember. Common passwords are refused."
)
# Django's own hint here has no Welsh in Django's catalogue.
AGAIN_HELP = _("Type the same password again, to check it.")


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The current password and a new one twice, checked by the password rules."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password1"].help_text = NEW_PASSWORD_HELP
        self.fields["new_password2"].label = _("New password again")
        self.fields["new_password2"].help_text = AGAIN_HELP
        self.helper = _helper(
            self, _("Change password"),
            Field.text("old_password", field_width=Fixed.TWENTY),
            Field.text("new_password1", field_width=Fixed.TWENTY),
            Field.text("new_password2", field_width=Fixed.TWENTY),
        )

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("new_password1")
        # old_password has been checked against the account already: compare with it.
        if password and password == cleaned.get("old_password"):
            self.add_error("new_password1", ValidationError(
                _("The new password must be different from the current one"), code="unchanged"
            ))
        return cleaned


class ActivationForm(auth_forms.SetPasswordForm):
    """A new person's first password, twice, checked by the password rules."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = _("Choose a password")
        self.fields["new_password1"].help_text = NEW_PASSWORD_HELP
        self.fields["new_password2"].label = _("Password again")
        self.fields["new_password2"].help_text = AGAIN_HELP
        self.helper = _helper(
            self, _("Set password"),
            Field.text("new_password1", field_width=Fixed.TWENTY),
            Field.text("new_password2", field_width=Fixed.TWENTY),
        )


class CodeForm(forms.Form):
    """A 6-digit code from an authenticator app."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The 6-digit code the app shows now, for example 123456"),
        max_length=12,
        error_messages={"required": _("Enter the 6-digit code from your authenticator app")},
    )

    def __init__(self, *args, button=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        )
        self.helper = _helper(self, button or _("Continue"),
                              Field.text("code", field_width=Fixed.FIVE))

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isdigit():
            raise ValidationError(_("The code must be 6 digits, for example 123456"), code="format")
        return code

    def wrong_code(self):
        """Mark the form with the message for a code that did not match."""
        self.add_error(
            "code", _("The code is wrong or has expired. Enter the code the app shows now")
        )

    def too_many(self):
        """Mark the form with the message for a device refusing codes after wrong ones."""
        self.add_error(
            "code", _(
                "A wrong code was entered just now. Wait a few seconds, then enter the code the "
                "app shows: each wrong code makes the wait longer"
            )
        )
