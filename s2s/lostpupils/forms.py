"""Forms of the Lost Pupil Database pages (GOV.UK layouts, crispy-forms-gds)."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fieldset, Fluid, Layout, Size
from django import forms
from django.utils.translation import gettext_lazy as _

from s2s.core.forms import CodeOrSuggestionField, DateInputField
from s2s.lostpupils.search import BEGINS, SORTS, SOUNDALIKE, Criteria
from s2s.lostpupils.services.records import MAX_REASON

SEX_CHOICES = [("", _("Any")), ("F", _("Female")), ("M", _("Male"))]



class SearchForm(forms.Form):
    """Seed 003, 4.1: what the school told the LA about the pupil."""

    upn = forms.CharField(label=_("UPN"), required=False, max_length=13,
                          help_text=_("Also finds the pupil's former UPN"))
    surname = forms.CharField(label=_("Surname"), required=False, max_length=100,
                              help_text=_("Legal, preferred or former surname, or either part "
                                          "of a double-barrelled name"))
    surname_begins = forms.BooleanField(
        label=_("Surname begins with what I typed (exact text, not sound-alike)"),
        required=False)
    forename = forms.CharField(label=_("Forename"), required=False, max_length=100)
    dob = DateInputField(label=_("Date of birth"), error_name=_("Date of birth"), past=True,
                         required=False, help_text=_("For example, 27 3 2014"))
    swap_dob = forms.BooleanField(label=_("Also find the date with day and month swapped"),
                                  required=False)
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=SEX_CHOICES)
    town = forms.CharField(label=_("Town"), required=False, max_length=100)
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=10,
                               help_text=_("All of it, or its start (DT1)"))
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORTS] +
                             [(f"-{k}", k) for k in SORTS], widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.text("upn", field_width=10), Field.text("surname", field_width=20),
            Field.checkbox("surname_begins", small=True), Field.text("forename", field_width=20),
            Field("dob"), Field.checkbox("swap_dob", small=True),
            Field.select("sex"), Field.text("town", field_width=20),
            Field.text("postcode", field_width=10),
            Button("search", _("Search"), type="submit"),
        )

    def criteria(self) -> Criteria:
        """Return the criteria of a valid form."""
        data = self.cleaned_data
        return Criteria(
            upn=data["upn"], surname=data["surname"], forename=data["forename"],
            dob=data["dob"], sex=data["sex"], town=data["town"], postcode=data["postcode"],
            match=BEGINS if data["surname_begins"] else SOUNDALIKE, swap_dob=data["swap_dob"],
        )


class AttestForm(forms.Form):
    """Seed 003, 4.1: the box an LA must tick before it downloads a lost pupil's CTF."""

    attest = forms.BooleanField(
        label=_("I have taken reasonable steps to ensure this pupil is on roll at a school in "
                "my LA"), required=True,
        error_messages={"required": _("Confirm that you have taken reasonable steps to ensure "
                                      "this pupil is on roll at a school in your LA")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.layout = Layout(
            Fieldset(Field.checkbox("attest"), legend=_("Before you download"),
                     legend_size=Size.MEDIUM),
            Button("download", _("Continue to download"), type="submit"),
        )


class ForwardForm(forms.Form):
    """The school of the user's LA the CTF goes to: picked from its open schools, or typed."""

    to = CodeOrSuggestionField(
        label=_("School in your LA"),
        help_text=_("Start typing the school's name or its 7-digit establishment number and "
                    "choose it, for example 8384512"),
        error_messages={"required": _("Enter the school in your LA to send the CTF to")},
    )

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].suggestions = [(school.code, school.name) for school in schools]
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.layout = Layout(Field.text("to", field_width=Fluid.TWO_THIRDS),
                                    Button("forward", _("Send the CTF to the school"),
                                           type="submit"))


class RemoveForm(forms.Form):
    """Why an LA removes a record its school uploaded (where the pupil went)."""

    reason = forms.CharField(
        label=_("Reason"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example, where the pupil is now on roll"),
        error_messages={"required": _("Enter why the record is removed, for example where "
                                      "the pupil went")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.layout = Layout(Field.textarea("reason"),
                                    Button.warning("remove", _("Remove the record"),
                                                   type="submit"))
