"""Forms of the transfer pages, laid out with the GOV.UK Design System."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from s2s.transfers.services.receive import MAX_REASON


class ReasonForm(forms.Form):
    """Why a file is rejected or deleted: the sender reads it."""

    reason = forms.CharField(
        label=_("Reason"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Give the reason")},
    )

    def __init__(self, *args, submit: str, hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = hint
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.layout = Layout(
            Field.textarea("reason"),
            Button("submit", submit, type="submit"),
        )

