"""The partnership forms: renewing the agreement, ending the partnership."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from s2s.core.forms import DateInputField


class RenewForm(forms.Form):
    """A new review date for the agreement; every member signs it again."""

    review_date = DateInputField(label=_("New review date"), error_name=_("The review date"),
                                 help_text=_("For example, 31 7 2027"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("renew", _("Renew the agreement")))


class EndForm(forms.Form):
    """Confirm ending the partnership (nothing to enter)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("end", _("End the partnership"),
                                     css_class="govuk-button--warning"))
