"""Forms of the agencies pages: an exchange agreement, an Operation Encompass notification."""

from crispy_forms_gds.layout import Field, Fixed, Fluid, Size
from django import forms
from django.utils.translation import gettext_lazy as _

from s2s.agencies.models import Direction
from s2s.core.forms import DateInputField, form_helper


class AgreementForm(forms.Form):
    agency = forms.ChoiceField(label=_("Agency"))
    direction = forms.ChoiceField(label=_("Which way files go"), choices=Direction.choices,
                                  widget=forms.RadioSelect)
    ends = forms.CharField(
        label=_("With"), max_length=2000,
        help_text=_("The LA mailbox (for example 838LLLL) and establishment numbers of your "
                    "schools, separated by commas"),
    )
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    until = DateInputField(label=_("In force until"), error_name=_("The end date"),
                           help_text=_("For example, 31 8 2027"))

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = {agency.reference: agency for agency in agencies}
        self.fields["agency"].choices = [(a.reference, str(a)) for a in agencies]
        self.helper = form_helper(
            Field.select("agency"),
            Field.radios("direction", legend_size=Size.SMALL),
            Field.text("ends", field_width=Fluid.TWO_THIRDS),
            Field.textarea("purpose"),
            Field("until"),
            submit=_("Make the agreement"),
        )

    def clean_agency(self):
        return self.agencies[self.cleaned_data["agency"]]

    def clean_ends(self):
        return [code for code in self.cleaned_data["ends"].replace(" ", ",").split(",") if code]


class EncompassForm(forms.Form):
    school = forms.CharField(label=_("School"), max_length=7,
                             help_text=_("Its 7-digit establishment number"))
    reference = forms.CharField(label=_("Police reference"), max_length=40)
    surname = forms.CharField(label=_("Child's surname"), max_length=100)
    forename = forms.CharField(label=_("Child's forename"), max_length=100)
    dob = DateInputField(label=_("Child's date of birth"), error_name=_("The date of birth"),
                         past=True, help_text=_("For example, 27 3 2016"))
    upn = forms.CharField(label=_("UPN (if known)"), max_length=13, required=False)
    incident_on = DateInputField(label=_("Date of the incident"),
                                 error_name=_("The date of the incident"))
    summary = forms.CharField(
        label=_("What the school needs to know"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only what the school needs to support the child today."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.text("school", field_width=Fixed.TEN),
            Field.text("reference", field_width=Fixed.TWENTY),
            Field.text("surname"), Field.text("forename"), Field("dob"),
            Field.text("upn", field_width=Fixed.TWENTY), Field("incident_on"),
            Field.textarea("summary"),
            submit=_("Send the notification"),
        )
