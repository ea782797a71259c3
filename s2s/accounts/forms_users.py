"""Forms of the user administration pages (GOV.UK Design System through crispy-forms-gds)."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from s2s.accounts.policy import Action, scope
from s2s.accounts.roles import SCOPE_OF_ROLE, Role
from s2s.accounts.selectors import roles_assignable_by, scope_from_code
from s2s.accounts.services import user_create_problems
from s2s.core.errors import ServiceError
from s2s.directory.models import Establishment, LocalAuthority


def _helper(button: Submit, method: str = "post") -> FormHelper:
    helper = FormHelper()
    helper.form_method = method
    helper.attrs = {"novalidate": ""}  # the server checks, and shows every problem at once
    helper.add_input(button)
    return helper


def _role_choices(roles) -> list[tuple[str, str]]:
    return [(role, Role(role).label) for role in roles]


class UserFilterForm(forms.Form):
    """Narrow the user list: by name, role, and the LA or school the account belongs to."""

    q = forms.CharField(label=_("Username, name or email"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("Role"), required=False)
    la = forms.ModelChoiceField(
        label=_("Local authority"), required=False, queryset=LocalAuthority.objects.none(),
        empty_label=_("Any"),
    )
    school = forms.ModelChoiceField(
        label=_("School"), required=False, queryset=Establishment.objects.none(),
        empty_label=_("Any"),
    )

    def __init__(self, viewer, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("Any")), *Role.choices]
        las = scope(viewer, LocalAuthority.objects.all(), Action.VIEW_LA)
        if las.count() > 1:
            # A national viewer filters by LA; a list of every school would be too long.
            self.fields["la"].queryset = las
            del self.fields["school"]
        else:
            self.fields["school"].queryset = scope(
                viewer, Establishment.objects.all(), Action.VIEW_SCHOOLS
            )
            del self.fields["la"]
        button = Submit("filter", _("Filter"), css_class="govuk-button--secondary")
        self.helper = _helper(button, method="get")

    def filters(self) -> dict:
        """Return the selector's keyword arguments for the valid filters."""
        data = self.cleaned_data
        return {
            "search": data.get("q", ""), "role": data.get("role", ""),
            "la": data.get("la"), "establishment": data.get("school"),
        }


class UserCreateForm(forms.Form):
    """Add a user: username, name, work email, role and where the account belongs."""

    username = forms.CharField(
        label=_("Username"), max_length=150,
        help_text=_("Case-sensitive. Letters, digits and @ . + - _ only, for example 681bjones."),
        error_messages={"required": _("Enter a username")},
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("Work email address"),
        help_text=_("Personal email such as Hotmail, Yahoo or Gmail is not allowed. The "
                    "activation link and the username go here, in separate emails."),
        error_messages={"required": _("Enter the user's work email address"),
                        "invalid": _("Enter an email address like name@school.sch.uk")},
    )
    # No role is chosen for the person: a wrong default would give someone too much.
    role = forms.ChoiceField(label=_("Role"), error_messages={"required": _("Choose a role")})
    scope = forms.CharField(
        label=_("Belongs to"), max_length=10,
        help_text=_("The 3-digit LA number for an LA account, the 7-digit establishment number "
                    "for a school account, an agency reference such as 838HLTH, or national."),
        error_messages={"required": _("Enter where the account belongs")},
    )

    def __init__(self, by, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.by = by
        self.fields["role"].choices = [("", _("Choose a role")),
                                       *_role_choices(roles_assignable_by(by))]
        self.helper = _helper(Submit("add", _("Add user")))

    def clean_scope(self):
        try:
            return scope_from_code(self.cleaned_data["scope"])
        except ServiceError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean(self):
        """Add every refusal the service would give, each on its field, to the form's own."""
        data = super().clean()
        readable = {name: data[name] for name in ("username", "role", "scope", "email")
                    if name in data}
        for problem in user_create_problems(by=self.by, **readable):
            if problem.field not in self.errors:
                self.add_error(problem.field if problem.field in self.fields else None,
                               problem.message)
        return data


class UserRoleForm(forms.Form):
    """Choose another role for a user, among those that fit where the account belongs."""

    role = forms.ChoiceField(label=_("Role"), widget=forms.RadioSelect)

    def __init__(self, by, account, *args, **kwargs):
        kwargs.setdefault("initial", {"role": account.role})
        super().__init__(*args, **kwargs)
        fitting = [r for r in roles_assignable_by(by) if SCOPE_OF_ROLE[r] == account.scope_kind]
        self.fields["role"].choices = _role_choices(fitting)
        self.helper = _helper(Submit("update", _("Change role")))


class ConfirmForm(forms.Form):
    """A form with only a button, for pages that ask "are you sure?"."""

    def __init__(self, *args, button: str, warning: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Submit("confirm", button, css_class="govuk-button--warning" if warning else "")
        )
