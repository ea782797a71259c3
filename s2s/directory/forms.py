"""Forms of the directory pages, laid out with the GOV.UK Design System."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fixed, Fluid, Layout, Size
from django import forms
from django.utils.translation import gettext_lazy as _

from s2s.core.forms import form_helper
from s2s.directory.models import AgencyKind, Establishment, Nation


class LocalAuthorityCreateForm(forms.Form):
    number = forms.CharField(
        label=_("LA number"), max_length=3, help_text=_("3 digits, for example 838"),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    nation = forms.ChoiceField(label=_("Nation"), choices=Nation.choices, widget=forms.RadioSelect)
    email = forms.EmailField(
        label=_("Contact email"), required=False,
        help_text=_("Notices of files waiting to be downloaded go here. A work address, not "
                    "webmail."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.text("number", field_width=Fixed.FIVE),
            Field.text("name"),
            Field.radios("nation", legend_size=Size.SMALL, inline=True),
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            submit=_("Add local authority"),
        )


class LocalAuthorityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(
        label=_("Contact email"), required=False,
        help_text=_("Notices of files waiting to be downloaded go here. A work address, not "
                    "webmail."),
    )
    receive_ctf_copies = forms.BooleanField(
        label=_("Receive copies of CTFs sent to and from our schools"), required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.text("name"),
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Field.checkbox("receive_ctf_copies"),
        )


class EstablishmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(label=_("Telephone"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    town = forms.CharField(label=_("Town"), max_length=100, required=False)
    safeguarding_email = forms.EmailField(
        label=_("Designated safeguarding lead's email"), required=False,
        help_text=_("Operation Encompass notifications from the police are told here, with a "
                    "link; left empty, the school's email and its users are told."),
    )
    active = forms.BooleanField(
        label=_("Active on s2s"), required=False,
        help_text=_("Using s2s is a statutory duty: a school should only be inactive if it "
                    "has closed."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.text("name"),
            Field.text("phone", field_width=Fixed.TWENTY),
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Field.text("town", field_width=Fixed.TWENTY),
            Field.text("safeguarding_email", field_width=Fluid.TWO_THIRDS),
            Field.checkbox("active"),
        )


class SuccessorForm(forms.Form):
    successor = forms.CharField(
        label=_("Establishment number of the successor"), max_length=7, required=False,
        help_text=_("7 digits, for example 8384000. Leave empty to remove the successor."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Field.text("successor", field_width=Fixed.TEN))

    def clean_successor(self) -> Establishment | None:
        code = self.cleaned_data["successor"].strip()
        if not code:
            return None
        if len(code) != 7 or not code.isdigit():
            raise forms.ValidationError(_("Enter a 7-digit establishment number, like 8384000."))
        successor = Establishment.objects.filter(code=code).first()
        if successor is None:
            raise forms.ValidationError(
                _("There is no establishment %(code)s."), params={"code": code}
            )
        return successor


class SchoolSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Establishment number or name"), required=False, max_length=100,
    )
    la = forms.ChoiceField(label=_("Local authority"), required=False)

    def __init__(self, *args, las=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["la"].choices = [("", _("All")), *((la.number, str(la)) for la in las)]
        if len(self.fields["la"].choices) <= 2:
            del self.fields["la"]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.text("q", field_width=Fixed.TWENTY),
            *([Field.select("la")] if "la" in self.fields else []),
            Button.secondary("search", _("Search"), type="submit"),
        )


class AgencyCreateForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference"), max_length=7,
        help_text=_("Your LA number and 4 capital letters or digits, for example 838HLTH"),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of agency"), choices=AgencyKind.choices,
                             widget=forms.RadioSelect)
    email = forms.CharField(
        label=_("Contact email"), max_length=254,
        help_text=_("A work address, not webmail."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.text("reference", field_width=Fixed.TEN),
            Field.text("name"),
            Field.radios("kind", legend_size=Size.SMALL),
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            submit=_("Add agency"),
        )
