"""Forms of the CME case pages, laid out with the GOV.UK Design System."""

from crispy_forms_gds.layout import Field, Fixed, Size
from django import forms
from django.utils.translation import gettext_lazy as _

from s2s.cme.cases import NOTE_MAX
from s2s.cme.models import CaseOutcome
from s2s.core.forms import DateInputField, form_helper


class CaseOpenForm(forms.Form):
    """A child by UPN; names and date of birth only when no school's roll has the UPN."""

    upn = forms.CharField(label=_("UPN"), max_length=13,
                          error_messages={"required": _("Enter the child's UPN.")})
    surname = forms.CharField(label=_("Surname"), max_length=100, required=False)
    forename = forms.CharField(label=_("Forename"), max_length=100, required=False)
    dob = DateInputField(label=_("Date of birth"), error_name=_("Date of birth"), past=True,
                         required=False, help_text=_("For example, 15 10 2016"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["surname"].help_text = _(
            "Only when no school's roll has the UPN: the names and date of birth are otherwise "
            "taken from the latest roll.")
        self.helper = form_helper(Field.text("upn", field_width=Fixed.TEN), Field.text("surname"),
                              Field.text("forename"), Field("dob"),
                              submit=_("Open the case"))


class ConfirmForm(forms.Form):
    """Nothing to fill in: the button says what happens."""

    def __init__(self, *args, submit, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(submit=submit)


class CaseActForm(forms.Form):
    """One action on a case: a note, and for closing the outcome and the place it names."""

    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    outcome = forms.ChoiceField(label=_("How the case ended"), choices=CaseOutcome.choices,
                                widget=forms.RadioSelect, required=False)
    school = forms.CharField(label=_("School the child is on roll at"), max_length=7,
                             required=False, help_text=_("On roll at a school: its 7-digit "
                                                         "number, for example 8384512"))
    to_la = forms.CharField(label=_("LA the child has moved to"), max_length=3, required=False,
                            help_text=_("Left the LA: its 3-digit number, for example 681. "
                                        "Its CME officers and LA users get a secure message "
                                        "about the child."))

    def __init__(self, *args, action: str, submit, **kwargs):
        super().__init__(*args, **kwargs)
        fields = [Field.textarea("note")]
        if action == "close":
            fields = [Field.radios("outcome", legend_size=Size.SMALL),
                      Field.text("school", field_width=Fixed.TEN),
                      Field.text("to_la", field_width=Fixed.FIVE), *fields]
        else:
            for name in ("outcome", "school", "to_la"):
                del self.fields[name]
        self.helper = form_helper(*fields, submit=submit)
