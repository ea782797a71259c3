"""The audit page's filter form."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from s2s.audit.events import event_words
from s2s.audit.selectors import audit_actions_for
from s2s.core.forms import DateInputField


class AuditFilterForm(forms.Form):
    """Narrow the audit trail by kind of event and by date."""

    action = forms.ChoiceField(label=_("What happened"), required=False)
    date_from = DateInputField(label=_("From"), error_name=_("The start date"),
                               required=False, help_text=_("For example, 1 9 2025"))
    date_to = DateInputField(label=_("To"), error_name=_("The end date"), required=False,
                             help_text=_("For example, 30 9 2025"))

    def __init__(self, viewer, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actions = audit_actions_for(user=viewer)
        self.fields["action"].choices = [("", _("Anything")),
                                         *sorted(((a, event_words(a)) for a in actions),
                                                 key=lambda choice: choice[1])]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(
            Submit("filter", _("Filter"), css_class="govuk-button--secondary")
        )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data

    def filters(self) -> dict:
        """Return the selector's keyword arguments for the valid filters."""
        return {key: self.cleaned_data.get(key) for key in ["action", "date_from", "date_to"]}
