"""Forms of the LA monitoring, forwarding, copies and phase transfer pages (GOV.UK layouts)."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fluid, Hidden, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from s2s.core.forms import CodeOrSuggestionField
from s2s.transfers.models import TransferStatus
from s2s.transfers.services.phase import AllocationError, allocation_from_csv

MAX_CSV_BYTES = 2 * 1024 * 1024


def _school_choices(schools) -> list[tuple[str, str]]:
    return [("", _("All schools")), *((school.code, str(school)) for school in schools)]



class SchoolFilterForm(forms.Form):
    """Narrow a list of the LA's files to one school's."""

    school = forms.ChoiceField(label=_("School"), required=False)

    def __init__(self, *args, schools=(), view: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.schools = {school.code: school for school in schools}
        self.fields["school"].choices = _school_choices(schools)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            *([Hidden("view", view)] if view else []),
            Field.select("school"), *self.extra_fields(),
            Button.secondary("filter", _("Filter"), type="submit"),
        )

    def extra_fields(self) -> list:
        return []

    def filters(self) -> dict:
        """Return the chosen school (or None), whatever was sent."""
        data = self.cleaned_data if self.is_valid() else {}
        return {"school": self.schools.get(data.get("school") or "")}


class MonitoringFilterForm(SchoolFilterForm):
    """Narrow a monitoring tab to one school and one status."""

    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *TransferStatus.choices])

    def extra_fields(self) -> list:
        return [Field.select("status")]

    def filters(self) -> dict:
        """Return the chosen school (or None) and status (or "")."""
        data = self.cleaned_data if self.is_valid() else {}
        return {**super().filters(), "status": data.get("status") or ""}


class ForwardForm(forms.Form):
    """The school an LA forwards a file to: picked from its open schools, or its number typed."""

    to = CodeOrSuggestionField(
        label=_("School to forward the file to"),
        help_text=_("Start typing the name or establishment number of one of your LA's "
                    "schools and choose it, or type the 7-digit establishment number of a "
                    "school in another LA, for example 8384512."),
        error_messages={"required": _("Enter the school to forward the file to")},
    )

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].suggestions = [(school.code, school.name) for school in schools]
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.layout = Layout(
            Field.text("to", field_width=Fluid.TWO_THIRDS),
            Button("submit", _("Forward the file"), type="submit"),
        )


class AllocationUploadForm(forms.Form):
    """An allocation CSV: one line per pupil, UPN then destination establishment number."""

    allocation = forms.FileField(
        label=_("Allocation file (CSV)"),
        help_text=_("One line per pupil: the UPN, a comma, then the destination school's "
                    "establishment number. A heading row is allowed."),
        error_messages={"required": _("Choose the allocation file")},
    )

    def __init__(self, *args, upns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.upns = set(upns)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self.helper.layout = Layout(
            Hidden("how", "csv"), Field("allocation"),
            Button("submit", _("Split and send"), type="submit"),
        )

    def clean_allocation(self) -> dict[str, str]:
        upload = self.cleaned_data["allocation"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The allocation file must be smaller than 2 MB."))
        try:
            return allocation_from_csv(content=upload.read(), upns=self.upns)
        except AllocationError as error:
            raise forms.ValidationError(error.problems) from None


class AllocationPickForm(forms.Form):
    """A destination school chosen for each pupil of the file (fields `dest_<position>`)."""

    def __init__(self, *args, pupils=(), schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Not placed")), *((s.code, str(s)) for s in schools)]
        self.helper = FormHelper()  # the error summary reads it; the table is in the template
        self.helper.form_tag = False
        self.rows = []
        for pupil in pupils:
            name = f"dest_{pupil.position}"
            self.fields[name] = forms.ChoiceField(
                label=_("Destination school"), choices=choices, required=False,
                disabled=not pupil.upn,
            )
            self.rows.append((pupil, name))

    def bound_rows(self) -> list[tuple]:
        """Return each pupil with its destination field, for the table."""
        return [(pupil, self[name]) for pupil, name in self.rows]

    def allocation(self) -> dict[str, str]:
        """Return the UPN -> establishment allocation chosen."""
        return {pupil.upn: self.cleaned_data[name] for pupil, name in self.rows
                if pupil.upn and self.cleaned_data.get(name)}
